"""Keeping the summary tables right: set-based recomputation of whole communities (and planner months).

A community's rows are recomputed as a unit: DELETE its rows, then one INSERT … SELECT … GROUP BY per table over
its base records. Recomputing a few hundred records of a community is cheap, and it is always right, whatever
changed (a moved record, a deleted one, a state that went back). `refresh_pending` does it for the communities
marked dirty (monitoring.marks) and runs every minute (beat: monitoring.refresh); `rebuild` does it for all.
"""
import logging
from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import case, delete, exists, func, insert, literal_column, select, true, tuple_, union_all

from planner_platform.access import serving_today
from planner_platform.activities.models import HELD, Activity, ActivityState, WorkLog
from planner_platform.activities.queries import onsite_summary
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.calendar import WorkingDays, local_today, local_zone
from planner_platform.core.db import insert_for
from planner_platform.extensions import db
from planner_platform.monitoring.models import (ATTENDANCE_COLUMNS, RESPONSE_DAYS_CAP, ActivityTypeMonth,
                                                CategoryMonth, CommunityBudget, CommunityCoverage, CommunityMonth,
                                                DirtyCommunity, DirtyPlannerMonth, MilestoneDue, OpenDue, PlannerMonth,
                                                ProjectStage, ResponseDays, ResponseFact, StatsState)
from planner_platform.monitoring.periods import epoch_days, local_month, month_of_day, seconds_between
from planner_platform.planners.models import Assignment, AssignmentRole, AssignmentState, PlannerProfile, PolicyProfile
from planner_platform.planners.queries import LEADING_STATES
from planner_platform.planners.services import proposal_rules
from planner_platform.projects.models import Milestone, Project, ProjectEvent, ProjectFunding, ReviewOpinion, Spending
from planner_platform.proposals.models import DECISIONS, OPEN_STATES, Proposal, ProposalEvent, ProposalState

logger = logging.getLogger(__name__)

MONTH_COLUMNS = ("received", "accepted", "decided", "adopted", "resolved", "rated", "satisfied",
                 "responded_in_time", "responded_late", "activities_held", *ATTENDANCE_COLUMNS, "reviews_signed",
                 "review_seconds", "spent_fen")
#: Decisions that take the need up (the resolution rate's numerator).
RESOLVING = (ProposalState.adopted, ProposalState.referred)
#: Communities recomputed per refresh run; more wait for the next minute.
REFRESH_BATCH = 500
#: Rows per IN list (SQLite allows 32766 parameters, PostgreSQL 65535: far below either).
_CHUNK = 500
_ONE, _ZERO = literal_column("1"), literal_column("0")
_COVERAGE_DAY = "coverage_day"
_LOCK = "refresh_lock"


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _within(column, ids):
    return true() if ids is None else column.in_(ids)


def _chunks(ids):
    if ids is None:
        yield None
        return
    ids = sorted(ids)
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


def _accept_days_by_district(district_ids) -> dict[int, int]:
    profiles = {p.district_id: p for p in db.session.scalars(select(PolicyProfile).where(
        PolicyProfile.district_id.in_(district_ids)))}
    default = proposal_rules(PolicyProfile(proposal_rules={}, response_deadlines={}))["accept"]
    return {d: proposal_rules(profiles[d])["accept"] if d in profiles else default for d in district_ids}


def _response_facts(ids) -> None:
    """One fact per answered proposal: deadline = the acceptance deadline its district's profile gives (working
    days after the local day of receipt, as at submission); answered = the first step out of "submitted" that was
    not the author's withdrawal."""
    db.session.execute(delete(ResponseFact).where(_within(ResponseFact.community_id, ids)))
    withdrawn_unanswered = exists(select(ProposalEvent.id).where(
        ProposalEvent.proposal_id == Proposal.id, ProposalEvent.from_state == ProposalState.submitted,
        ProposalEvent.to_state == ProposalState.withdrawn))
    rows = db.session.execute(select(Proposal.id, Proposal.community_id, Place.path, Proposal.submitted_at,
                                     Proposal.first_response_at)
                              .join(Place, Place.id == Proposal.community_id)
                              .where(_within(Proposal.community_id, ids), Proposal.submitted_at.is_not(None),
                                     Proposal.first_response_at.is_not(None), ~withdrawn_unanswered)).all()
    if not rows:
        return
    zone = local_zone()
    days = [(row, row.submitted_at.astimezone(zone).date(), row.first_response_at.astimezone(zone).date())
            for row in rows]
    accept_days = _accept_days_by_district({int(row.path.split("/")[2]) for row in rows})
    calendar = WorkingDays(min(d for _r, d, _a in days),
                           max(a for _r, _d, a in days) + timedelta(days=max(accept_days.values()) * 3 + 30))
    facts = []
    for row, received_on, answered_on in days:
        deadline = calendar.add(received_on, accept_days[int(row.path.split("/")[2])])
        facts.append({"proposal_id": row.id, "community_id": row.community_id, "deadline_on": deadline,
                      "responded_on": answered_on, "working_days": calendar.between(received_on, answered_on)})
    db.session.execute(insert(ResponseFact), facts)


# --- the community tables ----------------------------------------------------------------------------------

def _part(community_id, month, **values):
    return select(community_id.label("community_id"), month.label("month"),
                  *[values.get(name, _ZERO).label(name) for name in MONTH_COLUMNS])


def _month_rows(ids):
    dialect = _dialect()
    flag = lambda condition: case((condition, 1), else_=0)  # noqa: E731
    parts = [
        _part(Proposal.community_id, local_month(Proposal.submitted_at, dialect), received=_ONE)
        .where(Proposal.submitted_at.is_not(None), _within(Proposal.community_id, ids)),
        _part(Proposal.community_id, local_month(ProposalEvent.occurred_at, dialect), accepted=_ONE)
        .join(Proposal, Proposal.id == ProposalEvent.proposal_id)
        .where(ProposalEvent.to_state == ProposalState.accepted, _within(Proposal.community_id, ids)),
        _part(Proposal.community_id, local_month(ProposalEvent.occurred_at, dialect), decided=_ONE,
              adopted=flag(ProposalEvent.to_state == ProposalState.adopted),
              resolved=flag(ProposalEvent.to_state.in_(RESOLVING)))
        .join(Proposal, Proposal.id == ProposalEvent.proposal_id)
        .where(ProposalEvent.to_state.in_(DECISIONS), _within(Proposal.community_id, ids)),
        _part(Proposal.community_id, local_month(Proposal.closed_at, dialect), rated=_ONE,
              satisfied=flag(Proposal.satisfaction >= 4))
        .where(Proposal.satisfaction.is_not(None), Proposal.closed_at.is_not(None),
               _within(Proposal.community_id, ids)),
        _part(ResponseFact.community_id, month_of_day(ResponseFact.deadline_on, dialect),
              responded_in_time=flag(ResponseFact.responded_on <= ResponseFact.deadline_on),
              responded_late=flag(ResponseFact.responded_on > ResponseFact.deadline_on))
        .where(_within(ResponseFact.community_id, ids)),
        _part(Activity.community_id, local_month(Activity.starts_at, dialect), activities_held=_ONE,
              **{name: getattr(Activity, name) for name in ATTENDANCE_COLUMNS})
        .where(Activity.state.in_(HELD), _within(Activity.community_id, ids)),
        _part(Project.community_id, local_month(ReviewOpinion.signed_at, dialect), reviews_signed=_ONE,
              review_seconds=seconds_between(ReviewOpinion.signed_at, ProjectEvent.occurred_at, dialect))
        .join(Project, Project.id == ReviewOpinion.project_id)
        .join(ProjectEvent, ProjectEvent.id == ReviewOpinion.review_event_id)
        .where(_within(Project.community_id, ids)),
        _part(Project.community_id, month_of_day(Spending.spent_on, dialect), spent_fen=Spending.amount_fen)
        .join(Project, Project.id == Spending.project_id).where(_within(Project.community_id, ids)),
    ]
    rows = union_all(*parts).subquery()
    return insert(CommunityMonth).from_select(
        ["community_id", "month", *MONTH_COLUMNS],
        select(rows.c.community_id, rows.c.month, *[func.sum(rows.c[name]) for name in MONTH_COLUMNS])
        .group_by(rows.c.community_id, rows.c.month))


def _participants():
    return sum((getattr(Activity, name) for name in ATTENDANCE_COLUMNS[1:]), getattr(Activity, ATTENDANCE_COLUMNS[0]))


def _type_rows(ids):
    month = local_month(Activity.starts_at, _dialect())
    return insert(ActivityTypeMonth).from_select(
        ["community_id", "month", "activity_type", "activities", "participants"],
        select(Activity.community_id, month, Activity.activity_type, func.count(), func.sum(_participants()))
        .where(Activity.state.in_(HELD), _within(Activity.community_id, ids))
        .group_by(Activity.community_id, month, Activity.activity_type))


def _category_rows(ids):
    """Received by the local month of submission, decided and adopted by that of the decision (as _month_rows)."""
    dialect = _dialect()
    columns = ("received", "decided", "adopted")
    parts = [
        select(Proposal.community_id.label("community_id"), local_month(Proposal.submitted_at, dialect).label("month"),
               Proposal.category.label("category"), _ONE.label("received"), _ZERO.label("decided"),
               _ZERO.label("adopted"))
        .where(Proposal.submitted_at.is_not(None), _within(Proposal.community_id, ids)),
        select(Proposal.community_id, local_month(ProposalEvent.occurred_at, dialect), Proposal.category, _ZERO, _ONE,
               case((ProposalEvent.to_state == ProposalState.adopted, 1), else_=0))
        .join(Proposal, Proposal.id == ProposalEvent.proposal_id)
        .where(ProposalEvent.to_state.in_(DECISIONS), _within(Proposal.community_id, ids)),
    ]
    rows = union_all(*parts).subquery()
    return insert(CategoryMonth).from_select(
        ["community_id", "month", "category", *columns],
        select(rows.c.community_id, rows.c.month, rows.c.category, *[func.sum(rows.c[name]) for name in columns])
        .group_by(rows.c.community_id, rows.c.month, rows.c.category))


def _response_day_rows(ids):
    month = month_of_day(ResponseFact.responded_on, _dialect())
    days = case((ResponseFact.working_days >= RESPONSE_DAYS_CAP, RESPONSE_DAYS_CAP), else_=ResponseFact.working_days)
    return insert(ResponseDays).from_select(
        ["community_id", "month", "working_days", "proposals"],
        select(ResponseFact.community_id, month, days, func.count())
        .where(_within(ResponseFact.community_id, ids)).group_by(ResponseFact.community_id, month, days))


def _open_due_rows(ids):
    step = case((Proposal.state == ProposalState.submitted, "accept"), else_="reply")
    return insert(OpenDue).from_select(
        ["community_id", "due_on", "step", "proposals"],
        select(Proposal.community_id, Proposal.due_on, step, func.count())
        .where(Proposal.state.in_(OPEN_STATES), Proposal.due_on.is_not(None), _within(Proposal.community_id, ids))
        .group_by(Proposal.community_id, Proposal.due_on, step))


def _stage_rows(ids):
    return insert(ProjectStage).from_select(
        ["community_id", "stage", "projects", "since_day_sum"],
        select(Project.community_id, Project.state, func.count(),
               func.sum(epoch_days(Project.stage_since, _dialect())))
        .where(_within(Project.community_id, ids)).group_by(Project.community_id, Project.state))


def _budget_rows(ids):
    return insert(CommunityBudget).from_select(
        ["community_id", "approved_fen", "spent_fen"],
        select(Project.community_id, func.sum(ProjectFunding.approved_fen), func.sum(ProjectFunding.spent_fen))
        .join(Project, Project.id == ProjectFunding.project_id)
        .where(_within(Project.community_id, ids)).group_by(Project.community_id))


def _milestone_rows(ids):
    return insert(MilestoneDue).from_select(
        ["community_id", "due_on", "milestones"],
        select(Project.community_id, Milestone.due_on, func.count()).join(Project, Project.id == Milestone.project_id)
        .where(Milestone.done_on.is_(None), _within(Project.community_id, ids))
        .group_by(Project.community_id, Milestone.due_on))


def _coverage_rows(ids):
    def terms(*conditions):
        return (select(func.count(Assignment.id)).where(Assignment.community_id == Place.id, *conditions)
                .correlate(Place).scalar_subquery())

    return insert(CommunityCoverage).from_select(
        ["community_id", "has_lead", "assistants", "pending_appointments"],
        select(Place.id,
               terms(Assignment.role == AssignmentRole.lead, Assignment.state.in_(LEADING_STATES), serving_today()),
               terms(Assignment.role == AssignmentRole.assistant, serving_today()),
               terms(Assignment.state == AssignmentState.appointed))
        .where(Place.level == PlaceLevel.community, _within(Place.id, ids)))


def recompute_coverage(ids) -> None:
    for chunk in _chunks(ids):
        db.session.execute(delete(CommunityCoverage).where(_within(CommunityCoverage.community_id, chunk)))
        db.session.execute(_coverage_rows(chunk))


def recompute_communities(ids) -> None:
    """Recompute every summary row of the communities `ids` (None: of all) from the base tables."""
    tables = ((CommunityMonth, _month_rows), (ActivityTypeMonth, _type_rows), (CategoryMonth, _category_rows),
              (ResponseDays, _response_day_rows),
              (OpenDue, _open_due_rows), (ProjectStage, _stage_rows), (CommunityBudget, _budget_rows),
              (MilestoneDue, _milestone_rows))
    for chunk in _chunks(ids):
        _response_facts(chunk)
        for model, rows in tables:
            db.session.execute(delete(model).where(_within(model.community_id, chunk)))
            db.session.execute(rows(chunk))
    recompute_coverage(ids)


# --- planners' on-site time ----------------------------------------------------------------------------------

def _all_planner_months() -> set[tuple[int, date]]:
    zone = local_zone()
    planners = select(PlannerProfile.user_id).where(PlannerProfile.user_id.is_not(None))
    pairs = {(user_id, day.replace(day=1)) for user_id, day in db.session.execute(
        select(WorkLog.author_id, WorkLog.work_date).where(WorkLog.author_id.in_(planners)).distinct())}
    pairs |= {(user_id, starts_at.astimezone(zone).date().replace(day=1)) for user_id, starts_at in
              db.session.execute(select(Activity.organiser_id, Activity.starts_at).where(
                  Activity.organiser_id.in_(planners), Activity.state == ActivityState.verified))}
    return pairs


def recompute_planner_months(pairs) -> None:
    """Recompute on-site time of the (planner, month) pairs (None: of all) with activities.queries.onsite_summary,
    the one definition of on-site days and hours."""
    if pairs is None:
        db.session.execute(delete(PlannerMonth))
        pairs = _all_planner_months()
    else:
        pairs = sorted(pairs)
        for start in range(0, len(pairs), _CHUNK):
            db.session.execute(delete(PlannerMonth).where(
                tuple_(PlannerMonth.user_id, PlannerMonth.month).in_(pairs[start:start + _CHUNK])))
    users_by_month = defaultdict(set)
    for user_id, month in pairs:
        users_by_month[month].add(user_id)
    planners = set(db.session.scalars(select(PlannerProfile.user_id).where(
        PlannerProfile.user_id.in_({user_id for user_id, _m in pairs})))) if pairs else set()
    rows = []
    for month, user_ids in sorted(users_by_month.items()):
        user_ids = sorted(user_id for user_id in user_ids if user_id in planners)
        if not user_ids:
            continue
        for user_id, time in onsite_summary(user_ids, month).items():
            if time.days or time.hours:
                rows.append({"user_id": user_id, "month": month, "onsite_days": time.days, "hours": time.hours})
    if rows:
        db.session.execute(insert(PlannerMonth), rows)


# --- the runs ---------------------------------------------------------------------------------------------

def _take_lock() -> bool:
    """One refresh or rebuild at a time: a row lock (PostgreSQL; SQLite's writers queue anyway). A run that
    finds it taken leaves the marks to the next minute."""
    db.session.execute(insert_for(db.session, StatsState).values(key=_LOCK, value="").on_conflict_do_nothing())
    return db.session.scalar(select(StatsState.key).where(StatsState.key == _LOCK)
                             .with_for_update(skip_locked=True)) is not None


def _set_state(key: str, value: str) -> None:
    state = db.session.get(StatsState, key)
    if state is None:
        db.session.add(StatsState(key=key, value=value))
    else:
        state.value = value


def refresh_pending(batch: int = REFRESH_BATCH) -> dict:
    """Recompute what the marks say is stale, and every coverage row once the local day has changed."""
    if not _take_lock():
        return {"skipped": 1}
    marks = db.session.execute(select(DirtyCommunity.community_id, DirtyCommunity.version)
                               .order_by(DirtyCommunity.community_id).limit(batch)).all()
    if marks:
        recompute_communities([community_id for community_id, _v in marks])
        db.session.execute(delete(DirtyCommunity).where(
            tuple_(DirtyCommunity.community_id, DirtyCommunity.version).in_([tuple(m) for m in marks])))
    today = local_today().isoformat()
    state = db.session.get(StatsState, _COVERAGE_DAY)
    new_day = state is None or state.value != today
    if new_day:
        recompute_coverage(None)
        _set_state(_COVERAGE_DAY, today)
    planner_marks = db.session.execute(select(DirtyPlannerMonth.user_id, DirtyPlannerMonth.month,
                                              DirtyPlannerMonth.version).limit(batch)).all()
    if planner_marks:
        recompute_planner_months({(user_id, month) for user_id, month, _v in planner_marks})
        db.session.execute(delete(DirtyPlannerMonth).where(
            tuple_(DirtyPlannerMonth.user_id, DirtyPlannerMonth.month, DirtyPlannerMonth.version)
            .in_([tuple(m) for m in planner_marks])))
    db.session.flush()
    return {"communities": len(marks), "planner_months": len(planner_marks), "coverage_day": int(new_day)}


def rebuild() -> None:
    """Recompute every summary row from scratch (flask stats rebuild)."""
    _take_lock()
    db.session.execute(delete(DirtyCommunity))
    db.session.execute(delete(DirtyPlannerMonth))
    for model in (CommunityMonth, ActivityTypeMonth, CategoryMonth, ResponseDays, OpenDue, ProjectStage,
                  CommunityBudget, MilestoneDue, CommunityCoverage):
        db.session.execute(delete(model))
    recompute_communities(None)
    recompute_planner_months(None)
    _set_state(_COVERAGE_DAY, local_today().isoformat())
    db.session.flush()
    logger.info("Monitoring summary tables rebuilt")


def pending_marks() -> int:
    return db.session.scalar(select(func.count()).select_from(DirtyCommunity)) + db.session.scalar(
        select(func.count()).select_from(DirtyPlannerMonth))

