"""The transactional outbox: events written in the caller's transaction, and the relay that hands them to workers.

`emit()` and `send_message()` add a row to the caller's transaction; nothing is published until it commits.
The relay runs right after that commit (for the new rows) and from beat every few seconds (for everything
still pending, including rows whose publish failed or whose message a broker restart lost). It publishes the
consuming task by name through the application's Celery instance, or runs it in-process when there is no
broker, so this floor imports no feature: `notifications` implements the task and registers the event types.
"""
import enum
import logging
from datetime import datetime, timedelta

from flask import current_app
from kombu.exceptions import OperationalError
from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, Text, or_, select, text, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Mapped, Session, mapped_column

from planner_platform.core.after_commit import on_commit
from planner_platform.core.db import Base, BigId, UTCDateTime, utcnow
from planner_platform.extensions import db

logger = logging.getLogger(__name__)
_PENDING_KEY = "outbox_new_event_ids"
#: Events published per relay transaction.
RELAY_BATCH = 500
#: The Celery task that consumes one event (notifications.tasks implements it; the name predates this module).
PROCESS_TASK = "notifications.process_event"
#: Event types that a consumer has registered (notifications.registry); emit() refuses any other name, so a
#: typo fails in the caller's transaction instead of in a worker.
EVENT_TYPE_NAMES: set[str] = set()


class EventKind(enum.Enum):
    #: Fan out to users resolved from the payload, through their preferred channels.
    notify = "notify"
    #: One message to one phone number or email address (reset links, invitations), preferences do not apply.
    message = "message"


class OutboxEvent(Base):
    """Written in the same transaction as the change it reports; a relay hands it to the workers afterwards."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_events_unprocessed", "available_at", postgresql_where=text("processed_at IS NULL"),
              sqlite_where=text("processed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[EventKind] = mapped_column(Enum(EventKind, name="event_kind", native_enum=False,
                                                 create_constraint=True, length=16))
    #: Registered event type, e.g. "accounts.role_granted" (see notifications.registry).
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Not handed out before this time (a publish that failed waits OUTBOX_PUBLISH_RETRY_SECONDS).
    available_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    publish_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


def _add(kind: EventKind, event_type: str, payload: dict, actor) -> OutboxEvent:
    event = OutboxEvent(kind=kind, event_type=event_type, payload=payload, actor_id=getattr(actor, "id", actor))
    db.session.add(event)
    db.session.flush()
    new_ids = db.session.info.get(_PENDING_KEY)
    if new_ids is None:
        new_ids = db.session.info[_PENDING_KEY] = []
        on_commit(db.session, _relay_new_events, db.session)
    new_ids.append(event.id)
    return event


@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_new_events(session: Session, previous_transaction) -> None:
    # The rolled-back events no longer exist, and the relay callback was dropped with them (core.after_commit).
    if previous_transaction.parent is None:
        session.info.pop(_PENDING_KEY, None)


def _relay_new_events(session) -> None:
    # All of them, a batch at a time: without a broker (the embedded default) no beat relays a remainder later.
    new_ids = session.info.pop(_PENDING_KEY, [])
    for start in range(0, len(new_ids), RELAY_BATCH):
        relay_outbox(event_ids=new_ids[start:start + RELAY_BATCH])


def emit(event_type: str, *, recipients: dict, payload: dict | None = None, actor=None) -> OutboxEvent:
    """Record that something happened which `recipients` should hear about.

    recipients: {"users": [ids]} or {"roles": [role values], "place_id": id, "scope": "covering" | "within"}:
    "covering" reaches holders of those roles over a place containing place_id (e.g. the sub-district staff of
    a community), "within" reaches holders inside it (e.g. every resident of a sub-district).
    """
    if event_type not in EVENT_TYPE_NAMES:
        raise ValueError(f"unregistered event type {event_type!r}")
    return _add(EventKind.notify, event_type, {**(payload or {}), "recipients": recipients}, actor)


def send_message(to: str, subject: str, body: str, *, actor=None) -> OutboxEvent:
    """One message to a phone number or email address, e.g. a reset link; it is sent after the commit."""
    return _add(EventKind.message, "message.direct", {"to": to, "subject": subject, "body": body}, actor)


def _claim(event_ids: list[int] | None, limit: int) -> list[int]:
    """Mark due events published, and commit: from then on other relays leave them alone and workers see them."""
    now = utcnow()
    republish_before = now - timedelta(seconds=current_app.config["OUTBOX_REPUBLISH_AFTER_SECONDS"])
    due = (select(OutboxEvent.id).where(OutboxEvent.processed_at.is_(None), OutboxEvent.available_at <= now,
                                        or_(OutboxEvent.published_at.is_(None),
                                            OutboxEvent.published_at < republish_before))
           .order_by(OutboxEvent.id).limit(limit))
    if event_ids is not None:
        due = due.where(OutboxEvent.id.in_(event_ids))
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claimed = list(db.session.scalars(due))
    if claimed:
        db.session.execute(update(OutboxEvent).where(OutboxEvent.id.in_(claimed))
                           .values(published_at=now, publish_attempts=OutboxEvent.publish_attempts + 1)
                           .execution_options(synchronize_session=False))
    db.session.commit()
    return claimed


def _unclaim(event_ids: list[int], error: Exception) -> None:
    """Hand events whose publish failed back to the beat relay."""
    db.session.execute(update(OutboxEvent).where(OutboxEvent.id.in_(event_ids), OutboxEvent.processed_at.is_(None))
                       .values(published_at=None, last_error=f"publish failed: {error}"[:1000],
                               available_at=utcnow() + timedelta(
                                   seconds=current_app.config["OUTBOX_PUBLISH_RETRY_SECONDS"]))
                       .execution_options(synchronize_session=False))
    db.session.commit()


def relay_outbox(event_ids: list[int] | None = None, limit: int = RELAY_BATCH) -> int:
    """Hand due events to the workers; returns how many went out.

    The claim is committed before anything is published: a worker may start on a task within a millisecond,
    and a row still locked or unmarked by this transaction would be skipped until the re-publish (issue 11).
    Rows are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so several relays never publish the same row
    (SQLite runs one relay). A broker error hands the unsent rows back to the beat relay; it never raises.
    """
    if event_ids is not None and not event_ids:
        return 0
    claimed = _claim(event_ids, limit)
    celery = current_app.extensions["celery"]
    if celery.conf.task_always_eager:  # no broker (the embedded default): process them in this process
        for event_id in claimed:
            celery.tasks[PROCESS_TASK](event_id)
        return len(claimed)
    for sent, event_id in enumerate(claimed):
        try:
            celery.send_task(PROCESS_TASK, (event_id,), ignore_result=True)
        except (OperationalError, RuntimeError, OSError) as error:
            # Broker down or hung: the rest go back to the beat relay.
            logger.warning("Outbox relay could not publish event %s: %s", event_id, error)
            _unclaim(claimed[sent:], error)
            return sent
    return len(claimed)
