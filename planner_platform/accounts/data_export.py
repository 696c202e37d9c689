"""A person's copy of their own data (PIPL Art. 45): asked for on /accounts/me/data, built by a worker into a ZIP
(data.json, one CSV per section, their own photos) section by section with the progress committed, kept under a
random name in EXPORT_FOLDER until its link expires (DATA_EXPORT_LINK_HOURS), then deleted by the sweep.

The accounts' own sections (profile, consents, sessions, two-step verification, audit entries and staff looks at
the person's contact details) are here; the features above add
theirs through personal_data.register_section. Nothing of anyone else goes in: other people's actions on the
person's records are counts at most, and an audit entry or a look by someone else names neither them nor their
address (a look says the role and the area it was made through). Never a secret: the authenticator's key and the
recovery codes stay out, only whether it is on and how many codes are left."""
import json
import logging
import os
import secrets
import zipfile
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from planner_platform.accounts import consents, mfa, sessions
from planner_platform.accounts.models import DataExport, DataExportState, PiiAccess, User, UserSession
from planner_platform.accounts.personal_data import SECTIONS, Section, iso
from planner_platform.core import jobs, tabular
from planner_platform.core.after_commit import on_commit
from planner_platform.core.audit import AuditEntry, record_audit
from planner_platform.core.concurrency import lock_row
from planner_platform.core.db import utcnow
from planner_platform.core.files import written_whole
from planner_platform.extensions import db

logger = logging.getLogger(__name__)
BUILD_TASK = "accounts.build_data_export"
ACTIVE = (DataExportState.queued, DataExportState.running)
#: A queued export not started after this long lost its message (a broker restart): the sweep sends it again.
REPUBLISH_AFTER = timedelta(minutes=2)
#: A running export whose progress has not moved for this long lost its worker: the sweep marks it failed.
STALE_AFTER = timedelta(minutes=15)


def _profile(user: User) -> list[dict]:
    community = user.home_community
    return [{"id": user.id, "display_name": user.display_name, "phone": user.phone, "email": user.email,
             "locale": user.locale, "text_size": user.text_size, "community": community.name if community else None,
             "roles": " ".join(sorted(role.value for role in user.roles)), "created_at": iso(user.created_at),
             "last_login_at": iso(user.last_login_at), "password_changed_at": iso(user.password_changed_at)}]


def _consents(user: User) -> list[dict]:
    return [{"purpose": c.purpose, "policy_version": c.policy_version, "granted_at": iso(c.granted_at),
             "withdrawn_at": iso(c.withdrawn_at), "channel": c.channel} for c in reversed(consents.history(user.id))]


def _audit(user: User) -> list[dict]:
    """Entries the person caused or that are about their account; someone else's entry keeps only what happened."""
    entries = db.session.scalars(select(AuditEntry).where(or_(
        AuditEntry.actor_id == user.id, (AuditEntry.object_type == User.__tablename__)
        & (AuditEntry.object_id == str(user.id)))).order_by(AuditEntry.id))
    rows = []
    for entry in entries:
        own = entry.actor_id == user.id
        rows.append({"occurred_at": iso(entry.occurred_at), "action": entry.action, "by_you": own,
                     "object_type": entry.object_type, "object_id": entry.object_id, "result": entry.result,
                     "ip": entry.ip if own else None})
    return rows


def _sessions(user: User) -> list[dict]:
    rows = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id))
    return [{"started_at": iso(row.created_at), "last_seen_at": iso(row.last_seen_at), "ended_at": iso(row.revoked_at),
             "device": sessions.device_of(row.user_agent), "ip": row.ip} for row in rows]


def _two_factor(user: User) -> list[dict]:
    settings = mfa.settings_of(user)
    confirmed = settings.confirmed_at if settings else None
    return [{"authenticator_on": confirmed is not None, "turned_on_at": iso(confirmed),
             "recovery_codes_left": mfa.remaining_recovery_codes(user) if confirmed else 0}]


def _pii_accesses(user: User) -> list[dict]:
    """Staff looks at the person's unmasked contact details: when, through which role and area, what, why."""
    rows = db.session.scalars(select(PiiAccess).where(PiiAccess.subject_user_id == user.id).order_by(PiiAccess.id))
    return [{"occurred_at": iso(row.occurred_at), "staff_role": row.actor_role.value, "area": row.place.name,
             "fields": " ".join(row.fields), "purpose": row.purpose.value, "note": row.note} for row in rows]


ACCOUNT_SECTIONS = [
    Section("profile", ("id", "display_name", "phone", "email", "locale", "text_size", "community", "roles",
                        "created_at", "last_login_at", "password_changed_at"), _profile),
    Section("consents", ("purpose", "policy_version", "granted_at", "withdrawn_at", "channel"), _consents),
    Section("sessions", ("started_at", "last_seen_at", "ended_at", "device", "ip"), _sessions),
    Section("two_factor", ("authenticator_on", "turned_on_at", "recovery_codes_left"), _two_factor),
    Section("pii_accesses", ("occurred_at", "staff_role", "area", "fields", "purpose", "note"), _pii_accesses),
    Section("audit_entries", ("occurred_at", "action", "by_you", "object_type", "object_id", "result", "ip"),
            _audit),
]


def all_sections() -> list[Section]:
    return ACCOUNT_SECTIONS + SECTIONS


def publish(export_id: int) -> None:
    """Hand the export to a worker (in this process without a broker); a broker error leaves it to the sweep."""
    jobs.wake(BUILD_TASK, export_id)


def request_export(actor: User, session_id: int) -> DataExport:
    """Ask for a copy of the actor's own data, downloadable from this session only; built once the caller commits.
    Asked again while one is being built, that one is returned."""
    lock_row(User, actor.id)  # one request of this person at a time (a partial unique index backs it)
    building = db.session.scalar(select(DataExport).where(DataExport.user_id == actor.id,
                                                          DataExport.state.in_(ACTIVE)))
    if building is not None:
        return building
    export = DataExport(user_id=actor.id, session_id=session_id, sections_total=len(all_sections()))
    db.session.add(export)
    db.session.flush()
    record_audit(db.session, "accounts.data_export_requested", actor=actor, obj=actor, export=export.id)
    on_commit(db.session, publish, export.id)
    return export


def file_path(export: DataExport) -> str:
    return os.path.join(current_app.config["EXPORT_FOLDER"], export.stored_name)


def is_expired(export: DataExport) -> bool:
    return export.state is DataExportState.expired or (
        export.state is DataExportState.ready and export.expires_at <= utcnow())


def _write_section(archive: zipfile.ZipFile, section: Section, user: User, data: dict) -> None:
    rows = section.rows(user)
    data[section.name] = rows
    with archive.open(f"{section.name}.csv", "w") as out:
        tabular.write("csv", [list(section.columns), *([row.get(c) for c in section.columns] for row in rows)],
                      out, section.name)
    for name, content in (section.files(user) if section.files else ()):
        archive.writestr(name, content)


def build(export_id: int) -> None:
    """Build the ZIP of a queued export; one already taken by another worker (a message sent twice) is left alone."""
    claimed = db.session.execute(update(DataExport).where(DataExport.id == export_id,
                                                          DataExport.state == DataExportState.queued)
                                 .values(state=DataExportState.running, updated_at=utcnow())).rowcount
    db.session.commit()
    if not claimed:
        return
    export = db.session.get(DataExport, export_id)
    user = db.session.get(User, export.user_id)
    os.makedirs(current_app.config["EXPORT_FOLDER"], exist_ok=True)
    export.stored_name = f"personal-{secrets.token_hex(16)}.zip"
    path = file_path(export)
    try:
        data = {}
        with written_whole(path) as partial, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for section in all_sections():
                _write_section(archive, section, user, data)
                export.sections_done += 1
                export.updated_at = utcnow()
                db.session.commit()
            archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=1, default=str))
        size = os.path.getsize(path)
    except Exception:
        logger.exception("Data export %s failed", export_id)
        db.session.rollback()
        db.session.execute(update(DataExport).where(DataExport.id == export_id).values(
            state=DataExportState.failed, stored_name=None, finished_at=utcnow()))
        db.session.commit()
        return
    now = utcnow()
    export.state, export.size_bytes, export.finished_at = DataExportState.ready, size, now
    export.expires_at = now + timedelta(hours=current_app.config["DATA_EXPORT_LINK_HOURS"])
    db.session.commit()


def remove_file(export: DataExport) -> None:
    """Delete the export's file (its link expired, or the account is deleted)."""
    if export.stored_name and os.path.exists(file_path(export)):
        os.remove(file_path(export))
    export.stored_name = None
    if export.state is not DataExportState.failed:
        export.state = DataExportState.expired


def sweep() -> dict:
    """Delete the files whose link expired, fail the builds whose worker stopped, send again those never started."""
    now = utcnow()
    expired = db.session.scalars(select(DataExport).where(DataExport.state == DataExportState.ready,
                                                          DataExport.expires_at <= now)).all()
    for export in expired:
        remove_file(export)
    stale = db.session.execute(update(DataExport).where(
        DataExport.state == DataExportState.running, DataExport.updated_at < now - STALE_AFTER).values(
        state=DataExportState.failed, finished_at=now)).rowcount
    lost = db.session.scalars(select(DataExport.id).where(DataExport.state == DataExportState.queued,
                                                          DataExport.created_at < now - REPUBLISH_AFTER)).all()
    db.session.commit()
    for export_id in lost:
        publish(export_id)
    return {"expired": len(expired), "failed": stale, "republished": len(lost)}
