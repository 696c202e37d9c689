"""Monitoring's writes: the audit entry of an export (who took which numbers or records, and when), and the request
for a list too long to download at once to be built in the background. Callers commit."""
import hashlib
import json

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
from planner_platform.monitoring import background
from planner_platform.monitoring import permissions as can
from planner_platform.monitoring.exports import EXPORT_MAX_ROWS
from planner_platform.monitoring.models import ACTIVE_EXPORT_STATES, ExportJob
from planner_platform.monitoring.periods import Period


def _check(actor: User, place: Place, rows: int) -> None:
    if not can.can_monitor(actor_of(actor), place):
        raise NotAllowed(_("Only staff over this place export its numbers."))
    if rows > EXPORT_MAX_ROWS:
        raise DomainError(_("This list has %(count)d records, more than one file holds (%(max)d): choose a shorter "
                            "period or a smaller place.", count=rows, max=EXPORT_MAX_ROWS))


def record_export(actor: User, place: Place, table: str, kind: str, period: Period, rows: int) -> None:
    """Audit an export of `table` (the comparison, or a list's kind) of `place`; refuse one too long to build."""
    _check(actor, place, rows)
    record_audit(db.session, "monitoring.exported", actor=actor, obj=place, table=table, format=kind,
                 period=period.label, rows=rows)


def request_export(actor: User, place: Place, list_kind: str, file_kind: str, period: Period, filters: dict,
                   rows: int) -> ExportJob:
    """Ask for the list `list_kind` of `place` to be built into a file by a worker; audited like any export.

    The same list asked again while it is being built returns that job (a double click builds one file). A
    requester has at most EXPORT_ACTIVE_PER_USER jobs in progress. The worker is called once the caller commits.
    """
    _check(actor, place, rows)
    fingerprint = hashlib.sha256(json.dumps(
        [place.id, list_kind, file_kind, period.kind, period.first.isoformat(), period.last.isoformat(), filters],
        sort_keys=True).encode()).hexdigest()
    lock_row(User, actor.id)  # one request of this user at a time: the checks below cannot race
    active = select(ExportJob).where(ExportJob.requester_id == actor.id, ExportJob.state.in_(ACTIVE_EXPORT_STATES))
    same = db.session.scalar(active.where(ExportJob.fingerprint == fingerprint))
    if same is not None:
        return same
    limit = current_app.config["EXPORT_ACTIVE_PER_USER"]
    if db.session.scalar(select(func.count()).select_from(active.subquery())) >= limit:
        raise DomainError(_("%(count)d of your exports are still being built. Wait until one of them is ready, "
                            "then ask again.", count=limit))
    job = ExportJob(requester_id=actor.id, place_id=place.id, list_kind=list_kind, filters=filters,
                    period_kind=period.kind, first_month=period.first, last_month=period.last, file_kind=file_kind,
                    locale=str(get_locale()), fingerprint=fingerprint, rows_total=rows)
    db.session.add(job)
    db.session.flush()
    record_audit(db.session, "monitoring.exported", actor=actor, obj=place, table=list_kind, format=file_kind,
                 period=period.label, rows=rows, job=job.id)
    on_commit(db.session, background.publish, job.id)
    return job
