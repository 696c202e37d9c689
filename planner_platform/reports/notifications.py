"""Notification event types about reports: the team monthly reports' steps, and the sub-district and district
reports being ready."""
from flask_babel import lazy_gettext as _l

from planner_platform.core.urls import public_path
from planner_platform.notifications.registry import EventType, register, register_category

register_category("reports", _l("Monthly reports"))


def _reports_link(payload: dict) -> str:
    return public_path("place_reports.listing", place_id=payload["place_id"], month=payload["month"])


#: To the staff over the place (sub-district and district staff) whose "reports" category is on: a scheduled
#: monthly report is ready, with its PDF and XLSX on the place's reports page.
PLACE_REPORT_READY = register(EventType("reports.place_report_ready", "reports", "reports/place_report_ready",
                                        link=_reports_link))


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
