"""One delivery row per (event, recipient, channel), and per-user preferences (the events: core.outbox)."""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner_platform.accounts.models import User
from planner_platform.core.db import Base, BigId, UTCDateTime, utcnow
from planner_platform.core.outbox import OutboxEvent


class Channel(enum.Enum):
    in_app = "in_app"
    email = "email"
    sms = "sms"

    @property
    def label(self):
        return CHANNEL_LABELS[self]


CHANNEL_LABELS = {Channel.in_app: _l("On the platform"), Channel.email: _l("Email"), Channel.sms: _l("SMS")}


class DeliveryState(enum.Enum):
    pending = "pending"  # to be sent now
    digest = "digest"  # waits for the recipient's daily or weekly digest
    sending = "sending"  # claimed by a worker
    sent = "sent"
    retry = "retry"  # failed for a passing reason; tried again at next_attempt_at
    failed = "failed"  # given up; last_error says why
    skipped = "skipped"  # nothing to send to (e.g. no email address); last_error says why
    #: The worker stopped while sending an email that could not safely be sent again; administrators see it.
    unknown = "unknown"

    @property
    def label(self):
        return DELIVERY_STATE_LABELS[self]


DELIVERY_STATE_LABELS = {
    DeliveryState.pending: _l("Waiting to be sent"), DeliveryState.digest: _l("Waiting for the digest"),
    DeliveryState.sending: _l("Being sent"), DeliveryState.sent: _l("Sent"),
    DeliveryState.retry: _l("Will be retried"), DeliveryState.failed: _l("Failed"),
    DeliveryState.skipped: _l("Not sent (no address)"), DeliveryState.unknown: _l("Outcome unknown"),
}


class EmailFrequency(enum.Enum):
    immediate = "immediate"
    daily = "daily"
    weekly = "weekly"
    off = "off"

    @property
    def label(self):
        return FREQUENCY_LABELS[self]


FREQUENCY_LABELS = {EmailFrequency.immediate: _l("At once"), EmailFrequency.daily: _l("Daily digest"),
                    EmailFrequency.weekly: _l("Weekly digest"), EmailFrequency.off: _l("Never")}


class Notification(Base):
    """One delivery of one event to one user through one channel; the in-app ones form the inbox.

    A direct message (a reset link, an invitation) is one delivery to an address instead of a user.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("event_id", "recipient_id", "channel", name="uq_notifications_once_per_channel"),
        # The key above treats NULL recipients as distinct: a direct message gets its own.
        Index("uq_notifications_direct_message", "event_id", unique=True,
              postgresql_where=text("recipient_id IS NULL"), sqlite_where=text("recipient_id IS NULL")),
        CheckConstraint("(recipient_id IS NULL) <> (address IS NULL)", name="recipient_or_address"),
        Index("ix_notifications_inbox", "recipient_id", "channel", "read_at"),
        # Only unfinished deliveries are looked up by state (sweep, retries): sent in-app rows stay out of it.
        Index("ix_notifications_unfinished", "state", "next_attempt_at",
              postgresql_where=text("state IN ('pending', 'retry', 'sending', 'digest')"),
              sqlite_where=text("state IN ('pending', 'retry', 'sending', 'digest')")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: Lookups by event use the unique key below, whose first column is event_id.
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox_events.id", ondelete="CASCADE"))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: The phone number or email address of a direct message (recipient_id is then NULL).
    address: Mapped[str | None] = mapped_column(String(254))
    channel: Mapped[Channel] = mapped_column(Enum(Channel, name="channel", native_enum=False, create_constraint=True,
                                                  length=16))
    state: Mapped[DeliveryState] = mapped_column(Enum(DeliveryState, name="delivery_state", native_enum=False,
                                                      create_constraint=True, length=16))
    #: One line in the recipient's language, rendered when the event fanned out.
    title: Mapped[str] = mapped_column(String(200), default="")
    #: Site-relative link to the object the notification is about.
    link: Mapped[str | None] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[OutboxEvent] = relationship()
    recipient: Mapped[User | None] = relationship()


class NotificationPreference(Base):
    """A user's choice for one category and channel; absent rows mean the channel's default."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[Channel] = mapped_column(Enum(Channel, name="channel", native_enum=False, create_constraint=True,
                                                  length=16), primary_key=True)
    enabled: Mapped[bool]


class NotificationSettings(Base):
    """Per-user settings beyond single categories; absent means the defaults (daily email digest)."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email_frequency: Mapped[EmailFrequency] = mapped_column(
        Enum(EmailFrequency, name="email_frequency", native_enum=False, create_constraint=True, length=16),
        default=EmailFrequency.daily)
    #: When the last digest went out, so a repeated beat run does not send a second one.
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
