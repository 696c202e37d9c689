"""Celery tasks of the notification pipeline. Every task is safe to run twice (ids and JSON only)."""
import logging

from planner_platform.core import outbox
from planner_platform.core.outbox import EventKind
from planner_platform.extensions import db, shared_task
from planner_platform.notifications import delivery, digests, fanout
from planner_platform.notifications.models import EmailFrequency

logger = logging.getLogger(__name__)
#: Deliveries handed to one task: one SMTP connection serves them all.
BATCH_SIZE = 200


def dispatch_deliveries(notification_ids: list[int]) -> None:
    """Queue email/SMS deliveries in batches; if the broker is down the sweep finds them later.

    Call it with no transaction open: an eager (in-process) task runs in an app context of its own, and on
    SQLite it would wait for this one's write lock.
    """
    for start in range(0, len(notification_ids), BATCH_SIZE):
        try:
            deliver.apply_async((notification_ids[start:start + BATCH_SIZE],), ignore_result=True)
        except Exception as error:  # broker trouble: the rows stay pending and the sweep re-dispatches them
            logger.warning("Could not queue deliveries: %s", error)
            return


@shared_task(name=outbox.PROCESS_TASK, acks_late=True, reject_on_worker_lost=True)
def process_event(event_id: int) -> None:
    """Turn an event into delivery rows and queue them; idempotent per event.

    A direct message (a reset link, an invitation) becomes one delivery row like any other: it is claimed,
    committed and only then sent, with the same retries, maximum attempts and operations page.
    """
    event = fanout.claim_unprocessed(event_id)
    if event is None:
        db.session.rollback()
        return
    added = fanout.fan_out(event) if event.kind is EventKind.notify else fanout.add_direct_message(event)
    fanout.mark_processed(event)
    db.session.commit()
    logger.info("Event %s (%s) fanned out to %s deliveries", event_id, event.event_type, added)
    pending = fanout.pending_delivery_ids(event_id)
    db.session.commit()
    dispatch_deliveries(pending)


@shared_task(name="notifications.deliver", acks_late=True, reject_on_worker_lost=True)
def deliver(notification_ids: list[int]) -> dict:
    return delivery.deliver(notification_ids)


@shared_task(name="notifications.relay_outbox")
def relay_outbox() -> int:
    """Beat: publish every due outbox event (new, failed to publish, or lost by the broker)."""
    return outbox.relay_outbox()


@shared_task(name="notifications.sweep")
def sweep() -> dict:
    """Beat: recover deliveries a dead worker left sending, re-queue those whose task was lost or retry is due."""
    stuck = delivery.recover_stuck_sendings()
    due = delivery.due_delivery_ids()
    db.session.commit()
    dispatch_deliveries(due)
    return {**stuck, "redispatched": len(due)}


@shared_task(name="notifications.daily_digests")
def daily_digests() -> int:
    return digests.send_digests(EmailFrequency.daily)


@shared_task(name="notifications.weekly_digests")
def weekly_digests() -> int:
    return digests.send_digests(EmailFrequency.weekly)

