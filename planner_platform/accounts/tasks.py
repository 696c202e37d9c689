"""Beat task of the accounts: forget spent login counters and verification codes."""
from celery import shared_task

from planner_platform.accounts import throttle, verification
from planner_platform.core.db import utcnow
from planner_platform.extensions import db


@shared_task(name="accounts.purge_counters")
def purge_counters_task() -> dict:
    """Daily: delete login throttles and verification codes that no longer count anything (idempotent)."""
    now = utcnow()
    counts = {"throttles": throttle.purge(now), "codes": verification.purge(now)}
    db.session.commit()
    return counts
