"""Tasks of the sub-district and district reports: the monthly run (beat, every morning), one report's build
(retried with a backoff when it fails), and the sweep."""
from planner_platform.extensions import shared_task
from planner_platform.reports import place_reports


@shared_task(name="reports.generate_monthly")
def generate_monthly_task() -> dict:
    """Daily at 06:00 (Asia/Shanghai): the previous month's reports of the places whose report day has come."""
    return place_reports.generate_monthly()


@shared_task(name=place_reports.BUILD_TASK, autoretry_for=(place_reports.BuildFailed,), retry_backoff=60,
             retry_backoff_max=1800, retry_jitter=True, max_retries=place_reports.MAX_ATTEMPTS - 1,
             acks_late=True, reject_on_worker_lost=True)
def build_place_report_task(report_id: int) -> None:
    """Write one report's PDF and XLSX (a second delivery of the message does nothing)."""
    place_reports.build(report_id)


@shared_task(name="reports.sweep_place_reports")
def sweep_place_reports_task() -> dict:
    """Every five minutes: expired on-demand files deleted, stopped builds failed, lost ones sent again."""
    return place_reports.sweep()
