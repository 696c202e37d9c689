"""The buttons a planner or the office sees on a proposal: the next steps of the lifecycle, in order."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from planner_platform.proposals import permissions as can
from planner_platform.proposals.models import REPLY_REQUIRED, TRANSITIONS, ProposalState

BUTTON_LABELS = {
    ProposalState.accepted: _l("Accept"),
    ProposalState.not_accepted: _l("Do not accept"),
    ProposalState.assessing: _l("Start the assessment"),
    ProposalState.consulting: _l("Open a public consultation"),
    ProposalState.adopted: _l("Adopt"),
    ProposalState.referred: _l("Refer to a department"),
    ProposalState.declined: _l("Decline"),
}


@dataclass(frozen=True)
class Step:
    state: ProposalState
    label: str
    needs_reply: bool


def steps_for(user, proposal) -> list[Step]:
    if not can.can_decide(user, proposal):
        return []
    return [Step(state, BUTTON_LABELS[state], state in REPLY_REQUIRED) for state in BUTTON_LABELS
            if state in TRANSITIONS[proposal.state]]
