"""Notification event types of the sub-district and district reports (the team reports register their own)."""
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
