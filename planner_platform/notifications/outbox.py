"""Writing events to the outbox, and the relay that hands them to the workers.

`emit()` and `send_message()` add a row to the caller's transaction; nothing is published until it commits.
The relay runs right after that commit (for the new rows) and from beat every few seconds (for everything
still pending, including rows whose publish failed or whose message a broker restart lost).
"""
import logging
import random
from datetime import timedelta

from flask import current_app
from kombu.exceptions import OperationalError
from sqlalchemy import event as sa_event
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from planner_platform.core.after_commit import on_commit
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from planner_platform.notifications.models import EventKind, OutboxEvent
from planner_platform.notifications.registry import EVENT_TYPES

logger = logging.getLogger(__name__)
_PENDING_KEY = "outbox_new_event_ids"
#: Events published per relay transaction.
RELAY_BATCH = 500


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
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unregistered event type {event_type!r}")
    return _add(EventKind.notify, event_type, {**(payload or {}), "recipients": recipients}, actor)


def send_message(to: str, subject: str, body: str, *, actor=None) -> OutboxEvent:
    """One message to a phone number or email address, e.g. a reset link; it is sent after the commit."""
    return _add(EventKind.message, "message.direct", {"to": to, "subject": subject, "body": body}, actor)


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with jitter, so retries from many rows do not arrive in step."""
    base = current_app.config["NOTIFY_RETRY_BASE_SECONDS"]
    seconds = min(base * 2 ** max(attempts - 1, 0), 6 * 3600) * random.uniform(0.5, 1.5)
    return timedelta(seconds=seconds)


def relay_outbox(event_ids: list[int] | None = None, limit: int = RELAY_BATCH) -> int:
    """Publish due events to the workers and mark them published; returns how many went out.

    Rows are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so several relays never publish the same row
    at once (SQLite runs one relay). A broker error leaves the rows pending with a backoff; it never raises.
    """
    from planner_platform.notifications.tasks import process_event

    now = utcnow()
    republish_before = now - timedelta(seconds=current_app.config["OUTBOX_REPUBLISH_AFTER_SECONDS"])
    query = (select(OutboxEvent).where(OutboxEvent.processed_at.is_(None), OutboxEvent.available_at <= now,
                                       or_(OutboxEvent.published_at.is_(None),
                                           OutboxEvent.published_at < republish_before))
             .order_by(OutboxEvent.id).limit(limit))
    if event_ids is not None:
        if not event_ids:
            return 0
        query = query.where(OutboxEvent.id.in_(event_ids))
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    events = db.session.scalars(query).all()
    eager = current_app.extensions["celery"].conf.task_always_eager
    published = []
    for event in events:
        event.publish_attempts += 1
        if not eager:
            try:
                process_event.apply_async((event.id,), ignore_result=True)
            except (OperationalError, RuntimeError, OSError) as error:
                # Broker down or hung: keep the rest pending and try again later (the beat relay).
                logger.warning("Outbox relay could not publish event %s: %s", event.id, error)
                event.last_error = f"publish failed: {error}"[:1000]
                event.available_at = now + backoff(event.publish_attempts)
                break
        event.published_at = now
        published.append(event.id)
    db.session.commit()
    if eager:  # no broker (the embedded default): deliver in this process, after the commit above
        for event_id in published:
            process_event(event_id)
    return len(published)
