"""Beat task of the monitoring: bring the summary tables up to date every minute."""
from celery import shared_task

from planner_platform.extensions import db
from planner_platform.monitoring.refresh import refresh_pending


@shared_task(name="monitoring.refresh")
def refresh_task() -> dict:
    """Every minute: recompute the communities and planner months marked dirty (idempotent)."""
    counts = refresh_pending()
    db.session.commit()
    return counts
