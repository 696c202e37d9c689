"""The retention schedule on backdated rows: the daily job deletes or blanks what has expired, keeps what is still
within its period, and never touches the audit log."""
import os
from datetime import timedelta

from sqlalchemy import select

from planner_platform.accounts.models import (DataExport, DataExportState, Invitation, PasswordResetToken, Role,
                                              UserSession)
from planner_platform.activities.models import Activity
from planner_platform.core.audit import AuditEntry
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from tests.activities.conftest import make_activity
from tests.privacy.conftest import run_daily


def _invitation(inviter_id, place_id, name, expired_days_ago, accepted=False):
    at = utcnow() - timedelta(days=expired_days_ago)
    return Invitation(token_hash=f"{name:0>64}"[-64:], display_name=name, phone="13800000000", role=Role.planner,
                      place_id=place_id, invited_by_id=inviter_id, expires_at=at, accepted_at=at if accepted else None)


def test_the_daily_job_removes_what_expired_and_keeps_the_fresh_rows_and_the_audit_log(app, cast, places):
    now = utcnow()
    old_activity = make_activity(app, cast.worker, community_id=cast.community.id, starts_in=timedelta(days=-40))
    new_activity = make_activity(app, cast.worker, community_id=cast.community.id, starts_in=timedelta(days=-3))
    folder = app.config["EXPORT_FOLDER"]
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "personal-lapsed.zip"), "wb") as out:
        out.write(b"PK")
    with app.app_context():
        district = places["D1"].id
        db.session.add_all([
            _invitation(cast.district.id, district, "old", 31), _invitation(cast.district.id, district, "new", 29),
            _invitation(cast.district.id, district, "used", 400, accepted=True)])
        db.session.add_all([
            UserSession(token_hash="a" * 64, user_id=cast.resident.id, last_seen_at=now - timedelta(days=200),
                        password_verified_at=now - timedelta(days=200), revoked_at=now - timedelta(days=200),
                        created_at=now - timedelta(days=200)),
            UserSession(token_hash="b" * 64, user_id=cast.resident.id, last_seen_at=now - timedelta(days=20),
                        password_verified_at=now - timedelta(days=20), revoked_at=now - timedelta(days=20),
                        created_at=now - timedelta(days=20))])
        db.session.add_all([
            PasswordResetToken(token_hash="c" * 64, user_id=cast.resident.id, expires_at=now - timedelta(days=8)),
            PasswordResetToken(token_hash="d" * 64, user_id=cast.resident.id, expires_at=now - timedelta(days=1))])
        db.session.add_all([
            DataExport(user_id=cast.resident.id, state=DataExportState.ready, stored_name="personal-lapsed.zip",
                       created_at=now - timedelta(days=2), expires_at=now - timedelta(days=1)),
            DataExport(user_id=cast.neighbour.id, state=DataExportState.expired, created_at=now - timedelta(days=31)),
            DataExport(user_id=cast.third.id, state=DataExportState.expired, created_at=now - timedelta(days=29))])
        db.session.add(AuditEntry(action="auth.login", actor_id=cast.resident.id, occurred_at=now - timedelta(days=400),
                                  details={}))
        db.session.commit()
        audit = set(db.session.scalars(select(AuditEntry.id)))

    counts = run_daily(app)
    assert {key: counts[key] for key in ("invitations", "sessions", "reset_tokens", "data_exports",
                                         "checkin_codes")} == {
        "invitations": 1, "sessions": 1, "reset_tokens": 1, "data_exports": 1, "checkin_codes": 1}
    with app.app_context():
        assert set(db.session.scalars(select(Invitation.display_name))) == {"new", "used"}
        assert set(db.session.scalars(select(UserSession.token_hash))) == {"b" * 64}
        assert set(db.session.scalars(select(PasswordResetToken.token_hash))) == {"d" * 64}
        exports = {e.user_id: (e.state, e.stored_name) for e in db.session.scalars(select(DataExport))}
        assert exports == {cast.resident.id: (DataExportState.expired, None),
                           cast.third.id: (DataExportState.expired, None)}
        assert not os.path.exists(os.path.join(folder, "personal-lapsed.zip"))
        assert db.session.get(Activity, old_activity).checkin_code == ""
        assert db.session.get(Activity, new_activity).checkin_code != ""
        assert audit <= set(db.session.scalars(select(AuditEntry.id)))  # a year-old login entry is still there
    assert {key: value for key, value in run_daily(app).items() if value} == {}  # nothing more to do
