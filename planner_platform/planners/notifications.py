"""Notification event types about appointments (聘任)."""
from flask_babel import lazy_gettext as _l

from planner_platform.core.urls import public_path
from planner_platform.notifications.registry import EventType, register, register_category

register_category("appointments", _l("Appointments and terms"))


def _assignment_link(payload: dict) -> str:
    return public_path("assignments.detail", assignment_id=payload["assignment_id"])


APPOINTED = register(EventType("planners.appointed", "appointments", "planners/appointed", link=_assignment_link))
RENEWED = register(EventType("planners.renewed", "appointments", "planners/renewed", link=_assignment_link))
SUSPENDED = register(EventType("planners.suspended", "appointments", "planners/suspended", link=_assignment_link))
REINSTATED = register(EventType("planners.reinstated", "appointments", "planners/reinstated",
                                link=_assignment_link))
TERMINATED = register(EventType("planners.terminated", "appointments", "planners/terminated",
                                link=_assignment_link))
TERM_ENDING = register(EventType("planners.term_ending", "appointments", "planners/term_ending",
                                 link=_assignment_link))
