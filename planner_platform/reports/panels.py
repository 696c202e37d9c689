"""The team reports' panel on the monitoring dashboard: reports past their deadline and reports waiting for the
street office, in the place, each number linked to its list."""
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.calendar import local_today
from planner_platform.extensions import db
from planner_platform.monitoring.panels import Figure, Panel, register_panel
from planner_platform.monitoring.periods import Period
from planner_platform.reports.models import EDITABLE, ReportState, TeamReport


def in_place(place: Place):
    """The condition on TeamReport: its sub-district lies inside `place`."""
    return TeamReport.subdistrict_id.in_(select(Place.id).where(Place.path.startswith(place.path)))


@register_panel
def team_reports_panel(place: Place, period: Period) -> Panel | None:
    if place.level is PlaceLevel.community:
        return None
    late, waiting = db.session.execute(select(
        func.count(case(((TeamReport.state.in_(EDITABLE)) & (TeamReport.due_on < local_today()), 1))),
        func.count(case((TeamReport.state == ReportState.submitted, 1)))).where(in_place(place))).one()
    return Panel(_("Team monthly reports"), [
        Figure(_("Overdue reports"), late, url_for("reports.index", place=place.id, overdue=1), alarming=True),
        Figure(_("Waiting for the street office"), waiting,
               url_for("reports.index", place=place.id, state=ReportState.submitted.name))])
