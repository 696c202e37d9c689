"""User-facing notification writes: reading the inbox, preferences, retrying failed deliveries. Callers commit."""
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from planner_platform.access import actor_of, is_admin
from planner_platform.accounts import sessions
from planner_platform.accounts.models import User
from planner_platform.core.audit import record_audit
from planner_platform.core.db import utcnow
from planner_platform.core.errors import NotAllowed
from planner_platform.extensions import db
from planner_platform.notifications.models import (Channel, DeliveryState, EmailFrequency, Notification,
                                                   NotificationPreference, NotificationSettings)
from planner_platform.notifications.monitoring import NEEDS_ATTENTION
from planner_platform.notifications.registry import CATEGORIES

#: Channels a user may switch per category, with their default when nothing was chosen.
CHANNEL_DEFAULTS = {Channel.in_app: True, Channel.email: True, Channel.sms: False}


def inbox_query(user: User):
    return (select(Notification).where(Notification.recipient_id == user.id, Notification.channel == Channel.in_app,
                                       Notification.state == DeliveryState.sent)
            .order_by(Notification.id.desc()))


def _unread_of(user_id):
    return select(func.count()).where(
        Notification.recipient_id == user_id, Notification.channel == Channel.in_app,
        Notification.state == DeliveryState.sent, Notification.read_at.is_(None))


def unread_count(user: User) -> int:
    return db.session.scalar(_unread_of(user.id))


# The menu shows the count on every page: it rides with the statement that loads the session.
sessions.ride_along("unread_notifications",
                    lambda user_id: _unread_of(user_id).correlate_except(Notification).scalar_subquery())


def menu_unread_count(user: User) -> int:
    """The menu's count: as the session's statement read it in this transaction, else asked."""
    ridden = sessions.ridden("unread_notifications", user.id)
    return unread_count(user) if ridden is None else ridden


def mark_read(actor: User, notification: Notification) -> None:
    if notification.recipient_id != actor.id:
        raise NotAllowed(_("This notification is someone else's."))
    if notification.read_at is None:
        notification.read_at = utcnow()


def mark_all_read(actor: User) -> int:
    return db.session.execute(update(Notification).where(
        Notification.recipient_id == actor.id, Notification.channel == Channel.in_app,
        Notification.state == DeliveryState.sent, Notification.read_at.is_(None)).values(read_at=utcnow())).rowcount


def preferences_of(user: User) -> tuple[dict[tuple[str, Channel], bool], EmailFrequency]:
    chosen = {(p.category, p.channel): p.enabled for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    matrix = {(category, channel): chosen.get((category, channel), default)
              for category in CATEGORIES for channel, default in CHANNEL_DEFAULTS.items()}
    settings = db.session.get(NotificationSettings, user.id)
    return matrix, settings.email_frequency if settings else EmailFrequency.daily


def save_preferences(actor: User, matrix: dict[tuple[str, Channel], bool], frequency: EmailFrequency) -> None:
    """Store the user's choices; unknown categories are ignored."""
    for (category, channel), enabled in matrix.items():
        if category not in CATEGORIES:
            continue
        preference = db.session.get(NotificationPreference, (actor.id, category, channel))
        if preference is None:
            db.session.add(NotificationPreference(user_id=actor.id, category=category, channel=channel,
                                                  enabled=enabled))
        else:
            preference.enabled = enabled
    settings = db.session.get(NotificationSettings, actor.id)
    if settings is None:
        db.session.add(NotificationSettings(user_id=actor.id, email_frequency=frequency))
    else:
        settings.email_frequency = frequency


def retry_failed(actor: User, notification_ids: list[int]) -> int:
    """Send failed deliveries, or those whose outcome is unknown, again (an administrator's decision, audited)."""
    if not is_admin(actor_of(actor)):
        raise NotAllowed(_("Only administrators send failed deliveries again."))
    count = db.session.execute(update(Notification).where(
        Notification.id.in_(notification_ids), Notification.state.in_(NEEDS_ATTENTION))
        .values(state=DeliveryState.retry, next_attempt_at=utcnow(), attempts=0)).rowcount
    record_audit(db.session, "notifications.retried", actor=actor, count=count)
    return count
