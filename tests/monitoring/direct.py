"""The indicators computed straight from the base tables, in Python, record by record: the reference the summary
tables must equal. Written from the definitions in monitoring.indicators, sharing no code with monitoring.refresh
(the working days come from core.calendar.add_working_days, on-site time from activities.queries.onsite_summary,
coverage from planners.queries.coverage: the platform's own definitions)."""
from datetime import date

from sqlalchemy import select

from planner_platform.activities.models import Activity, ActivityState
from planner_platform.activities.queries import onsite_summary
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.calendar import add_working_days, local_today, local_zone
from planner_platform.extensions import db
from planner_platform.monitoring.indicators import Totals
from planner_platform.monitoring.models import ATTENDANCE_COLUMNS, RESPONSE_DAYS_CAP
from planner_platform.monitoring.periods import Period
from planner_platform.planners.models import Assignment, AssignmentState, PlannerProfile
from planner_platform.planners.queries import coverage
from planner_platform.projects.models import Milestone, Project, ProjectEvent, ProjectFunding, ReviewOpinion, Spending
from planner_platform.proposals.models import Proposal, ProposalEvent, ProposalState

DECISIONS = {"not_accepted", "adopted", "merged", "referred", "declined"}


def _day(moment) -> date:
    return moment.astimezone(local_zone()).date()


def _in(day: date, period: Period) -> bool:
    return period.first <= day < period.end


def _working_days_between(start: date, end: date) -> int:
    n = 0
    while add_working_days(start, n + 1) <= end:
        n += 1
    return n


def direct_totals(place: Place, period: Period, accept_days: dict[int, int]) -> Totals:
    """accept_days: district id → working days to accept (the test's policy profiles)."""
    today = local_today()
    t = Totals(today=today)
    s = t.sums
    communities = {c.id: c for c in db.session.scalars(select(Place).where(
        Place.level == PlaceLevel.community, Place.path.startswith(place.path)))}
    proposals = db.session.scalars(select(Proposal).where(Proposal.community_id.in_(communities))).all()
    events = db.session.scalars(select(ProposalEvent).where(ProposalEvent.proposal_id.in_([p.id for p in proposals]))
                                .order_by(ProposalEvent.id)).all()
    by_proposal: dict[int, list] = {}
    categories = {p.id: p.category for p in proposals}
    for event in events:
        by_proposal.setdefault(event.proposal_id, []).append(event)
        if not _in(_day(event.occurred_at), period):
            continue
        if event.to_state is ProposalState.accepted:
            s["accepted"] += 1
        if event.to_state.value in DECISIONS:
            s["decided"] += 1
            s["adopted"] += event.to_state is ProposalState.adopted
            counts = t.categories.setdefault(categories[event.proposal_id], [0, 0, 0])
            counts[1] += 1
            counts[2] += event.to_state is ProposalState.adopted
            s["resolved"] += event.to_state in (ProposalState.adopted, ProposalState.referred)
    for p in proposals:
        if p.submitted_at is None:
            continue
        if _in(_day(p.submitted_at), period):
            s["received"] += 1
            t.categories.setdefault(p.category, [0, 0, 0])[0] += 1
        if p.satisfaction is not None and p.closed_at and _in(_day(p.closed_at), period):
            s["rated"] += 1
            s["satisfied"] += p.satisfaction >= 4
        if p.state.is_open and p.due_on and p.due_on < today:
            s["overdue"] += 1
        if p.state is ProposalState.submitted and p.due_on and p.due_on < today and _in(p.due_on, period):
            s["unanswered_past_due"] += 1
        first_step = next((e for e in by_proposal.get(p.id, []) if e.from_state is ProposalState.submitted), None)
        if first_step is None or first_step.to_state is ProposalState.withdrawn:
            continue
        received_on, answered_on = _day(p.submitted_at), _day(p.first_response_at)
        district_id = int(communities[p.community_id].path.split("/")[2])
        deadline = add_working_days(received_on, accept_days[district_id])
        if _in(deadline, period):
            s["responded_in_time" if answered_on <= deadline else "responded_late"] += 1
        if _in(answered_on, period):
            t.response_days[min(_working_days_between(received_on, answered_on), RESPONSE_DAYS_CAP)] += 1
    for a in db.session.scalars(select(Activity).where(Activity.community_id.in_(communities))):
        if a.state in (ActivityState.closed, ActivityState.verified) and _in(_day(a.starts_at), period):
            s["activities_held"] += 1
            for column in ATTENDANCE_COLUMNS:
                s[column] += getattr(a, column)
            counts = t.types.setdefault(a.activity_type, [0, 0])
            counts[0] += 1
            counts[1] += a.attendance_total
    for opinion, began, _project in db.session.execute(
            select(ReviewOpinion, ProjectEvent.occurred_at, Project)
            .join(ProjectEvent, ProjectEvent.id == ReviewOpinion.review_event_id)
            .join(Project, Project.id == ReviewOpinion.project_id).where(Project.community_id.in_(communities))):
        if _in(_day(opinion.signed_at), period):
            s["reviews_signed"] += 1
            s["review_seconds"] += round((opinion.signed_at - began).total_seconds())
    for project in db.session.scalars(select(Project).where(Project.community_id.in_(communities))):
        counts = t.stages.setdefault(project.state, [0, 0])
        counts[0] += 1
        counts[1] += (project.stage_since - date(1970, 1, 1)).days
    projects = select(Project.id).where(Project.community_id.in_(communities))
    for funding in db.session.scalars(select(ProjectFunding).where(ProjectFunding.project_id.in_(projects))):
        s["approved_fen"] += funding.approved_fen
    for entry in db.session.scalars(select(Spending).where(Spending.project_id.in_(projects))):
        s["spent_to_date_fen"] += entry.amount_fen
        if _in(entry.spent_on, period):
            s["spent_fen"] += entry.amount_fen
    for milestone in db.session.scalars(select(Milestone).where(Milestone.project_id.in_(projects))):
        s["overdue_milestones"] += milestone.is_overdue(today)
    rows = coverage(place)
    s["communities"] = len(rows)
    s["has_lead"] = sum(1 for row in rows if row.lead is not None)
    s["pending_appointments"] = len(db.session.scalars(select(Assignment).where(
        Assignment.community_id.in_(communities), Assignment.state == AssignmentState.appointed)).all())
    if place.level in (PlaceLevel.city, PlaceLevel.district):
        users = [user_id for user_id, in db.session.execute(
            select(PlannerProfile.user_id).join(Place, Place.id == PlannerProfile.district_id)
            .where(Place.path.startswith(place.path), PlannerProfile.user_id.is_not(None)))]
        active = set()
        for month in period.months:
            for user_id, time in onsite_summary(users, month).items():
                s["onsite_days"] += time.days
                s["hours"] += time.hours
                if time.days or time.hours:
                    active.add(user_id)
        s["planners"] = len(active)
    return t

