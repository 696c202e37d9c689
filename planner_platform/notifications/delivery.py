"""Sending email and SMS deliveries: claim, send, record; retries with backoff; the safety-net sweep.

Deliveries are claimed (pending → sending) and committed before anything leaves the platform, so two workers
never send the same row. A worker killed between claim and record leaves its rows in `sending`; the sweep marks
them failed as "outcome unknown" (visible and retryable on the operations page) rather than risk sending twice.
"""
import logging
import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import joinedload

from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from planner_platform.notifications.channels import DeliveryError, Mailer, send_sms
from planner_platform.notifications.models import Channel, DeliveryState, Notification
from planner_platform.notifications.registry import EVENT_TYPES
from planner_platform.notifications.rendering import RenderError, render_event

logger = logging.getLogger(__name__)
UNKNOWN_OUTCOME = "the worker stopped while sending; the outcome is unknown, so it was not sent again"


#: Deliveries claimed together: one UPDATE and one commit per chunk instead of per message. A worker killed
#: mid-chunk leaves at most this many rows "outcome unknown"; never a duplicate.
CLAIM_CHUNK = 20


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with jitter, so retries from many rows do not arrive in step."""
    base = current_app.config["NOTIFY_RETRY_BASE_SECONDS"]
    seconds = min(base * 2 ** max(attempts - 1, 0), 6 * 3600) * random.uniform(0.5, 1.5)
    return timedelta(seconds=seconds)


def _claim(notification_ids: list[int]) -> list[Notification]:
    now = utcnow()
    claimed = list(db.session.scalars(
        update(Notification)
        .where(Notification.id.in_(notification_ids),
               or_(Notification.state == DeliveryState.pending,
                   and_(Notification.state == DeliveryState.retry, Notification.next_attempt_at <= now)))
        # next_attempt_at doubles as the claim time, so the sweep can tell a stuck claim from a fresh one.
        .values(state=DeliveryState.sending, attempts=Notification.attempts + 1, next_attempt_at=now)
        .returning(Notification.id)))
    db.session.commit()
    if not claimed:
        return []
    return db.session.scalars(select(Notification).where(Notification.id.in_(claimed))
                              .options(joinedload(Notification.event), joinedload(Notification.recipient))
                              .order_by(Notification.id)).all()


def _texts(notification: Notification, cache: dict) -> dict:
    """Rendered texts, shared by every recipient of the same event, channel and language."""
    event, locale = notification.event, notification.recipient.locale
    key = (event.id, notification.channel, locale)
    if key not in cache:
        try:
            cache[key] = render_event(EVENT_TYPES[event.event_type].template, event.payload, locale,
                                      notification.link, html=notification.channel is Channel.email)
        except RenderError as error:
            cache[key] = error
    if isinstance(cache[key], RenderError):
        raise cache[key]
    return cache[key]


def _record_failure(notification: Notification, error: Exception, *, retry: bool) -> None:
    notification.last_error = str(error)[:1000]
    if retry and notification.attempts < current_app.config["NOTIFY_MAX_ATTEMPTS"]:
        notification.state = DeliveryState.retry
        notification.next_attempt_at = utcnow() + backoff(notification.attempts)
    else:
        notification.state = DeliveryState.failed
    logger.warning("Delivery %s (%s) failed, attempt %s: %s", notification.id, notification.channel.name,
                   notification.attempts, error)


def _prepare(claimed: list[Notification], cache: dict) -> list[tuple]:
    """(notification id, channel, address, texts or RenderError) for each claimed row, read before sending."""
    prepared = []
    for notification in claimed:
        user = notification.recipient
        address = user.email if notification.channel is Channel.email else user.phone
        try:
            texts = _texts(notification, cache)
        except RenderError as error:
            texts = error
        prepared.append((notification.id, notification.channel, address, texts))
    return prepared


def _send(mailer: Mailer, channel: Channel, address: str, texts: dict) -> None:
    if channel is Channel.email:
        mailer.send(address, texts["subject"], texts["text"], texts.get("html"))
    else:
        send_sms(address, texts["sms"])


def deliver(notification_ids: list[int]) -> dict[str, int]:
    """Send the given email/SMS deliveries that are due; returns counts by outcome.

    No transaction stays open while messages go out: rows are claimed and read, the transaction ends, the
    messages are sent, and the outcomes are written in a short transaction of their own.
    """
    outcome = {"sent": 0, "failed": 0, "skipped": 0}
    cache: dict = {}
    with Mailer() as mailer:
        for start in range(0, len(notification_ids), CLAIM_CHUNK):
            chunk = notification_ids[start:start + CLAIM_CHUNK]
            prepared = _prepare(_claim(chunk), cache)
            db.session.commit()
            outcome["skipped"] += len(chunk) - len(prepared)
            results = {}
            for notification_id, channel, address, texts in prepared:
                try:
                    if isinstance(texts, RenderError):
                        raise texts
                    _send(mailer, channel, address, texts)
                    results[notification_id] = None
                except (RenderError, DeliveryError) as error:
                    results[notification_id] = error
            sent = [i for i, error in results.items() if error is None]
            if sent:  # one statement for the common case
                db.session.execute(update(Notification).where(Notification.id.in_(sent))
                                   .values(state=DeliveryState.sent, sent_at=utcnow()))
            failed = {i: error for i, error in results.items() if error is not None}
            for notification in db.session.scalars(select(Notification).where(Notification.id.in_(failed))):
                # a broken template will not mend itself; a refused connection may
                _record_failure(notification, failed[notification.id], retry=isinstance(failed[notification.id],
                                                                                       DeliveryError))
            outcome["sent"] += len(sent)
            outcome["failed"] += len(failed)
            db.session.commit()
    return outcome


def due_delivery_ids(limit: int = 5000) -> list[int]:
    """Deliveries whose task was lost or whose retry time has come."""
    now = utcnow()
    lost_before = now - timedelta(seconds=current_app.config["DELIVERY_REDISPATCH_AFTER_SECONDS"])
    return list(db.session.scalars(
        select(Notification.id).where(or_(
            and_(Notification.state == DeliveryState.pending, Notification.created_at < lost_before),
            and_(Notification.state == DeliveryState.retry, Notification.next_attempt_at <= now)))
        .order_by(Notification.id).limit(limit)))


def fail_stuck_sendings() -> int:
    """Rows left in `sending` by a killed worker: record them as failed instead of sending twice."""
    stuck_before = utcnow() - timedelta(seconds=current_app.config["DELIVERY_SENDING_TIMEOUT_SECONDS"])
    count = db.session.execute(
        update(Notification).where(Notification.state == DeliveryState.sending,
                                   Notification.next_attempt_at < stuck_before)
        .values(state=DeliveryState.failed, last_error=UNKNOWN_OUTCOME)).rowcount
    db.session.commit()
    return count
