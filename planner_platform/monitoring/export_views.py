"""The requester's background exports: their progress, and the file behind a link that only they can open until it
expires. Someone else's job is answered 404, as if it did not exist."""
from flask import Blueprint, abort, render_template, send_file
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner_platform.access import current_actor
from planner_platform.core.audit import record_audit
from planner_platform.core.db import utcnow
from planner_platform.core.permissions import require
from planner_platform.core.tabular import MIMETYPES
from planner_platform.extensions import db
from planner_platform.monitoring import background, records
from planner_platform.monitoring import permissions as can
from planner_platform.monitoring.models import ExportJob, ExportState

bp = Blueprint("exports", __name__, url_prefix="/monitoring/exports")
#: Jobs listed on the requester's page, newest first.
LISTED = 50


def _own_job(job_id: int) -> ExportJob:
    job = db.session.get(ExportJob, job_id)
    if job is None or job.requester_id != current_user.id:
        abort(404)
    return job


def _expired(job: ExportJob) -> bool:
    return job.state == ExportState.expired or (job.state == ExportState.ready and job.expires_at <= utcnow())


@bp.get("/")
@login_required
def index():
    """The exports I asked for, with their state and links."""
    require(bool(can.monitored_places(current_actor)))
    jobs = db.session.scalars(select(ExportJob).options(joinedload(ExportJob.place))
                              .where(ExportJob.requester_id == current_user.id)
                              .order_by(ExportJob.id.desc()).limit(LISTED)).all()
    return render_template("monitoring/exports.html", jobs=jobs, titles=records.TITLES, expired=_expired,
                           period_of=background.period_of)


@bp.get("/<bigid:job_id>")
@login_required
def detail(job_id: int):
    """One export: its progress while it is built (the page reloads itself), then its download link."""
    job = _own_job(job_id)
    return render_template("monitoring/export.html", job=job, title=records.TITLES[job.list_kind],
                           period=background.period_of(job), expired=_expired(job))


@bp.get("/<bigid:job_id>/file")
@login_required
def download(job_id: int):
    """The file, for its requester while they still monitor the place and the link has not expired; audited."""
    job = _own_job(job_id)
    require(can.can_monitor(current_actor, job.place))
    if job.state != ExportState.ready or _expired(job):
        return render_template("monitoring/export.html", job=job, title=records.TITLES[job.list_kind],
                               period=background.period_of(job), expired=_expired(job)), 410
    record_audit(db.session, "monitoring.export_downloaded", actor=current_user, obj=job.place, job=job.id,
                 table=job.list_kind, format=job.file_kind)
    db.session.commit()
    response = send_file(background.file_path(job), mimetype=MIMETYPES[job.file_kind], as_attachment=True,
                         download_name=background.download_name(job), max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
