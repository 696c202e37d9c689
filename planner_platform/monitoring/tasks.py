"""Tasks of the monitoring: the summary tables' refresh, and the exports built in the background."""
from planner_platform.extensions import db, shared_task
from planner_platform.monitoring import background
from planner_platform.monitoring.refresh import refresh_pending


@shared_task(name="monitoring.refresh")
def refresh_task() -> dict:
    """Every minute: recompute the communities and planner months marked dirty (idempotent)."""
    counts = refresh_pending()
    db.session.commit()
    return counts


@shared_task(name=background.BUILD_TASK)
def build_export_task(job_id: int) -> None:
    """Write the file of one export job (a second delivery of the message does nothing)."""
    background.build(job_id)


@shared_task(name="monitoring.sweep_exports")
def sweep_exports_task() -> dict:
    """Every five minutes: expired files deleted, stopped jobs failed, lost ones sent again."""
    return background.sweep()
