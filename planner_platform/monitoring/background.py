"""Exports built by a worker: a list too long to download at once is written batch by batch into a file under a
random name in EXPORT_FOLDER, its progress committed after every batch so the requester's page can show it; the file
is kept until its link expires (EXPORT_LINK_HOURS), then the sweep deletes it."""
import logging
import os
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select, update

from planner_platform.core import jobs, tabular
from planner_platform.core.db import utcnow
from planner_platform.core.files import written_whole
from planner_platform.extensions import db
from planner_platform.monitoring import exports, records
from planner_platform.monitoring.models import ExportJob, ExportState
from planner_platform.monitoring.periods import Period

logger = logging.getLogger(__name__)
BUILD_TASK = "monitoring.build_export"
#: Records read, written and committed together: the progress moves by this much.
BATCH_ROWS = 5_000
#: A queued job not started after this long lost its message (a broker restart): the sweep sends it again.
REPUBLISH_AFTER = timedelta(minutes=2)
#: A running job whose progress has not moved for this long lost its worker: the sweep marks it failed.
STALE_AFTER = timedelta(minutes=15)


def publish(job_id: int) -> None:
    """Hand the job to a worker (in this process without a broker); a broker error leaves it to the sweep."""
    jobs.wake(BUILD_TASK, job_id)


def file_path(job: ExportJob) -> str:
    return os.path.join(current_app.config["EXPORT_FOLDER"], job.stored_name)


def period_of(job: ExportJob) -> Period:
    return Period(job.period_kind, job.first_month, job.last_month)


def download_name(job: ExportJob) -> str:
    period = period_of(job)
    return f"monitoring-{job.place.code}-{job.list_kind}-{period.slug}.{job.file_kind}"


def build(job_id: int) -> None:
    """Build the file of a queued job; a job already taken by another worker (a message sent twice) is left alone."""
    claimed = db.session.execute(update(ExportJob).where(ExportJob.id == job_id, ExportJob.state == ExportState.queued)
                                 .values(state=ExportState.running, updated_at=utcnow())).rowcount
    db.session.commit()
    if not claimed:
        return
    job = db.session.get(ExportJob, job_id)
    os.makedirs(current_app.config["EXPORT_FOLDER"], exist_ok=True)
    job.stored_name = f"{secrets.token_hex(16)}.{job.file_kind}"
    path = file_path(job)
    try:
        with written_whole(path) as partial, force_locale(job.locale), open(partial, "wb") as out:
            tabular.write(job.file_kind, _rows(job), out, str(records.TITLES[job.list_kind]))
        size = os.path.getsize(path)
    except Exception:
        logger.exception("Export %s failed", job_id)
        db.session.rollback()
        db.session.execute(update(ExportJob).where(ExportJob.id == job_id).values(
            state=ExportState.failed, stored_name=None, finished_at=utcnow(), error="build failed"))
        db.session.commit()
        return
    now = utcnow()
    job.state, job.size_bytes, job.finished_at = ExportState.ready, size, now
    job.rows_total = job.rows_done
    job.expires_at = now + timedelta(hours=current_app.config["EXPORT_LINK_HOURS"])
    db.session.commit()


def _rows(job: ExportJob):
    """The header, then every record of the list, committing the progress after each batch."""
    filters = records.selection_filters(job.filters)
    place, period = job.place, period_of(job)
    yield exports.list_header(job.list_kind)
    for listing in records.batches(job.list_kind, place, period, BATCH_ROWS, **filters):
        yield from exports.record_rows(listing)
        job.rows_total = max(listing.total, job.rows_done + len(listing.rows))
        job.rows_done += len(listing.rows)
        job.updated_at = utcnow()
        db.session.commit()


def sweep() -> dict:
    """Delete the files whose link expired, fail the jobs whose worker stopped, send again the jobs never started."""
    now, folder = utcnow(), current_app.config["EXPORT_FOLDER"]
    expired = db.session.scalars(select(ExportJob).where(ExportJob.state == ExportState.ready,
                                                         ExportJob.expires_at <= now)).all()
    for job in expired:
        path = os.path.join(folder, job.stored_name)
        if os.path.exists(path):
            os.remove(path)
        job.state, job.stored_name = ExportState.expired, None
    stale = db.session.execute(update(ExportJob).where(
        ExportJob.state == ExportState.running, ExportJob.updated_at < now - STALE_AFTER).values(
        state=ExportState.failed, finished_at=now, error="worker stopped")).rowcount
    lost = db.session.scalars(select(ExportJob.id).where(ExportJob.state == ExportState.queued,
                                                         ExportJob.created_at < now - REPUBLISH_AFTER)).all()
    db.session.commit()
    for job_id in lost:
        publish(job_id)
    return {"expired": len(expired), "failed": stale, "republished": len(lost)}
