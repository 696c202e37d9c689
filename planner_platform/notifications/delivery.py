"""Sending email and SMS deliveries: claim, send, record; retries with backoff; the safety-net sweep.

A delivery is claimed (pending → sending) and committed before anything leaves the platform, so two workers
never send the same row. A worker killed between claim and record leaves the row in `sending`; the sweep marks
it failed as "outcome unknown" rather than risk sending it twice.
"""
import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update

from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from planner_platform.notifications.channels import DeliveryError, Mailer, send_sms
from planner_platform.notifications.models import Channel, DeliveryState, Notification
from planner_platform.notifications.outbox import backoff
from planner_platform.notifications.registry import EVENT_TYPES
from planner_platform.notifications.rendering import RenderError, render_event

logger = logging.getLogger(__name__)
UNKNOWN_OUTCOME = "the worker stopped while sending; the outcome is unknown, so it was not sent again"


def _claim(notification_id: int) -> Notification | None:
    now = utcnow()
    claimed = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id,
               or_(Notification.state == DeliveryState.pending,
                   and_(Notification.state == DeliveryState.retry, Notification.next_attempt_at <= now)))
        # next_attempt_at doubles as the claim time, so the sweep can tell a stuck claim from a fresh one.
        .values(state=DeliveryState.sending, attempts=Notification.attempts + 1, next_attempt_at=now)
    ).rowcount
    db.session.commit()
    return db.session.get(Notification, notification_id) if claimed else None


def _send_one(mailer: Mailer, notification: Notification) -> None:
    event = notification.event
    user = notification.recipient
    event_type = EVENT_TYPES[event.event_type]
    texts = render_event(event_type.template, event.payload, user.locale, notification.link,
                         html=notification.channel is Channel.email)
    if notification.channel is Channel.email:
        mailer.send(user.email, texts["subject"], texts["text"], texts.get("html"))
    else:
        send_sms(user.phone, texts["sms"])


def _record_failure(notification: Notification, error: Exception, *, retry: bool) -> None:
    notification.last_error = str(error)[:1000]
    if retry and notification.attempts < current_app.config["NOTIFY_MAX_ATTEMPTS"]:
        notification.state = DeliveryState.retry
        notification.next_attempt_at = utcnow() + backoff(notification.attempts)
    else:
        notification.state = DeliveryState.failed
    logger.warning("Delivery %s (%s) failed, attempt %s: %s", notification.id, notification.channel.name,
                   notification.attempts, error)


def deliver(notification_ids: list[int]) -> dict[str, int]:
    """Send the given email/SMS deliveries that are due; returns counts by outcome."""
    outcome = {"sent": 0, "failed": 0, "skipped": 0}
    with Mailer() as mailer:
        for notification_id in notification_ids:
            notification = _claim(notification_id)
            if notification is None:
                outcome["skipped"] += 1
                continue
            try:
                _send_one(mailer, notification)
            except RenderError as error:  # a broken template will not mend itself
                _record_failure(notification, error, retry=False)
                outcome["failed"] += 1
            except DeliveryError as error:
                _record_failure(notification, error, retry=True)
                outcome["failed"] += 1
            else:
                notification.state = DeliveryState.sent
                notification.sent_at = utcnow()
                outcome["sent"] += 1
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
