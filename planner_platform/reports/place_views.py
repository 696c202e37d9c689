"""The reports page of a sub-district or district: its monthly reports (PDF and XLSX) by month, the reports asked
for a custom period with their progress, and the downloads. Staff who monitor the place read its monthly reports;
a custom report is its requester's alone (someone else's is answered 404) until its link expires (then 410)."""
from datetime import date

from flask import Blueprint, abort, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import InputRequired, Regexp

from planner_platform.access import current_actor
from planner_platform.areas.models import Place
from planner_platform.core import query_args
from planner_platform.core.audit import record_audit
from planner_platform.core.db import utcnow
from planner_platform.core.forms import act
from planner_platform.core.permissions import require
from planner_platform.core.refusals import back_to
from planner_platform.extensions import db
from planner_platform.monitoring.periods import MAX_MONTHS, Period
from planner_platform.monitoring.permissions import can_monitor, monitored_places
from planner_platform.notifications.monitoring import register_operations_section
from planner_platform.reports import place_reports, place_services
from planner_platform.reports.place_models import FILE_KINDS, PlaceReport, PlaceReportState

bp = Blueprint("place_reports", __name__, url_prefix="/reports/places")
#: Monthly reports listed on a place's page (three years), and the requester's own custom ones.
LISTED_MONTHS, LISTED_OWN = 36, 20
MONTH = Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message=_l("Give a month as YYYY-MM."))


class CustomReportForm(FlaskForm):
    """A report over a run of whole months."""

    first = StringField(_l("First month"), [InputRequired(), MONTH], render_kw={"type": "month"})
    last = StringField(_l("Last month"), [InputRequired(), MONTH], render_kw={"type": "month"})

    def period(self) -> Period:
        first, last = (date(int(value[:4]), int(value[5:7]), 1) for value in (self.first.data, self.last.data))
        return Period("custom", first, last)

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        period = self.period()
        if period.last < period.first or len(period.months) > MAX_MONTHS:
            self.last.errors.append(_("The last month must not be before the first, at most ten years later."))
            return False
        return True


def _reported_place(place_id: int) -> Place:
    place = db.first_or_404(select(Place).where(Place.id == place_id))
    if place.level not in place_reports.REPORTED_LEVELS:
        abort(404)
    require(can_monitor(current_actor, place))
    return place


def _readable_report(report_id: int) -> PlaceReport:
    """A monthly report for staff over its place (403 otherwise); a custom one for its requester only (404)."""
    report = db.get_or_404(PlaceReport, report_id)
    if not report.scheduled and report.requested_by_id != current_user.id:
        abort(404)
    require(can_monitor(current_actor, report.place))
    return report


def _expired(report: PlaceReport) -> bool:
    return report.state is PlaceReportState.expired or (
        report.expires_at is not None and report.expires_at <= utcnow())


@bp.get("/")
@login_required
def index():
    """The reports of the widest sub-district or district the actor reads (a city observer: its first district)."""
    places = monitored_places(current_actor)
    require(bool(places))
    reported = [p for p in places if p.level in place_reports.REPORTED_LEVELS] or db.session.scalars(
        select(Place).where(Place.parent_id == places[0].id, Place.level.in_(place_reports.REPORTED_LEVELS))
        .order_by(Place.code).limit(1)).all()
    if not reported:
        abort(404)
    return redirect(url_for("place_reports.listing", place_id=reported[0].id))


@bp.get("/<int:place_id>")
@login_required
def listing(place_id: int):
    """A place's monthly reports, newest first (or one month's), its sub-districts, and my custom reports."""
    place = _reported_place(place_id)
    month = query_args.month("month")
    monthly = select(PlaceReport).where(PlaceReport.place_id == place.id, PlaceReport.scheduled.is_(True))
    if month is not None:
        monthly = monthly.where(PlaceReport.first_month == month)
    own = (select(PlaceReport).where(PlaceReport.place_id == place.id, PlaceReport.scheduled.is_(False),
                                     PlaceReport.requested_by_id == current_user.id)
           .order_by(PlaceReport.id.desc()).limit(LISTED_OWN))
    children = [child for child in db.session.scalars(select(Place).where(
        Place.parent_id == place.id, Place.level.in_(place_reports.REPORTED_LEVELS)).order_by(Place.code))]
    parent = place.parent if place.parent and place.parent.level in place_reports.REPORTED_LEVELS else None
    return render_template(
        "reports/place_list.html", place=place, month=month, expired=_expired, kinds=FILE_KINDS,
        reports=db.session.scalars(monthly.order_by(PlaceReport.first_month.desc()).limit(LISTED_MONTHS)).all(),
        own=db.session.scalars(own).all(), children=children,
        parent=parent if parent and can_monitor(current_actor, parent) else None,
        form=CustomReportForm())


@bp.post("/<int:place_id>/custom")
@login_required
def request_custom(place_id: int):
    """Ask for a report over a custom period: built by a worker, its progress on the report's page."""
    place = _reported_place(place_id)
    form = CustomReportForm()
    report = act(form, lambda: place_services.request_place_report(current_user, place, form.period()),
                 _("The report is being built. This page shows how far it has come."))
    if report is None:
        return back_to("place_reports.listing", place_id=place.id)
    return redirect(url_for("place_reports.detail", report_id=report.id), code=303)


@bp.get("/report/<bigid:report_id>")
@login_required
def detail(report_id: int):
    """One report: its progress while it is built (the page reloads itself), then its files and their hashes."""
    report = _readable_report(report_id)
    return render_template("reports/place_report.html", report=report, title=place_reports.title_of(report),
                           expired=_expired(report), kinds=FILE_KINDS)


@bp.get("/report/<bigid:report_id>/file.<any(pdf, xlsx):kind>")
@login_required
def download(report_id: int, kind: str):
    """The report's PDF or XLSX; audited. A custom report's link stops working when it expires (410)."""
    report = _readable_report(report_id)
    if _expired(report):
        return render_template("reports/place_report.html", report=report, title=place_reports.title_of(report),
                               expired=True, kinds=FILE_KINDS), 410
    if report.state is not PlaceReportState.ready:
        abort(404)
    record_audit(db.session, "reports.place_report_downloaded", actor=current_user, obj=report.place,
                 report=report.id, format=kind)
    db.session.commit()
    response = send_file(place_reports.file_path(report, kind), mimetype=place_reports.MIMETYPES[kind],
                         as_attachment=True, download_name=place_reports.download_name(report, kind), max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/report/<bigid:report_id>/retry")
@login_required
def retry(report_id: int):
    """Build a failed report again."""
    report = _readable_report(report_id)
    act(FlaskForm(), lambda: place_services.retry_place_report(current_user, report),
        _("The report will be built again."))
    return back_to("place_reports.detail", report_id=report.id)


@register_operations_section
def _failed_reports() -> dict:
    """Place reports whose last build failed, for the administrators' operations page."""
    return {"key": "place-reports", "title": _("Failed reports"), "empty": _("No failed reports."),
            "rows": [{"when": report.finished_at,
                      "link": url_for("place_reports.detail", report_id=report.id) if report.scheduled
                      else url_for("place_reports.listing", place_id=report.place_id),
                      "what": place_reports.title_of(report),
                      "error": ngettext("%(count)d attempt: %(error)s", "%(count)d attempts: %(error)s",
                                        report.attempts, count=report.attempts, error=report.error)}
                     for report in place_reports.failed_reports()]}
