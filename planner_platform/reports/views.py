"""The team monthly reports: the list of those the actor may read, and one report's page where the team writes and
submits it and the street office accepts or returns it."""
from datetime import date

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from planner_platform.access import current_actor
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core import query_args, tabular
from planner_platform.core.calendar import local_today
from planner_platform.core.forms import act, posted_version
from planner_platform.core.permissions import require
from planner_platform.core.refusals import back_to
from planner_platform.extensions import db
from planner_platform.monitoring.indicators import INDICATORS
from planner_platform.monitoring.periods import period_of
from planner_platform.monitoring.services import record_export
from planner_platform.reports import annual, exports
from planner_platform.reports import permissions as can
from planner_platform.reports import services
from planner_platform.reports.figures import SECTION_INDICATORS
from planner_platform.reports.forms import DecisionForm, RefreshForm, ReportTextForm
from planner_platform.reports.models import EDITABLE, SECTIONS, ReportState, TeamReport
from planner_platform.reports.panels import in_place
from planner_platform.projects.models import Stage

bp = Blueprint("reports", __name__, url_prefix="/reports")
#: Reports on one page of the list, newest month first.
LISTED = 200


@bp.get("/")
@login_required
def index():
    """The team reports the actor may read, by month and state."""
    require(can.may_list(current_actor))
    month = query_args.month("month")
    state = query_args.choice("state", ReportState.__members__)
    overdue = query_args.flag("overdue")
    place_id = query_args.row_id("place")
    place = db.get_or_404(Place, place_id) if place_id else None
    where = [can.visible_condition(current_actor)]
    if month:
        where.append(TeamReport.month == month)
    if state:
        where.append(TeamReport.state == ReportState[state])
    if overdue:
        where += [TeamReport.state.in_(EDITABLE), TeamReport.due_on < local_today()]
    if place is not None:
        where.append(in_place(place))
    total = db.session.scalar(select(func.count()).select_from(TeamReport).where(*where))
    reports = db.session.scalars(select(TeamReport).where(*where).options(
        joinedload(TeamReport.team), joinedload(TeamReport.planner), joinedload(TeamReport.subdistrict))
        .order_by(TeamReport.month.desc(), TeamReport.subdistrict_id, TeamReport.id).limit(LISTED)).all()
    return render_template("reports/index.html", reports=reports, total=total, listed=LISTED, month=month,
                           state=state, states=ReportState, today=local_today(), editable=EDITABLE, place=place,
                           overdue=overdue, districts=_evaluated_districts())


def _report_or_404(report_id: int) -> TeamReport:
    report = db.get_or_404(TeamReport, report_id)
    require(can.can_read(current_actor, report))
    return report


@bp.get("/<int:report_id>")
@login_required
def detail(report_id: int):
    report = _report_or_404(report_id)
    if request.endpoint == "reports.save":  # a refused save answered with this page: keep what was typed
        text_form = ReportTextForm()
    else:
        text_form = ReportTextForm(formdata=None, obj=report,
                                   **{f"note_{section}": report.notes.get(section, "") for section in SECTIONS})
    text_form.version.data = report.version  # the buttons act on the version shown now
    return render_template(
        "reports/detail.html", report=report, sections=SECTIONS, section_indicators=SECTION_INDICATORS,
        indicators={i.key: i for i in INDICATORS}, stages={stage.value: stage for stage in Stage},
        can_edit=can.can_edit(current_actor, report), can_decide=can.can_decide(current_actor, report),
        text_form=text_form, refresh_form=RefreshForm(formdata=None, version=report.version),
        decision_form=DecisionForm(formdata=None, version=report.version), today=local_today())


@bp.post("/<int:report_id>/text")
@login_required
def save(report_id: int):
    """Save the team's text; with the submit button, hand the report to the street office too."""
    report = _report_or_404(report_id)
    form = ReportTextForm()

    def save_and_maybe_submit():
        version = posted_version(form)
        services.save_text(current_user, report, version, plan=form.plan.data or "",
                           escalations=form.escalations.data or "", notes=form.notes())
        if form.submit_report.data:
            services.submit(current_user, report, report.version)

    act(form, save_and_maybe_submit, _("The report is submitted to the street office.") if form.submit_report.data
        else _("The report is saved."))
    return back_to("reports.detail", report_id=report.id)


@bp.post("/<int:report_id>/figures")
@login_required
def refresh(report_id: int):
    """Read the figures again from the record."""
    report = _report_or_404(report_id)
    form = RefreshForm()
    act(form, lambda: services.refresh_figures(current_user, report, posted_version(form)),
        _("The figures are read again from the record."))
    return back_to("reports.detail", report_id=report.id)


@bp.post("/<int:report_id>/decision")
@login_required
def decide(report_id: int):
    """The street office accepts the report or returns it with a comment."""
    report = _report_or_404(report_id)
    form = DecisionForm()
    accept = bool(form.accept.data)
    act(form, lambda: services.decide(current_user, report, posted_version(form), accept, form.comment.data or ""),
        _("The report is accepted.") if accept else _("The report is returned to the team."))
    return back_to("reports.detail", report_id=report.id)


def _evaluated_districts() -> list[Place]:
    """The districts whose sheet the actor may take: those they monitor, or every district of a city they do."""
    found = {}
    for place in can.monitored_places(current_actor):
        if place.level is PlaceLevel.district:
            found[place.id] = place
        elif place.level is PlaceLevel.city:
            found.update({d.id: d for d in db.session.scalars(select(Place).where(
                Place.level == PlaceLevel.district, Place.path.startswith(place.path)))})
    return sorted(found.values(), key=lambda place: place.code)


def _annual(district_id: int):
    district = db.get_or_404(Place, district_id)
    if district.level is not PlaceLevel.district:
        abort(404)
    require(can.can_monitor(current_actor, district))
    year = query_args.number("year", local_today().year, 2000, 2100)
    return district, year, annual.sheet(district, year)


@bp.get("/annual/<int:district_id>")
@login_required
def annual_sheet(district_id: int):
    """The year's figures per team and planner of a district: the input of its annual evaluation."""
    district, year, rows = _annual(district_id)
    return render_template("reports/annual.html", district=district, year=year, rows=rows,
                           indicators=[annual.INDICATOR_BY_KEY[key] for key in annual.SHEET_INDICATORS],
                           districts=_evaluated_districts())


@bp.get("/annual/<int:district_id>/sheet.<any(csv, xlsx):kind>")
@login_required
def annual_export(district_id: int, kind: str):
    district, year, rows = _annual(district_id)
    record_export(current_user, district, "annual", kind, period_of("year", date(year, 1, 1)), len(rows))
    db.session.commit()
    return tabular.download(kind, exports.annual_rows(rows), f"annual-{district.code}-{year}",
                            _("Annual evaluation %(year)s", year=year))
