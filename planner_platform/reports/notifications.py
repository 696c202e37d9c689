"""Notification event types about reports."""
from flask_babel import lazy_gettext as _l

from planner_platform.core.urls import public_path
from planner_platform.notifications.registry import EventType, register, register_category

register_category("reports", _l("Reports"))


def _team_report_link(payload: dict) -> str:
    return public_path("reports.detail", report_id=payload["report_id"])


def _event(name: str) -> EventType:
    return register(EventType(f"reports.team_{name}", "reports", f"reports/team_{name}", link=_team_report_link))


#: To the street office: a team submitted (or resubmitted) its monthly report.
SUBMITTED = _event("submitted")
#: To the team: the office returned the report with a comment, or accepted it.
RETURNED = _event("returned")
ACCEPTED = _event("accepted")
#: To the team lead (or the planner): the report is due soon or overdue.
DUE = _event("due")
