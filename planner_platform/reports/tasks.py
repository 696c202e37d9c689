"""Beat tasks of the team monthly reports: the drafts on the 1st, the deadline reminders every morning."""
from planner_platform.core.calendar import add_months, local_today
from planner_platform.extensions import db, shared_task
from planner_platform.reports import services


#: A failed drafting run (the database away) is tried again: it only adds the reports still missing.
RETRY = {"autoretry_for": (Exception,), "retry_backoff": 60, "retry_backoff_max": 1800, "max_retries": 5}


@shared_task(name="reports.draft_team_reports", **RETRY)
def draft_team_reports_task() -> int:
    """On the 1st: last month's report drafted for every team and planner with a term (running twice drafts once;
    a run that fails leaves nothing half-written, its transaction is rolled back, and is retried)."""
    drafted = services.draft_month(add_months(local_today().replace(day=1), -1))
    db.session.commit()
    return drafted


@shared_task(name="reports.team_report_reminders", **RETRY)
def team_report_reminders_task() -> int:
    reminded = services.remind_due()
    db.session.commit()
    return reminded
