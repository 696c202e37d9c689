"""The figures of a team's monthly report, read from the monitoring's summaries over the communities the holder
served in the sub-district that month: the indicator module's values, never a count of our own. The stage changes
of the projects are the only list read from a base table (they are events, not figures)."""
from sqlalchemy import and_, select

from planner_platform.areas.models import Place
from planner_platform.extensions import db
from planner_platform.monitoring import queries
from planner_platform.core.calendar import local_today
from planner_platform.monitoring.indicators import INDICATORS, Totals
from planner_platform.monitoring.periods import Period
from planner_platform.planners.models import Assignment, AssignmentState, PlannerProfile, TeamMember
from planner_platform.projects.models import Project, ProjectEvent

#: The indicators each section of the report shows, by key (monitoring.indicators).
SECTION_INDICATORS = {
    "onsite": (),
    "activities": ("activities_held", "participants"),
    "proposals": ("received", "accepted", "decided", "adopted", "overdue", "response_rate", "median_response_days",
                  "satisfaction_rate"),
    "projects": ("projects", "reviews_signed", "overdue_milestones", "budget_spent"),
}
INDICATOR_BY_KEY = {indicator.key: indicator for indicator in INDICATORS}
#: Terms that were held at some point (an appointment that never began served nobody).
HELD_STATES = (AssignmentState.active, AssignmentState.suspended, AssignmentState.renewed, AssignmentState.expired,
               AssignmentState.terminated)


def month_period(month) -> Period:
    return Period("month", month, month)


def terms_in_month(month):
    """The condition on Assignment: a term held during some of the month."""
    period = month_period(month)
    return and_(Assignment.state.in_(HELD_STATES), Assignment.start_on < period.end,
                Assignment.occupied_until > period.first)


def served_communities(team_id: int | None, planner_id: int | None, subdistrict: Place, month) -> list[Place]:
    holder = Assignment.team_id == team_id if team_id else Assignment.planner_id == planner_id
    held = select(Assignment.community_id).where(holder, terms_in_month(month))
    return db.session.scalars(select(Place).where(Place.id.in_(held), Place.parent_id == subdistrict.id)
                              .order_by(Place.code)).all()


def members_of(team_id: int | None, planner_id: int | None) -> list[PlannerProfile]:
    """The planners whose time the report counts: the team's members (its lead included), or the planner."""
    if team_id:
        return db.session.scalars(select(PlannerProfile).join(TeamMember, TeamMember.planner_id == PlannerProfile.id)
                                  .where(TeamMember.team_id == team_id).order_by(PlannerProfile.name)).all()
    return [db.session.get(PlannerProfile, planner_id)]


def compute(team_id: int | None, planner_id: int | None, subdistrict: Place, month,
            by_community: dict[int, Totals] | None = None) -> dict:
    """The report's figures, as JSON-ready data (kept on the report as they were read). `by_community`: the
    sub-district's queries.community_totals for the month, when the caller has read them already."""
    period = month_period(month)
    communities = served_communities(team_id, planner_id, subdistrict, month)
    if by_community is None:
        by_community = queries.community_totals(subdistrict, period)
    totals = Totals(today=local_today())
    for community in communities:
        totals.add(by_community[community.id])
    members = members_of(team_id, planner_id)
    months = queries.planner_months([m.user_id for m in members if m.user_id], period)
    onsite = [{"name": m.name, "days": months.get(m.user_id, (0, 0.0))[0],
               "hours": round(months.get(m.user_id, (0, 0.0))[1], 1)} for m in members]
    start, end = period.bounds()
    changes = db.session.execute(
        select(Project.id, Project.title, ProjectEvent.from_state, ProjectEvent.to_state, ProjectEvent.occurred_at)
        .join(ProjectEvent, ProjectEvent.project_id == Project.id)
        .where(Project.community_id.in_([c.id for c in communities]), ProjectEvent.occurred_at >= start,
               ProjectEvent.occurred_at < end)
        .order_by(ProjectEvent.occurred_at, ProjectEvent.id)).all() if communities else []
    return {
        "communities": [c.name for c in communities],
        "indicators": {key: INDICATOR_BY_KEY[key].value(totals)
                       for keys in SECTION_INDICATORS.values() for key in keys},
        "activity_types": sorted(([name, *values] for name, values in totals.types.items()), key=lambda r: -r[1]),
        "onsite": onsite,
        "onsite_total": {"days": sum(row["days"] for row in onsite),
                         "hours": round(sum(row["hours"] for row in onsite), 1)},
        "stage_changes": [{"project_id": pid, "project": title, "from": old.value if old else None, "to": new.value,
                           "on": at.isoformat()} for pid, title, old, new, at in changes],
    }
