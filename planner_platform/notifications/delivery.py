"""Sending email and SMS deliveries: claim, send, record; retries with backoff; the safety-net sweep.

Deliveries are claimed (pending → sending) and committed before anything leaves the platform, so two workers
never send the same row, and no row stays locked while a provider answers. A worker killed between claim and
record leaves its rows in `sending`; after DELIVERY_SENDING_TIMEOUT_SECONDS the sweep applies each channel's
policy (`recover_stuck_sendings`, README "Notifications").
"""
import logging
import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import joinedload

from planner_platform.accounts import consents
from planner_platform.accounts.models import Consent
from planner_platform.core.db import utcnow
from planner_platform.core.outbox import OutboxEvent
from planner_platform.extensions import db
from planner_platform.notifications.channels import DeliveryError, Mailer, send_sms
from planner_platform.notifications.models import Channel, DeliveryState, Notification
from planner_platform.notifications.registry import EVENT_TYPES
from planner_platform.notifications.rendering import RenderError, render_event

logger = logging.getLogger(__name__)
UNKNOWN_OUTCOME = "the worker stopped while sending; the outcome is unknown, so it was not sent again"
SENT_AGAIN = "the worker stopped while sending; sent again with the same key"
NO_SMS_CONSENT = "the recipient has not consented to notices by text message"


#: Deliveries claimed together: one UPDATE and one commit per chunk instead of per message. A worker killed
#: mid-chunk leaves at most this many rows with an unknown outcome.
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


def provider_key(notification_id: int) -> str:
    """The idempotency key of a delivery, the same on every attempt (channels)."""
    return f"notification-{notification_id}"


def _direct_texts(payload: dict) -> dict:
    """A direct message was written in the requester's language when it was sent: no template."""
    return {"subject": payload["subject"], "text": payload["body"], "sms": f"{payload['subject']}: {payload['body']}"}


def _texts(notification: Notification, cache: dict) -> dict:
    """Rendered texts, shared by every recipient of the same event, channel and language."""
    event = notification.event
    if notification.recipient is None:
        return _direct_texts(event.payload)
    locale = notification.recipient.locale
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
    """(notification id, channel, address, texts or RenderError) for each claimed row, read before sending.

    Text messages first: they are quick, and a slow mail server then holds up no SMS.
    """
    prepared = []
    for notification in sorted(claimed, key=lambda row: row.channel is not Channel.sms):
        user = notification.recipient
        if user is None:
            address = notification.address
        else:
            address = user.email if notification.channel is Channel.email else user.phone
        try:
            texts = _texts(notification, cache)
        except RenderError as error:
            texts = error
        prepared.append((notification.id, notification.channel, address, texts))
    return prepared


def _lacking_sms_consent(claimed: list[Notification]) -> set[int]:
    """The SMS notices whose recipient has no live consent to them, checked as they go out, so a withdrawal stops
    the next dispatch. Security notices belong to the account itself and direct messages (codes, links) were asked
    for: neither needs it."""
    notices = [row for row in claimed if row.channel is Channel.sms and row.recipient_id is not None
               and not EVENT_TYPES[row.event.event_type].mandatory]
    if not notices:
        return set()
    consenting = set(db.session.scalars(select(Consent.user_id).where(
        Consent.user_id.in_({row.recipient_id for row in notices}), Consent.purpose == consents.SMS,
        Consent.withdrawn_at.is_(None))))
    return {row.id for row in notices if row.recipient_id not in consenting}


def _send(mailer: Mailer, notification_id: int, channel: Channel, address: str, texts: dict) -> None:
    key = provider_key(notification_id)
    if channel is Channel.email:
        mailer.send(address, texts["subject"], texts["text"], texts.get("html"), key=key)
    else:
        send_sms(address, texts["sms"], key=key)


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
            claimed = _claim(chunk)
            refused = _lacking_sms_consent(claimed)
            if refused:
                db.session.execute(update(Notification).where(Notification.id.in_(refused)).values(
                    state=DeliveryState.skipped, last_error=NO_SMS_CONSENT))
            prepared = _prepare([row for row in claimed if row.id not in refused], cache)
            db.session.commit()
            outcome["skipped"] += len(chunk) - len(prepared)
            results = {}
            for notification_id, channel, address, texts in prepared:
                try:
                    if isinstance(texts, RenderError):
                        raise texts
                    _send(mailer, notification_id, channel, address, texts)
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


def recover_stuck_sendings() -> dict[str, int]:
    """Rows left in `sending` by a dead worker, after the timeout, by channel.

    SMS carry the row's idempotency key, which the provider honours, so they are sent again; so are security
    notices on every channel (a rare duplicate email beats a lost warning). SMTP has no such key: other emails
    become `unknown` and the operations page alerts administrators, rather than sending blindly twice. A row
    already tried NOTIFY_MAX_ATTEMPTS times (a message that kills its worker, say) becomes `unknown` too.
    """
    now = utcnow()
    stuck = and_(Notification.state == DeliveryState.sending, Notification.next_attempt_at < now - timedelta(
        seconds=current_app.config["DELIVERY_SENDING_TIMEOUT_SECONDS"]))
    security_notices = [name for name, event_type in EVENT_TYPES.items() if event_type.mandatory]
    safe_to_repeat = or_(Notification.channel == Channel.sms,
                         Notification.event.has(OutboxEvent.event_type.in_(security_notices)))
    resent = db.session.execute(
        update(Notification).where(stuck, safe_to_repeat,
                                   Notification.attempts < current_app.config["NOTIFY_MAX_ATTEMPTS"])
        .values(state=DeliveryState.retry, next_attempt_at=now, last_error=SENT_AGAIN)
        .execution_options(synchronize_session=False)).rowcount
    unknown = db.session.execute(
        update(Notification).where(stuck).values(state=DeliveryState.unknown, last_error=UNKNOWN_OUTCOME)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if unknown:
        logger.error("%s deliveries have an unknown outcome (a worker stopped while sending them)", unknown)
    return {"resent": resent, "unknown": unknown}
