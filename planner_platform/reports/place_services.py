"""Writes of the place reports: a report asked for a custom period, and a failed report sent to be built again.
Callers commit; the build starts once they do."""
import logging

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from planner_platform.access import actor_of
from planner_platform.accounts.models import User
from planner_platform.areas.models import Place
from planner_platform.core.after_commit import on_commit
from planner_platform.core.audit import record_audit
from planner_platform.core.concurrency import lock_row
from planner_platform.core.errors import DomainError, NotAllowed
from planner_platform.extensions import db
from planner_platform.monitoring.periods import Period
from planner_platform.monitoring.permissions import can_monitor
from planner_platform.reports import place_reports
from planner_platform.reports.place_models import PlaceReport, PlaceReportState

logger = logging.getLogger(__name__)
ACTIVE = (PlaceReportState.queued, PlaceReportState.running)


def _check(actor: User, place: Place) -> None:
    if not can_monitor(actor_of(actor), place):
        raise NotAllowed(_("Only staff over this place read its reports."))
    if place.level not in place_reports.REPORTED_LEVELS:
        raise DomainError(_("Reports are made for sub-districts and districts."))


def request_place_report(actor: User, place: Place, period: Period) -> PlaceReport:
    """Ask for the report of `place` over `period`, built by a worker; only the requester downloads it, until its
    link expires. The same period asked again while it is being built returns that report."""
    _check(actor, place)
    lock_row(User, actor.id)  # one request of this user at a time: the checks below cannot race
    active = select(PlaceReport).where(PlaceReport.requested_by_id == actor.id, PlaceReport.state.in_(ACTIVE))
    same = db.session.scalar(active.where(PlaceReport.place_id == place.id, PlaceReport.period_kind == period.kind,
                                          PlaceReport.first_month == period.first,
                                          PlaceReport.last_month == period.last))
    if same is not None:
        return same
    limit = current_app.config["REPORT_ACTIVE_PER_USER"]
    if db.session.scalar(select(func.count()).select_from(active.subquery())) >= limit:
        raise DomainError(_("%(count)d of your reports are still being built. Wait until one of them is ready, "
                            "then ask again.", count=limit))
    report = PlaceReport(place_id=place.id, scheduled=False, period_kind=period.kind, first_month=period.first,
                         last_month=period.last, locale=str(get_locale()), requested_by_id=actor.id)
    db.session.add(report)
    db.session.flush()
    record_audit(db.session, "reports.place_report_requested", actor=actor, obj=place, report=report.id,
                 period=period.label)
    on_commit(db.session, place_reports.publish, report.id)
    logger.info("Place report %s of %s asked by %s", report.id, place.id, actor.id)
    return report


def retry_place_report(actor: User, report: PlaceReport) -> None:
    """Build a failed report again, with a fresh count of attempts (an administrator, or staff over its place)."""
    actor_view = actor_of(actor)
    if not can_monitor(actor_view, report.place):
        raise NotAllowed(_("Only staff over this place read its reports."))
    if report.state is not PlaceReportState.failed:
        raise DomainError(_("Only a failed report can be built again."))
    report.state, report.attempts, report.error, report.progress = PlaceReportState.queued, 0, "", 0
    record_audit(db.session, "reports.place_report_retried", actor=actor, obj=report.place, report=report.id)
    on_commit(db.session, place_reports.publish, report.id)
