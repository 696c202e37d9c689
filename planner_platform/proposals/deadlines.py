"""The daily deadline run: remind and escalate overdue proposals once per step, close unrated decided ones."""
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner_platform.accounts.models import Role
from planner_platform.core.calendar import local_today
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from planner_platform.notifications.outbox import emit
from planner_platform.planners.queries import serving_planner_accounts
from planner_platform.proposals import notifications as events
from planner_platform.proposals.models import DECISIONS, OPEN_STATES, Proposal, ProposalEvent, ProposalState
from planner_platform.proposals.services import rules_for

#: Titles listed in one reminder; the count says how many there are in all.
TITLES_PER_MESSAGE = 10


def _remind(recipients: dict, proposals: list[Proposal]) -> None:
    emit(events.OVERDUE.name, recipients=recipients, payload={
        "count": len(proposals), "titles": [p.title for p in proposals[:TITLES_PER_MESSAGE]]})


def flag_overdue() -> int:
    """Tell the responsible planners and the sub-district office about proposals past their step's deadline.

    Each proposal is reported once per step: `escalated_at` is cleared when a new step starts.
    """
    overdue = db.session.scalars(select(Proposal).where(
        Proposal.state.in_(OPEN_STATES), Proposal.due_on < local_today(), Proposal.escalated_at.is_(None))
        .options(joinedload(Proposal.community)).order_by(Proposal.due_on).with_for_update(of=Proposal)).all()
    by_planner, by_street = defaultdict(list), defaultdict(list)
    for proposal in overdue:
        responsible = [proposal.assignee_id] if proposal.assignee_id else [
            user.id for user in serving_planner_accounts(proposal.community_id)]
        for user_id in responsible:
            by_planner[user_id].append(proposal)
        by_street[proposal.community.parent_id].append(proposal)
        proposal.escalated_at = utcnow()
    for user_id, proposals in by_planner.items():
        _remind({"users": [user_id]}, proposals)
    for street_id, proposals in by_street.items():
        _remind({"roles": [Role.subdistrict_staff.value], "place_id": street_id, "scope": "covering"}, proposals)
    return len(overdue)


def auto_close() -> int:
    """Close decided proposals their authors did not rate within the district's number of days."""
    now = utcnow()
    candidates = db.session.scalars(select(Proposal).where(
        Proposal.state.in_(DECISIONS), Proposal.decided_at < now - timedelta(days=1))
        .options(joinedload(Proposal.community)).with_for_update(of=Proposal)).all()
    closed = 0
    for proposal in candidates:
        if proposal.decided_at > now - timedelta(days=rules_for(proposal.community)["auto_close_days"]):
            continue
        proposal.history.append(ProposalEvent(from_state=proposal.state, to_state=ProposalState.closed))
        proposal.state, proposal.closed_at = ProposalState.closed, now
        closed += 1
    db.session.flush()
    return closed
