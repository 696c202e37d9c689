"""Who may see and act on proposals. Deny by default; staff act inside their jurisdiction, planners in the
communities they serve, residents on their own proposals."""
from flask import g

from planner_platform.accounts.models import Role
from planner_platform.accounts.permissions import holds_role_over
from planner_platform.areas.models import Place
from planner_platform.planners.queries import served_community_ids
from planner_platform.proposals.models import DECISIONS, TRANSITIONS, Proposal, ProposalState

OFFICE_ROLES = (Role.subdistrict_staff, Role.district_staff, Role.admin)


def _authenticated(user) -> bool:
    return bool(user and user.is_authenticated)


def served_communities(user) -> set[int]:
    """Communities the user serves as a planner today, computed once per request (a page asks many times)."""
    cache = g.setdefault("_served_communities", {})
    if user.id not in cache:
        cache[user.id] = served_community_ids(user)
    return cache[user.id]


def is_office(user, community: Place) -> bool:
    """Sub-district, district staff or admin over the community."""
    return _authenticated(user) and any(holds_role_over(user, role, community) for role in OFFICE_ROLES)


def handles(user, community: Place) -> bool:
    """May work on the community's proposals: its serving planners and the office over it."""
    return _authenticated(user) and (community.id in served_communities(user) or is_office(user, community))


def is_community_worker(user, community: Place) -> bool:
    return holds_role_over(user, Role.community_worker, community)


def is_author(user, proposal: Proposal) -> bool:
    return _authenticated(user) and proposal.author_id == user.id


def can_view(user, proposal: Proposal) -> bool:
    """Everything but drafts is public; a draft belongs to whoever wrote it."""
    if proposal.state is not ProposalState.draft:
        return True
    return _authenticated(user) and user.id in (proposal.author_id, proposal.entered_by_id)


def can_edit_draft(user, proposal: Proposal) -> bool:
    return proposal.state is ProposalState.draft and can_view(user, proposal)


def can_read_internal(user, proposal: Proposal) -> bool:
    """Internal notes and the proposer's contact: the handlers and the community's workers."""
    return handles(user, proposal.community) or is_community_worker(user, proposal.community)


def can_decide(user, proposal: Proposal) -> bool:
    return handles(user, proposal.community)


def can_assign_or_merge(user, proposal: Proposal) -> bool:
    return is_office(user, proposal.community)


def can_withdraw(user, proposal: Proposal) -> bool:
    return is_author(user, proposal) and ProposalState.withdrawn in TRANSITIONS[proposal.state]


def can_rate(user, proposal: Proposal) -> bool:
    return is_author(user, proposal) and proposal.state in DECISIONS


def can_enter_offline(user, community: Place) -> bool:
    return is_community_worker(user, community) or handles(user, community)


def can_take_part(user) -> bool:
    """Support and comment: any logged-in resident (staff speak through replies and notes)."""
    return _authenticated(user) and Role.resident in user.roles


def can_moderate(user, community: Place) -> bool:
    return is_office(user, community)
