"""Building a sub-district's or a district's report: its figures (monitoring's indicators over the period, the place
and each of its units), the print page (HTML with the dashboard's charts as inline SVG) turned into a PDF by
WeasyPrint, and an XLSX of one sheet per section. Both files are written under temporary names and renamed when
whole; the row becomes ready, with their hashes, only then, so a report is never seen half-written.

A build is claimed by an UPDATE … WHERE state (a message delivered twice, or sent by two beats, builds once); a
failed build raises BuildFailed, which the task retries with a backoff, at most MAX_ATTEMPTS builds in all.
"""
import hashlib
import logging
import os
import secrets
import time
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, text, update

from planner_platform.accounts.models import Role
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core import jobs, tabular
from planner_platform.core.calendar import add_months, local_today
from planner_platform.core.db import insert_for, utcnow
from planner_platform.core.outbox import emit
from planner_platform.extensions import db
from planner_platform.monitoring import queries
from planner_platform.monitoring.charts import dashboard_charts
from planner_platform.monitoring.exports import cell, heading
from planner_platform.monitoring.indicators import INDICATORS, SECTIONS, Indicator, Totals, applies, stage_breakdown
from planner_platform.monitoring.periods import Period
from planner_platform.monitoring.refresh import refresh_pending
from planner_platform.planners.services import report_rules_for
from planner_platform.reports import svg
from planner_platform.reports.notifications import PLACE_REPORT_READY
from planner_platform.reports.place_models import FILE_KINDS, MAX_ATTEMPTS, PlaceReport, PlaceReportState

logger = logging.getLogger(__name__)
BUILD_TASK = "reports.build_place_report"
#: Places that have reports of their own.
REPORTED_LEVELS = (PlaceLevel.district, PlaceLevel.subdistrict)
#: A queued report not started after this long lost its message: the sweep sends it again.
REPUBLISH_AFTER = timedelta(minutes=5)
#: A running build that has not moved for this long lost its worker: the sweep marks it failed.
STALE_AFTER = timedelta(minutes=30)
MIMETYPES = {"pdf": "application/pdf", "xlsx": tabular.MIMETYPES["xlsx"]}


class BuildFailed(Exception):
    """A build failed; the report is marked failed and the task may try it again."""


@dataclass
class Section:
    key: str
    label: str
    indicators: list[Indicator]


@dataclass
class Figures:
    """Everything the report shows, read once: the place's Totals and its units' (monitoring.queries)."""

    place: Place
    period: Period
    total: Totals
    units: list[Place]
    by_unit: dict[int, Totals]
    sections: list[Section] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)

    @property
    def unit_level(self) -> str:
        return self.units[0].level.value if self.units else self.place.level.value

    def value(self, indicator: Indicator, unit: Place | None = None):
        """The indicator's value for the place (unit None) or one of its units; None where it has none."""
        if unit is None:
            return indicator.value(self.total)
        return indicator.value(self.by_unit[unit.id]) if applies(indicator, self.unit_level) else None

    @property
    def types(self) -> list:
        return sorted(self.total.types.items(), key=lambda item: -item[1][0])

    @property
    def stages(self) -> list:
        return stage_breakdown(self.total)


def collect(place: Place, period: Period) -> Figures:
    """The report's figures: the dashboard's own reads (queries.dashboard_totals, charts.dashboard_charts)."""
    units, total, by_unit = queries.dashboard_totals(place, period)
    level = place.level.value
    sections = [Section(key, str(label), [i for i in INDICATORS if i.section == key and applies(i, level)])
                for key, label in SECTIONS.items()]
    return Figures(place, period, total, units, by_unit, [s for s in sections if s.indicators],
                   dashboard_charts(place, period, total))


def period_of_report(report: PlaceReport) -> Period:
    return Period(report.period_kind, report.first_month, report.last_month)


def title_of(report: PlaceReport) -> str:
    period = period_of_report(report)
    if report.scheduled:
        return _("%(place)s monthly report, %(month)s", place=report.place.name, month=period.label)
    return _("%(place)s report, %(period)s", place=report.place.name, period=period.label)


def render_html(report: PlaceReport, figures: Figures) -> str:
    """The print page of the report (templates/reports/place_report_pdf.html), charts drawn as SVG."""
    return render_template("reports/place_report_pdf.html", report=report, title=title_of(report), f=figures,
                           charts=[svg.render(chart) for chart in figures.charts], generated_at=utcnow())


def write_pdf(html: str, path: str) -> None:
    from weasyprint import HTML  # heavy (Pango, fonts): loaded by the processes that print only

    HTML(string=html, base_url=current_app.root_path).write_pdf(path)


def sheets(figures: Figures) -> list[tuple[str, list[list]]]:
    """The XLSX: one sheet per section (the place and each unit as columns), then activity types and stages."""
    units = figures.units if figures.units[:1] != [figures.place] else []
    header = [_("Indicator"), _("Unit"), figures.place.name, *(unit.name for unit in units)]
    result = []
    for section in figures.sections:
        rows = [header]
        for indicator in section.indicators:
            rows.append([str(indicator.name), str(indicator.unit), cell(indicator, figures.value(indicator)),
                         *(cell(indicator, figures.value(indicator, unit)) for unit in units)])
        result.append((section.label, rows))
    result.append((_("Activities by type"), [[_("Activity type"), _("Activities held"), _("Participants")],
                                             *([name, held, people] for name, (held, people) in figures.types)]))
    result.append((_("Projects by stage"), [[_("Stage"), _("Projects"), _("Mean days in stage")],
                                            *([str(stage.label), count, "" if mean is None else mean]
                                              for stage, count, mean in figures.stages)]))
    result.append((_("Definitions"), [[_("Indicator"), _("Definition"), _("Period rule")],
                                      *([heading(i), str(i.definition), str(i.period_rule)]
                                        for s in figures.sections for i in s.indicators)]))
    return result


def write_xlsx(figures: Figures, path: str) -> None:
    with open(path, "wb") as out:
        tabular.write_workbook(sheets(figures), out)


def file_path(report: PlaceReport, kind: str) -> str:
    return os.path.join(current_app.config["REPORT_FOLDER"], report.stored_name(kind))


def download_name(report: PlaceReport, kind: str) -> str:
    return f"report-{report.place.code}-{period_of_report(report).slug}.{kind}"


def publish(report_id: int) -> None:
    """Hand the build to a worker, which retries a failed build with a backoff (place_tasks). A broker error leaves
    it to the sweep. Without a broker (eager tasks, whose errors propagate past Celery's retry) the attempts run
    here, one after the other; a report that failed them all is marked failed and shown on the operations page."""
    celery = current_app.extensions["celery"]
    if celery.conf.task_always_eager:
        for _attempt in range(MAX_ATTEMPTS):
            try:
                build(report_id)
                return
            except BuildFailed:
                continue
        logger.error("Place report %s failed after %s attempts", report_id, MAX_ATTEMPTS)
        return
    jobs.wake(BUILD_TASK, report_id)


def _claim(report_id: int) -> bool:
    claimed = db.session.execute(
        update(PlaceReport).where(PlaceReport.id == report_id,
                                  PlaceReport.state.in_([PlaceReportState.queued, PlaceReportState.failed]),
                                  PlaceReport.attempts < MAX_ATTEMPTS)
        .values(state=PlaceReportState.running, attempts=PlaceReport.attempts + 1, progress=0, error="",
                updated_at=utcnow())).rowcount
    db.session.commit()
    return bool(claimed)


def _progress(report: PlaceReport, percent: int) -> None:
    report.progress, report.updated_at = percent, utcnow()
    db.session.commit()


def _remove(*paths: str) -> None:
    for path in paths:
        if os.path.exists(path):
            os.remove(path)


def _digest(path: str) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            sha.update(block)
    return sha.hexdigest()


def build(report_id: int) -> None:
    """Build the files of a queued (or failed, to retry) report; one claimed elsewhere is left alone."""
    if not _claim(report_id):
        return
    started = time.monotonic()
    folder = current_app.config["REPORT_FOLDER"]
    names = {kind: f"{secrets.token_hex(16)}.{kind}" for kind in FILE_KINDS}
    finals = {kind: os.path.join(folder, name) for kind, name in names.items()}
    partials = {kind: f"{path}.part" for kind, path in finals.items()}
    try:
        os.makedirs(folder, exist_ok=True)
        refresh_pending()  # the summary rows as of now: the report agrees with the dashboard
        db.session.commit()
        report = db.session.get(PlaceReport, report_id)
        with force_locale(report.locale):
            figures = collect(report.place, period_of_report(report))
            _progress(report, 25)
            html = render_html(report, figures)
            write_pdf(html, partials["pdf"])
            _progress(report, 75)
            write_xlsx(figures, partials["xlsx"])
            _progress(report, 90)
        hashes = {kind: _digest(path) for kind, path in partials.items()}
        sizes = {kind: os.path.getsize(path) for kind, path in partials.items()}
        for kind in FILE_KINDS:
            os.replace(partials[kind], finals[kind])  # each file appears whole or not at all
    except Exception as error:
        logger.exception("Place report %s failed", report_id)
        db.session.rollback()
        _remove(*partials.values(), *finals.values())
        db.session.execute(update(PlaceReport).where(PlaceReport.id == report_id).values(
            state=PlaceReportState.failed, progress=0, finished_at=utcnow(),
            error=f"{type(error).__name__}: {error}"[:500]))
        db.session.commit()
        raise BuildFailed(str(error)) from error
    try:
        _ready(report, names, hashes, sizes)
        db.session.commit()
        logger.info("Place report %s ready in %.1f s (PDF %s bytes, XLSX %s bytes)", report_id,
                    time.monotonic() - started, sizes["pdf"], sizes["xlsx"])
    except Exception:
        db.session.rollback()
        _remove(*finals.values())
        raise


def _ready(report: PlaceReport, names: dict, hashes: dict, sizes: dict) -> None:
    now = utcnow()
    report.pdf_name, report.pdf_sha256, report.pdf_bytes = names["pdf"], hashes["pdf"], sizes["pdf"]
    report.xlsx_name, report.xlsx_sha256, report.xlsx_bytes = names["xlsx"], hashes["xlsx"], sizes["xlsx"]
    report.state, report.progress, report.finished_at, report.updated_at = PlaceReportState.ready, 100, now, now
    if report.scheduled:
        emit(PLACE_REPORT_READY.name, recipients={
            "roles": [Role.subdistrict_staff.value, Role.district_staff.value], "place_id": report.place_id,
            "scope": "covering"}, payload={"report_id": report.id, "place_id": report.place_id,
                                           "place_name": report.place.name,
                                           "month": period_of_report(report).label})
    else:
        report.expires_at = now + timedelta(hours=current_app.config["REPORT_LINK_HOURS"])


def _report_day(rules: dict, today) -> int:
    """The report day in this month: a day past the month's end (31 in June) is its last day."""
    last_day = (add_months(today.replace(day=1), 1) - timedelta(days=1)).day
    return min(int(rules["report_day"]), last_day)


def due_places(today) -> list[Place]:
    """The districts whose report day this month has come, and their sub-districts (a missed beat catches up)."""
    districts = db.session.scalars(select(Place).where(Place.level == PlaceLevel.district).order_by(Place.code))
    due = [d for d in districts if today.day >= _report_day(report_rules_for(d), today)]
    if not due:
        return []
    subdistricts = db.session.scalars(select(Place).where(Place.level == PlaceLevel.subdistrict,
                                                          Place.parent_id.in_([d.id for d in due]))).all()
    return due + list(subdistricts)


def previous_month(today=None):
    """The first day of the month before today's (local)."""
    return add_months((today or local_today()).replace(day=1), -1)


def insert_monthly(place_ids: list[int], month) -> int:
    """The scheduled report rows of these places for `month`, queued; those that exist are left (the unique
    index: a second run, or a second beat at the same time, adds nothing). How many were added."""
    now = utcnow()
    rows = [{"place_id": place_id, "scheduled": True, "period_kind": "month", "first_month": month,
             "last_month": month, "state": PlaceReportState.queued.name, "progress": 0,
             "locale": current_app.config["BABEL_DEFAULT_LOCALE"], "created_at": now, "updated_at": now,
             "error": "", "attempts": 0} for place_id in place_ids]
    if not rows:
        return 0
    added = db.session.execute(insert_for(db.session, PlaceReport).values(rows).on_conflict_do_nothing(
        index_elements=["place_id", "first_month"], index_where=text("scheduled"))
        .execution_options(preserve_rowcount=True)).rowcount
    return max(added, 0)


def generate_monthly(today=None) -> dict:
    """The previous month's report of every district and sub-district whose report day has come: inserted once,
    then built by the workers (a report claimed by the other beat's message is not built twice)."""
    today = today or local_today()
    month = previous_month(today)
    place_ids = [place.id for place in due_places(today)]
    created = insert_monthly(place_ids, month)
    queued = db.session.scalars(select(PlaceReport.id).where(
        PlaceReport.scheduled.is_(True), PlaceReport.first_month == month, PlaceReport.place_id.in_(place_ids),
        PlaceReport.state == PlaceReportState.queued)).all() if place_ids else []
    db.session.commit()
    for report_id in queued:
        publish(report_id)
    return {"month": month.isoformat(), "created": created, "queued": len(queued)}


def sweep() -> dict:
    """Delete the files of expired on-demand reports, fail builds whose worker stopped, resend lost ones."""
    now = utcnow()
    expired = db.session.scalars(select(PlaceReport).where(PlaceReport.state == PlaceReportState.ready,
                                                           PlaceReport.expires_at <= now)).all()
    for report in expired:
        _remove(*(file_path(report, kind) for kind in FILE_KINDS))
        report.state = PlaceReportState.expired
        report.pdf_name = report.xlsx_name = None
    stale = db.session.execute(select(PlaceReport.id, PlaceReport.attempts).where(
        PlaceReport.state == PlaceReportState.running, PlaceReport.updated_at < now - STALE_AFTER)).all()
    if stale:
        db.session.execute(update(PlaceReport).where(  # the same condition again: a build that moved meanwhile lives
            PlaceReport.id.in_([i for i, _a in stale]), PlaceReport.state == PlaceReportState.running,
            PlaceReport.updated_at < now - STALE_AFTER).values(
            state=PlaceReportState.failed, finished_at=now, error="worker stopped"))
    lost = db.session.scalars(select(PlaceReport.id).where(PlaceReport.state == PlaceReportState.queued,
                                                           PlaceReport.created_at < now - REPUBLISH_AFTER)).all()
    # A build whose worker died left no retry behind (its message was taken): it is sent again while attempts last.
    retried = [report_id for report_id, attempts in stale if attempts < MAX_ATTEMPTS]
    db.session.commit()
    for report_id in [*lost, *retried]:
        publish(report_id)
    return {"expired": len(expired), "failed": len(stale), "republished": len(lost) + len(retried)}


def failed_reports(limit: int = 50) -> list[PlaceReport]:
    """Reports whose last build failed, newest first, for the operations page."""
    return db.session.scalars(select(PlaceReport).where(PlaceReport.state == PlaceReportState.failed)
                              .order_by(PlaceReport.id.desc()).limit(limit)).all()
