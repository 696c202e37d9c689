"""Beat tasks of the team monthly reports: the drafts on the 1st, the deadline reminders every morning."""
from celery import shared_task

from planner_platform.core.calendar import add_months, local_today
from planner_platform.extensions import db
from planner_platform.reports import services


@shared_task(name="reports.draft_team_reports")
def draft_team_reports_task() -> int:
    """On the 1st: last month's report drafted for every team and planner with a term (running twice drafts once)."""
    drafted = services.draft_month(add_months(local_today().replace(day=1), -1))
    db.session.commit()
    return drafted


@shared_task(name="reports.team_report_reminders")
def team_report_reminders_task() -> int:
    reminded = services.remind_due()
    db.session.commit()
    return reminded
