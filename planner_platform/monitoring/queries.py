"""The dashboard's reads: summary rows summed per unit (a place's child units, or the community itself) over a
period. Eleven statements whatever the number of units; no base table is read."""
import functools

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.calendar import local_today
from planner_platform.extensions import db
from planner_platform.monitoring.indicators import Totals
from planner_platform.monitoring.models import (ActivityTypeMonth, CategoryMonth, CommunityBudget, CommunityCoverage,
                                                CommunityMonth, MilestoneDue, OpenDue, PlannerMonth, ProjectStage,
                                                ResponseDays)
from planner_platform.monitoring.periods import Period
from planner_platform.monitoring.refresh import MONTH_COLUMNS
from planner_platform.planners.models import PlannerProfile


def units_of(place: Place) -> list[Place]:
    """The units a place's dashboard compares: its children, or the community itself."""
    if place.level is PlaceLevel.community:
        return [place]
    return db.session.scalars(select(Place).where(Place.parent_id == place.id).order_by(Place.code)).all()


#: How far below the city each level lies: a community's ancestors are found by following parent_id that far.
_DEPTH = {PlaceLevel.city: 0, PlaceLevel.district: 1, PlaceLevel.subdistrict: 2, PlaceLevel.community: 3}


#: The aliases _by_unit joins, made once: a new alias per statement costs more to adapt than the statement to run.
_COMMUNITY = aliased(Place, name="unit_community")
_ANCESTORS = (aliased(Place, name="unit_parent"), aliased(Place, name="unit_grandparent"))


def _by_unit(place: Place, model, *columns, keys=(), where=(), per_community=False):
    """SELECT unit id, keys, columns FROM model WHERE … GROUP BY unit id, keys: each row's community put in its
    unit (a child of `place`, or the community itself; per_community: every community inside `place`).

    The unit is the community's ancestor just below `place`, reached by joining parent ids (indexed), not by
    matching paths, which no index serves in a join."""
    community = _COMMUNITY
    query = select().select_from(model).join(community, community.id == model.community_id)
    unit = community
    for parent in _ANCESTORS[:max(0, _DEPTH[PlaceLevel.community] - _DEPTH[place.level] - 1)]:
        query = query.join(parent, parent.id == unit.parent_id)
        unit = parent
    inside = community.id == place.id if place.level is PlaceLevel.community else unit.parent_id == place.id
    unit_id = community.id if per_community else unit.id
    return query.add_columns(unit_id, *keys, *columns).where(inside, *where).group_by(unit_id, *keys)


def totals_by_unit(place: Place, units: list[Place], period: Period, per_community=False) -> dict[int, Totals]:
    """The Totals of every unit of `place` over `period` (per_community: `units` are the communities inside it)."""
    by = functools.partial(_by_unit, place, per_community=per_community)
    today = local_today()
    result = {unit.id: Totals(today=today) for unit in units}
    in_period = lambda column: and_(column >= period.first, column <= period.last)  # noqa: E731

    rows = db.session.execute(
        by(CommunityMonth, *[func.sum(getattr(CommunityMonth, n)) for n in MONTH_COLUMNS],
                 where=[in_period(CommunityMonth.month)])).all()
    for unit_id, *values in rows:
        result[unit_id].sums.update({name: int(value or 0) for name, value in zip(MONTH_COLUMNS, values)})

    for unit_id, days, proposals in db.session.execute(
            by(ResponseDays, func.sum(ResponseDays.proposals), keys=[ResponseDays.working_days],
                     where=[in_period(ResponseDays.month)])):
        result[unit_id].response_days[days] += int(proposals)

    for unit_id, activity_type, activities, participants in db.session.execute(
            by(ActivityTypeMonth, func.sum(ActivityTypeMonth.activities),
                     func.sum(ActivityTypeMonth.participants), keys=[ActivityTypeMonth.activity_type],
                     where=[in_period(ActivityTypeMonth.month)])):
        result[unit_id].types[activity_type] = [int(activities), int(participants or 0)]

    for unit_id, category, received, decided, adopted in db.session.execute(
            by(CategoryMonth, func.sum(CategoryMonth.received), func.sum(CategoryMonth.decided),
               func.sum(CategoryMonth.adopted), keys=[CategoryMonth.category],
               where=[in_period(CategoryMonth.month)])):
        result[unit_id].categories[category] = [int(received or 0), int(decided or 0), int(adopted or 0)]

    past_due = OpenDue.due_on < today
    for unit_id, overdue, unanswered, open_count in db.session.execute(by(
            OpenDue, func.sum(case((past_due, OpenDue.proposals), else_=0)),
            func.sum(case((and_(past_due, OpenDue.step == "accept", OpenDue.due_on >= period.first,
                                OpenDue.due_on < period.end), OpenDue.proposals), else_=0)),
            func.sum(OpenDue.proposals))):
        result[unit_id].sums.update({"overdue": int(overdue or 0), "unanswered_past_due": int(unanswered or 0),
                                     "open": int(open_count or 0)})

    for unit_id, stage, projects, since in db.session.execute(
            by(ProjectStage, func.sum(ProjectStage.projects), func.sum(ProjectStage.since_day_sum),
                     keys=[ProjectStage.stage])):
        result[unit_id].stages[stage] = [int(projects), int(since)]

    for unit_id, communities, leads, assistants, pending in db.session.execute(
            by(CommunityCoverage, func.count(), func.sum(CommunityCoverage.has_lead),
                     func.sum(CommunityCoverage.assistants), func.sum(CommunityCoverage.pending_appointments))):
        result[unit_id].sums.update({"communities": int(communities), "has_lead": int(leads or 0),
                                     "assistants": int(assistants or 0), "pending_appointments": int(pending or 0)})

    for unit_id, approved, spent in db.session.execute(
            by(CommunityBudget, func.sum(CommunityBudget.approved_fen),
                     func.sum(CommunityBudget.spent_fen))):
        result[unit_id].sums.update({"approved_fen": int(approved or 0), "spent_to_date_fen": int(spent or 0)})

    for unit_id, overdue in db.session.execute(
            by(MilestoneDue, func.sum(MilestoneDue.milestones), where=[MilestoneDue.due_on < today])):
        result[unit_id].sums["overdue_milestones"] = int(overdue or 0)

    return result


def dashboard_totals(place: Place, period: Period) -> tuple[list[Place], Totals, dict[int, Totals]]:
    """The place's units, its own Totals and its units': the place's is the sum of its units' (every community lies in
    exactly one unit), except planners' time, kept per district (a district's is not split between its
    sub-districts, and none is shown below a district)."""
    units = units_of(place)
    by_unit = totals_by_unit(place, units, period)
    total = Totals(today=local_today())
    for totals in by_unit.values():
        total.add(totals)
    if place.level in (PlaceLevel.city, PlaceLevel.district):
        district = aliased(Place)
        query = (select(district.id, func.count(func.distinct(PlannerMonth.user_id)),
                        func.sum(PlannerMonth.onsite_days), func.sum(PlannerMonth.hours))
                 .join(PlannerProfile, PlannerProfile.user_id == PlannerMonth.user_id)
                 .join(district, district.id == PlannerProfile.district_id)
                 .where(district.path.startswith(place.path), PlannerMonth.month >= period.first,
                        PlannerMonth.month <= period.last).group_by(district.id))
        for district_id, planners, days, hours in db.session.execute(query):
            time = {"planners": int(planners), "onsite_days": int(days or 0), "hours": float(hours or 0)}
            total.sums.update(time)
            if district_id in by_unit:
                by_unit[district_id].sums.update(time)
    return units, total, by_unit


def planner_rows(place: Place, period: Period) -> list[tuple[int, int, float]]:
    """(user id, on-site days, hours) of the planners on the rosters of the districts in `place`, most days first."""
    if place.level not in (PlaceLevel.city, PlaceLevel.district):
        return []
    district = aliased(Place)
    return db.session.execute(
        select(PlannerMonth.user_id, func.sum(PlannerMonth.onsite_days), func.sum(PlannerMonth.hours))
        .join(PlannerProfile, PlannerProfile.user_id == PlannerMonth.user_id)
        .join(district, district.id == PlannerProfile.district_id)
        .where(district.path.startswith(place.path), PlannerMonth.month >= period.first,
               PlannerMonth.month <= period.last)
        .group_by(PlannerMonth.user_id).order_by(func.sum(PlannerMonth.onsite_days).desc())).all()



def community_totals(place: Place, period: Period) -> dict[int, Totals]:
    """{community id: Totals} of every community inside `place` over `period`: the per-community rows the map
    reads, for a caller that sums some of them (a team's communities in a sub-district)."""
    communities = db.session.scalars(select(Place).where(Place.level == PlaceLevel.community,
                                                         Place.path.startswith(place.path))).all()
    return totals_by_unit(place, communities, period, per_community=True)


def planner_months(user_ids, period: Period) -> dict[int, tuple[int, float]]:
    """{user id: (on-site days, hours)} of these planners over `period` (stats_planner_month)."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(PlannerMonth.user_id, func.sum(PlannerMonth.onsite_days), func.sum(PlannerMonth.hours))
        .where(PlannerMonth.user_id.in_(list(user_ids)), PlannerMonth.month >= period.first,
               PlannerMonth.month <= period.last).group_by(PlannerMonth.user_id)).all()
    return {user_id: (int(days or 0), float(hours or 0)) for user_id, days, hours in rows}


def monthly_sums(place: Place, first, last, *columns: str) -> dict:
    """{month: {column: sum}} of stats_community_month over the communities inside `place`, months first…last
    (first days of months): one statement, for the dashboard's trend chart. Summed per unit by _by_unit's joins
    (a district's communities are found through their parents' index, not by a scan of every community's months)
    and the units' rows added up here."""
    rows = db.session.execute(_by_unit(place, CommunityMonth, *[func.sum(getattr(CommunityMonth, name))
                                                                for name in columns],
                                       keys=[CommunityMonth.month],
                                       where=[CommunityMonth.month >= first, CommunityMonth.month <= last]))
    sums: dict = {}
    for _unit_id, month, *values in rows:
        month_sums = sums.setdefault(month, dict.fromkeys(columns, 0))
        for name, value in zip(columns, values):
            month_sums[name] += int(value or 0)
    return sums
