"""Who may see and act on proposals. Deny by default; staff act inside their jurisdiction, planners in the
communities they serve, residents on their own proposals. The rules of places and roles come from `access`."""
from planner_platform.access import Actor, handles, is_community_worker, is_office, may_moderate
from planner_platform.accounts.models import Role
from planner_platform.areas.models import Place
from planner_platform.proposals.models import DECISIONS, TRANSITIONS, Proposal, ProposalState


def is_author(actor: Actor, proposal: Proposal) -> bool:
    return actor.is_authenticated and proposal.author_id == actor.id


def can_view(actor: Actor, proposal: Proposal) -> bool:
    """Everything but drafts is public; a draft belongs to whoever wrote it. A proposal hidden by reports is seen
    by its author and the staff of its community until a moderator decides."""
    own = actor.is_authenticated and actor.id in (proposal.author_id, proposal.entered_by_id)
    if proposal.state is ProposalState.draft:
        return own
    if proposal.hidden_at is not None:
        return own or can_read_internal(actor, proposal)
    return True


def can_edit_draft(actor: Actor, proposal: Proposal) -> bool:
    return proposal.state is ProposalState.draft and can_view(actor, proposal)


def can_read_internal(actor: Actor, proposal: Proposal) -> bool:
    """Internal notes and the proposer's contact: the handlers and the community's workers."""
    return handles(actor, proposal.community) or is_community_worker(actor, proposal.community)


def can_decide(actor: Actor, proposal: Proposal) -> bool:
    return handles(actor, proposal.community)


def can_assign_or_merge(actor: Actor, proposal: Proposal) -> bool:
    return is_office(actor, proposal.community)


def can_withdraw(actor: Actor, proposal: Proposal) -> bool:
    return is_author(actor, proposal) and ProposalState.withdrawn in TRANSITIONS[proposal.state]


def can_rate(actor: Actor, proposal: Proposal) -> bool:
    return is_author(actor, proposal) and proposal.state in DECISIONS


def can_enter_offline(actor: Actor, community: Place) -> bool:
    return is_community_worker(actor, community) or handles(actor, community)


def can_take_part(actor: Actor) -> bool:
    """Support and comment: any logged-in resident (staff speak through replies and notes)."""
    return Role.resident in actor.roles


def can_moderate(actor: Actor, community: Place) -> bool:
    return may_moderate(actor, community)
