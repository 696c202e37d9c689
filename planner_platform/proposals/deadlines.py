"""The daily deadline run: remind and escalate overdue proposals once per step, close unrated decided ones."""
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner_platform.accounts.models import Role
from planner_platform.areas.models import Place
from planner_platform.core.calendar import local_today
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from planner_platform.core.outbox import emit
from planner_platform.planners.queries import serving_planner_accounts
from planner_platform.proposals import notifications as events
from planner_platform.proposals.models import DECISIONS, Proposal, ProposalState
from planner_platform.proposals.services import enter_state, rules_for

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
        Proposal.overdue_on(local_today()), Proposal.escalated_at.is_(None))
        .options(joinedload(Proposal.community)).order_by(Proposal.due_on).with_for_update(of=Proposal)).all()
    by_planner, by_street = defaultdict(list), defaultdict(list)
    planners_of = {community_id: [user.id for user in serving_planner_accounts(community_id)]
                   for community_id in {p.community_id for p in overdue if not p.assignee_id}}
    for proposal in overdue:
        responsible = [proposal.assignee_id] if proposal.assignee_id else planners_of[proposal.community_id]
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
        .options(joinedload(Proposal.community).joinedload(Place.parent)).with_for_update(of=Proposal)).all()
    closed, days_of = 0, {}
    for proposal in candidates:
        district_id = proposal.community.parent.parent_id
        if district_id not in days_of:
            days_of[district_id] = rules_for(proposal.community)["auto_close_days"]
        if proposal.decided_at > now - timedelta(days=days_of[district_id]):
            continue
        enter_state(proposal, ProposalState.closed, None)
        closed += 1
    db.session.flush()
    return closed
