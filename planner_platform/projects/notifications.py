"""Notification event types about renewal projects."""
from flask_babel import lazy_gettext as _l

from planner_platform.core.urls import public_path
from planner_platform.notifications.registry import EventType, register, register_category

register_category("projects", _l("Renewal projects"))


def _project_link(payload: dict) -> str:
    return public_path("projects.detail", project_id=payload["project_id"])


#: To the authors and supporters of the origin proposals, the lead planner and the office: the stage changed.
STAGE_CHANGED = register(EventType("projects.stage_changed", "projects", "projects/stage_changed",
                                   link=_project_link))
#: To the lead planner and the office: a review opinion was signed.
OPINION_SIGNED = register(EventType("projects.opinion_signed", "projects", "projects/opinion_signed",
                                    link=_project_link))
#: To a milestone's owner and the lead planner, once, when it passes its due date undone.
MILESTONE_OVERDUE = register(EventType("projects.milestone_overdue", "projects", "projects/milestone_overdue",
                                       link=_project_link))
#: To the lead planner and the office, once, when the post-evaluation falls due.
EVALUATION_DUE = register(EventType("projects.evaluation_due", "projects", "projects/evaluation_due",
                                    link=_project_link))
