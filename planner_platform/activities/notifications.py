"""Notification event types about participation activities."""
from flask_babel import lazy_gettext as _l

from planner_platform.core.urls import public_path
from planner_platform.notifications.registry import EventType, register, register_category

register_category("activities", _l("Participation activities"))


def _activity_link(payload: dict) -> str:
    return public_path("activities.detail", activity_id=payload["activity_id"])


#: To the registered residents, the day before: where and when.
REMINDER = register(EventType("activities.reminder", "activities", "activities/reminder", link=_activity_link))
#: To the organiser, 3 and 7 days after the end while no closing record exists.
CLOSE_DUE = register(EventType("activities.close_due", "activities", "activities/close_due", link=_activity_link))
#: To the sub-district office: a closing record waits for verification.
CLOSED = register(EventType("activities.closed", "activities", "activities/closed", link=_activity_link))
#: To the organiser: the office verified the record, or returned it with a comment.
VERIFIED = register(EventType("activities.verified", "activities", "activities/verified", link=_activity_link))
RETURNED = register(EventType("activities.returned", "activities", "activities/returned", link=_activity_link))
