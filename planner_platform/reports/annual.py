"""The annual evaluation sheet (年度考核) input: for every team and planner holding a term in a district during a
year, the year's figures over the community-months they served, from the same summary rows and indicators as the
dashboards, and how their monthly reports went. The district's evaluation itself comes later; this is its input."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.calendar import add_months, local_zone
from planner_platform.extensions import db
from planner_platform.monitoring import queries
from planner_platform.monitoring.indicators import Totals
from planner_platform.monitoring.periods import Period, period_of
from planner_platform.planners.models import Assignment, PlannerProfile, TeamMember
from planner_platform.reports.figures import HELD_STATES, INDICATOR_BY_KEY
from planner_platform.reports.models import ReportState, TeamReport, TeamReportEvent

#: The indicators of the sheet, in its column order: counts and rates that add up over community-months.
SHEET_INDICATORS = ("received", "accepted", "decided", "adopted", "response_rate", "median_response_days",
                    "satisfaction_rate", "activities_held", "participants", "reviews_signed", "budget_spent")


@dataclass
class HolderYear:
    """One row of the sheet."""
    name: str
    kind: str  # "team" or "planner"
    communities: set = field(default_factory=set)
    totals: Totals = field(default_factory=Totals)
    onsite_days: int = 0
    onsite_hours: float = 0.0
    reports_on_time: int = 0
    reports_accepted: int = 0

    def value(self, key: str):
        return INDICATOR_BY_KEY[key].value(self.totals)


def _served_months(term: Assignment, year: Period) -> list[date]:
    """The first days of the months of `year` in which the term was held for at least a day."""
    months, month = [], max(year.first, term.start_on.replace(day=1))
    while month <= year.last and month < term.occupied_until:
        months.append(month)
        month = add_months(month, 1)
    return months


def sheet(district: Place, year_number: int) -> list[HolderYear]:
    """The rows of the district's sheet for the year, teams first, then planners, by name."""
    year = period_of("year", date(year_number, 1, 1))
    communities = db.session.scalars(select(Place).where(Place.level == PlaceLevel.community,
                                                         Place.path.startswith(district.path))).all()
    by_month = {month: queries.totals_by_unit(district, communities, Period("month", month, month),
                                              per_community=True) for month in year.months}
    terms = db.session.scalars(select(Assignment).where(
        Assignment.community_id.in_([c.id for c in communities]), Assignment.state.in_(HELD_STATES),
        Assignment.start_on < year.end, Assignment.occupied_until > year.first)).all()
    rows: dict[tuple, HolderYear] = {}
    served = defaultdict(set)  # holder → {(community, month)}, so two terms of one holder never count twice
    for term in terms:
        key = ("team", term.team_id) if term.team_id else ("planner", term.planner_id)
        if key not in rows:
            rows[key] = HolderYear(term.holder_name, key[0])
        rows[key].communities.add(term.community_id)
        served[key] |= {(term.community_id, month) for month in _served_months(term, year)}
    for key, cells in served.items():
        for community_id, month in cells:
            rows[key].totals.add(by_month[month][community_id])
    _add_onsite(rows, year)
    _add_reports(rows, year)
    return sorted(rows.values(), key=lambda row: (row.kind != "team", row.name))


def _add_onsite(rows: dict, year: Period) -> None:
    """On-site time of the year: a team's is its members', a planner's their own."""
    members = db.session.execute(select(TeamMember.team_id, PlannerProfile.user_id).join(
        PlannerProfile, PlannerProfile.id == TeamMember.planner_id).where(
        TeamMember.team_id.in_([ident for kind, ident in rows if kind == "team"]))).all()
    solo = db.session.execute(select(PlannerProfile.id, PlannerProfile.user_id).where(
        PlannerProfile.id.in_([ident for kind, ident in rows if kind == "planner"]))).all()
    users = {("team", team_id): [] for kind, team_id in rows if kind == "team"}
    for team_id, user_id in members:
        users[("team", team_id)].append(user_id)
    users.update({("planner", planner_id): [user_id] for planner_id, user_id in solo})
    months = queries.planner_months({u for ids in users.values() for u in ids if u}, year)
    for key, user_ids in users.items():
        rows[key].onsite_days = sum(months.get(u, (0, 0.0))[0] for u in user_ids)
        rows[key].onsite_hours = round(sum(months.get(u, (0, 0.0))[1] for u in user_ids), 1)


def _add_reports(rows: dict, year: Period) -> None:
    """Monthly reports of the year: accepted, and first submitted by their deadline."""
    first_submitted = (select(TeamReportEvent.report_id, func.min(TeamReportEvent.occurred_at).label("at"))
                       .where(TeamReportEvent.to_state == ReportState.submitted)
                       .group_by(TeamReportEvent.report_id).subquery())
    reports = db.session.execute(
        select(TeamReport.team_id, TeamReport.planner_id, TeamReport.state, TeamReport.due_on, first_submitted.c.at)
        .outerjoin(first_submitted, first_submitted.c.report_id == TeamReport.id)
        .where(TeamReport.month >= year.first, TeamReport.month <= year.last)).all()
    for team_id, planner_id, state, due_on, submitted_at in reports:
        row = rows.get(("team", team_id) if team_id else ("planner", planner_id))
        if row is None:
            continue
        row.reports_accepted += state is ReportState.accepted
        row.reports_on_time += submitted_at is not None and submitted_at.astimezone(local_zone()).date() <= due_on

