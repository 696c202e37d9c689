"""The records behind a dashboard number (drill-through): the same rule as the indicator, read from the base tables,
each record with the planner responsible for it."""
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select, true
from sqlalchemy.orm import joinedload

from planner_platform.access import serving_today
from planner_platform.activities.models import HELD, Activity
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.calendar import local_today
from planner_platform.extensions import db
from planner_platform.monitoring.models import ResponseFact
from planner_platform.monitoring.periods import Period
from planner_platform.monitoring.refresh import RESOLVING
from planner_platform.planners.models import Assignment, AssignmentRole, AssignmentState, Team
from planner_platform.planners.queries import LEADING_STATES
from planner_platform.projects.models import (Milestone, Project, ProjectEvent, ProjectFunding, ReviewOpinion, Spending,
                                              Stage)
from planner_platform.proposals.models import DECISIONS, Proposal, ProposalEvent, ProposalState

#: Rows on one list page; the heading says how many there are in all.
PAGE_ROWS = 200

TITLES = {
    "received": _l("Proposals received"), "accepted": _l("Proposals accepted"),
    "decided": _l("Proposals decided"), "adopted": _l("Proposals adopted"),
    "resolved": _l("Proposals resolved (adopted or referred)"), "rated": _l("Proposals rated by their authors"),
    "overdue": _l("Proposals overdue now"),
    "response_due": _l("Proposals whose acceptance deadline fell in the period"),
    "answered": _l("Proposals first answered in the period"), "activities": _l("Activities held"),
    "coverage": _l("Communities and their lead planners"), "without_lead": _l("Communities without a lead planner"),
    "pending_appointments": _l("Appointments not begun"), "reviews": _l("Review opinions signed"),
    "projects": _l("Projects"), "planners": _l("Planners' on-site time"),
    "overdue_milestones": _l("Milestones overdue now"), "fundings": _l("Funding sources of the projects"),
    "spending": _l("Spending entries in the period"),
}
PROPOSAL_KINDS = ("received", "accepted", "decided", "adopted", "resolved", "rated", "overdue", "response_due",
                  "answered")
COMMUNITY_KINDS = ("coverage", "without_lead")


def _inside(column, place: Place):
    return column.in_(select(Place.id).where(Place.path.startswith(place.path)))


def _stepped(states, start, end):
    return exists(select(ProposalEvent.id).where(ProposalEvent.proposal_id == Proposal.id,
                                                 ProposalEvent.to_state.in_(states),
                                                 ProposalEvent.occurred_at >= start, ProposalEvent.occurred_at < end))


def proposal_condition(kind: str, period: Period):
    """The indicator's rule as a condition on Proposal (monitoring.indicators states it in words)."""
    start, end = period.bounds()
    today = local_today()
    return {
        "received": lambda: (Proposal.submitted_at >= start) & (Proposal.submitted_at < end),
        "accepted": lambda: _stepped([ProposalState.accepted], start, end),
        "decided": lambda: _stepped(DECISIONS, start, end),
        "adopted": lambda: _stepped([ProposalState.adopted], start, end),
        "resolved": lambda: _stepped(RESOLVING, start, end),
        "rated": lambda: Proposal.satisfaction.is_not(None) & (Proposal.closed_at >= start)
        & (Proposal.closed_at < end),
        "overdue": lambda: Proposal.overdue_on(today),
        "response_due": lambda: or_(
            Proposal.id.in_(select(ResponseFact.proposal_id).where(ResponseFact.deadline_on >= period.first,
                                                                   ResponseFact.deadline_on < period.end)),
            (Proposal.state == ProposalState.submitted) & (Proposal.due_on >= period.first)
            & (Proposal.due_on < period.end) & (Proposal.due_on < today)),
        "answered": lambda: Proposal.id.in_(select(ResponseFact.proposal_id).where(
            ResponseFact.responded_on >= period.first, ResponseFact.responded_on < period.end)),
    }[kind]()


@dataclass
class Listing:
    kind: str
    total: int
    rows: list
    #: community id → the name of its lead planner (or team) serving today
    leads: dict
    #: The day the list was read: "overdue" and days late count from it, once for every row.
    today: date = field(default_factory=local_today)

    def days_overdue(self, proposal) -> int | None:
        """Days past the current step's deadline, for a proposal still waiting (None if it is not late)."""
        return (self.today - proposal.due_on).days if proposal.is_overdue(self.today) else None


def lead_names(community_ids) -> dict[int, str]:
    """The lead planner (or team) serving each community today, by name: one query."""
    if not community_ids:
        return {}
    terms = db.session.scalars(select(Assignment).options(
        joinedload(Assignment.planner), joinedload(Assignment.team).joinedload(Team.lead)).where(
        Assignment.community_id.in_(community_ids), Assignment.role == AssignmentRole.lead,
        Assignment.state.in_(LEADING_STATES), serving_today())).all()
    return {term.community_id: term.planner.name if term.planner else term.team.name for term in terms}


def listing(kind: str, place: Place, period: Period, activity_type: str = "", stage: Stage | None = None,
            category: str = "", limit: int | None = PAGE_ROWS) -> Listing:
    """The records behind the number `kind` of `place` over `period`: their count and the first `limit` (None: all).
    The list's own filters: an activity type (activities), a stage (projects), a category (proposals)."""
    start, end = period.bounds()

    def _page(query, count_query) -> tuple[int, list]:
        return db.session.scalar(count_query), db.session.scalars(query.limit(limit)).unique().all()

    if kind in PROPOSAL_KINDS:
        where = [_inside(Proposal.community_id, place), proposal_condition(kind, period)]
        if category:
            where.append(Proposal.category == category)
        # Overdue: the longest waiting first, as the staff who chase them read the list.
        order = ((Proposal.due_on, Proposal.id) if kind == "overdue"
                 else (Proposal.submitted_at.desc(), Proposal.id.desc()))
        in_place = joinedload(Proposal.community).joinedload(Place.parent).joinedload(Place.parent)
        total, rows = _page(select(Proposal).where(*where).options(in_place, joinedload(Proposal.assignee))
                            .order_by(*order),
                            select(func.count()).select_from(Proposal).where(*where))
        return Listing(kind, total, rows, lead_names({p.community_id for p in rows}))
    if kind == "activities":
        where = [_inside(Activity.community_id, place), Activity.state.in_(HELD), Activity.starts_at >= start,
                 Activity.starts_at < end]
        if activity_type:
            where.append(Activity.activity_type == activity_type)
        total, rows = _page(select(Activity).where(*where).options(joinedload(Activity.community),
                                                                    joinedload(Activity.organiser))
                            .order_by(Activity.starts_at.desc()), select(func.count()).select_from(Activity)
                            .where(*where))
        return Listing(kind, total, rows, lead_names({a.community_id for a in rows}))
    if kind in COMMUNITY_KINDS:
        where = [Place.level == PlaceLevel.community, Place.path.startswith(place.path)]
        if kind == "without_lead":
            where.append(~exists(select(Assignment.id).where(
                Assignment.community_id == Place.id, Assignment.role == AssignmentRole.lead,
                Assignment.state.in_(LEADING_STATES), serving_today())))
        total, rows = _page(select(Place).where(*where).options(joinedload(Place.parent)).order_by(Place.path),
                            select(func.count()).select_from(Place).where(*where))
        return Listing(kind, total, rows, lead_names({c.id for c in rows}))
    if kind == "pending_appointments":
        where = (_inside(Assignment.community_id, place), Assignment.state == AssignmentState.appointed)
        total, rows = _page(select(Assignment).where(*where).options(
            joinedload(Assignment.community), joinedload(Assignment.planner), joinedload(Assignment.team))
            .order_by(Assignment.start_on), select(func.count()).select_from(Assignment).where(*where))
        return Listing(kind, total, rows, {})
    if kind == "reviews":
        where = (_inside(Project.community_id, place), ReviewOpinion.signed_at >= start, ReviewOpinion.signed_at < end)
        query = (select(ReviewOpinion, Project, ProjectEvent.occurred_at)
                 .join(Project, Project.id == ReviewOpinion.project_id)
                 .join(ProjectEvent, ProjectEvent.id == ReviewOpinion.review_event_id).where(*where)
                 .options(joinedload(ReviewOpinion.signer)).order_by(ReviewOpinion.signed_at.desc()))
        total = db.session.scalar(select(func.count()).select_from(ReviewOpinion)
                                  .join(Project, Project.id == ReviewOpinion.project_id).where(*where))
        return Listing(kind, total, db.session.execute(query.limit(limit)).all(), {})
    if kind == "projects":
        where = [_inside(Project.community_id, place)]
        if stage is not None:
            where.append(Project.state == stage)
        total, rows = _page(select(Project).where(*where).options(joinedload(Project.community),
                                                                   joinedload(Project.lead_planner))
                            .order_by(Project.stage_since), select(func.count()).select_from(Project).where(*where))
        return Listing(kind, total, rows, {})
    if kind in PROJECT_RECORDS:
        model, condition, order, loads = PROJECT_RECORDS[kind]
        where = (_inside(Project.community_id, place), condition(period))
        joined = lambda query: query.join(Project, Project.id == model.project_id).where(*where)  # noqa: E731
        total = db.session.scalar(joined(select(func.count()).select_from(model)))
        rows = db.session.execute(joined(select(model, Project)).options(
            joinedload(Project.community), joinedload(Project.lead_planner), *[joinedload(a) for a in loads])
            .order_by(*order).limit(limit)).all()
        return Listing(kind, total, rows, {})
    raise KeyError(kind)


#: The lists of a project's records: (model, condition over the period, order, relationships to load); rows are
#: (record, project).
PROJECT_RECORDS = {
    "overdue_milestones": (Milestone, lambda period: Milestone.overdue_on(local_today()),
                           (Milestone.due_on, Milestone.id), (Milestone.owner,)),
    "fundings": (ProjectFunding, lambda period: true(), (Project.id, ProjectFunding.source), ()),
    "spending": (Spending, lambda period: (Spending.spent_on >= period.first) & (Spending.spent_on < period.end),
                 (Spending.spent_on.desc(), Spending.id.desc()), ()),
}
