"""Notification event types about proposals."""
from flask_babel import lazy_gettext as _l

from planner_platform.core.urls import public_path
from planner_platform.notifications.models import Channel
from planner_platform.notifications.registry import EventType, register, register_category

register_category("proposals", _l("Proposals"))


def _proposal_link(payload: dict) -> str:
    return public_path("proposals.detail", proposal_id=payload["proposal_id"])


def _workspace_link(payload: dict) -> str:
    return public_path("workspace.index", overdue=1)


#: To the planners and office of the community: a proposal arrived.
RECEIVED = register(EventType("proposals.received", "proposals", "proposals/received", link=_proposal_link))
#: To the author (and, for a merge, the supporters): the proposal moved on, with the public reply; by text message
#: too for those who ask for it and consented to text-message notices (notifications.delivery checks at sending).
UPDATED = register(EventType("proposals.updated", "proposals", "proposals/updated", link=_proposal_link,
                             channels=frozenset({Channel.in_app, Channel.email, Channel.sms})))
ASSIGNED = register(EventType("proposals.assigned", "proposals", "proposals/assigned", link=_proposal_link))
#: Daily: the responsible planner is reminded and the sub-district office told, once per step.
OVERDUE = register(EventType("proposals.overdue", "proposals", "proposals/overdue", link=_workspace_link))
#: To the supporters of a duplicate: the proposal they supported goes on as another one.
SUPPORTED_MERGED = register(EventType("proposals.supported_merged", "proposals", "proposals/supported_merged",
                                      link=lambda payload: public_path("proposals.detail",
                                                                       proposal_id=payload["target_id"])))
#: To the sub-district office: residents' reports hid a comment or a proposal until a moderator looks at it.
HIDDEN_BY_REPORTS = register(EventType("proposals.hidden_by_reports", "proposals", "proposals/hidden_by_reports",
                                       link=lambda payload: public_path("workspace.moderation")))
