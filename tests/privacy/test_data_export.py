"""A person's copy of their own data: asked for on /accounts/me/data, built by the worker (eager here), holding their
records and photos and nothing of anyone else, downloadable by them alone, in the session that asked, until it
expires; every download audited."""
import io
import json
import re
import zipfile
from datetime import timedelta

import pyotp
from sqlalchemy import func, select, text, update

from planner_platform.accounts import consents
from planner_platform.accounts.models import DataExport, DataExportState, MfaRecoveryCode, MfaSettings, User
from planner_platform.activities import services as activities
from planner_platform.activities.models import Activity
from planner_platform.core.audit import AuditEntry
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from planner_platform.proposals import participation
from planner_platform.proposals.models import Proposal
from tests.activities.conftest import make_activity
from tests.conftest import csrf_token_from, login, submit
from tests.privacy.conftest import proposal_with_photo


def _participate(app, cast):
    """The resident and a neighbour each propose, comment on and support the other's proposal."""
    own = proposal_with_photo(app, cast.resident, title="张阿姨的扶手提案")
    theirs = proposal_with_photo(app, cast.neighbour, title="李叔叔的停车提案")
    activity_id = make_activity(app, cast.worker, community_id=cast.community.id)
    with app.app_context():
        resident, neighbour = db.session.get(User, cast.resident.id), db.session.get(User, cast.neighbour.id)
        participation.add_comment(resident, db.session.get(Proposal, theirs), "张阿姨的评论")
        participation.support(resident, db.session.get(Proposal, theirs))
        participation.add_comment(neighbour, db.session.get(Proposal, own), "李叔叔写在张阿姨提案下的评论")
        participation.support(neighbour, db.session.get(Proposal, own))
        activities.register(resident, db.session.get(Activity, activity_id))
        consents.give(resident, consents.SMS)
        db.session.commit()
    return own, theirs, activity_id


def _ask(client) -> int:
    page = client.get("/accounts/me/data")
    response = client.post("/accounts/me/data", data={"csrf_token": csrf_token_from(page.data)})
    assert response.status_code == 303
    html = client.get("/accounts/me/data").get_data(as_text=True)
    return int(re.search(r'id="data-export-(\d+)" data-state="ready"', html)[1])


def test_a_residents_copy_holds_their_records_and_photos_and_nothing_of_their_neighbour(app, client, cast):
    own, theirs, activity_id = _participate(app, cast)
    login(client, cast.resident)
    export_id = _ask(client)
    response = client.get(f"/accounts/me/data/{export_id}/file")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "private, no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("data.json"))
    assert data["profile"][0]["phone"] == cast.resident.phone and data["profile"][0]["display_name"] == "张阿姨"
    assert [p["title"] for p in data["proposals"]] == ["张阿姨的扶手提案"]
    assert data["proposals"][0]["comment_count"] == 1 and data["proposals"][0]["support_count"] == 1
    assert [c["body"] for c in data["proposal_comments"]] == ["张阿姨的评论"]
    assert [s["proposal_id"] for s in data["supports"]] == [theirs]
    assert [r["activity_id"] for r in data["activity_registrations"]] == [activity_id]
    assert {c["purpose"] for c in data["consents"]} == {"sms"}
    assert {"auth.login", "accounts.data_export_requested"} <= {e["action"] for e in data["audit_entries"]}
    photos = [name for name in archive.namelist() if name.startswith("photos/")]
    assert len(photos) == 1 and photos[0].startswith(f"photos/proposal-{own}-")
    assert archive.read(photos[0])[:3] == b"\xff\xd8\xff"
    assert "张阿姨的扶手提案" in archive.read("proposals.csv").decode("utf-8-sig")
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode("utf-8", "replace")
    for foreign in ("李叔叔", cast.neighbour.phone, "停车提案"):
        assert foreign not in everything
    with app.app_context():
        downloads = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "accounts.data_export_downloaded", AuditEntry.actor_id == cast.resident.id))
    assert downloads == 1


def test_the_link_works_only_for_its_person_in_the_session_that_asked_and_until_it_expires(app, client, cast):
    login(client, cast.resident)
    export_id = _ask(client)
    neighbour = app.test_client()
    login(neighbour, cast.neighbour)
    assert neighbour.get(f"/accounts/me/data/{export_id}/file").status_code == 404
    other_device = app.test_client()
    login(other_device, cast.resident)  # the same person, another session (a copied link, a stolen password)
    refused = other_device.get(f"/accounts/me/data/{export_id}/file")
    assert refused.status_code == 403 and "只能在申请它的设备" in refused.get_data(as_text=True)
    assert app.test_client().get(f"/accounts/me/data/{export_id}/file").status_code in (302, 401)
    assert client.get(f"/accounts/me/data/{export_id}/file").status_code == 200
    with app.app_context():
        db.session.execute(update(DataExport).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    assert client.get(f"/accounts/me/data/{export_id}/file").status_code == 410
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.action.like("accounts.data_export%")).order_by(AuditEntry.id)).all()
        assert actions == ["accounts.data_export_requested", "accounts.data_export_refused",
                           "accounts.data_export_downloaded"]
        app.extensions["celery"].tasks["accounts.sweep_data_exports"].apply()
        export = db.session.get(DataExport, export_id)
        assert (export.state, export.stored_name) == (DataExportState.expired, None)


def test_asking_twice_while_it_is_built_makes_one_copy(app, client, cast, monkeypatch):
    from planner_platform.accounts import data_export

    monkeypatch.setattr(data_export, "publish", lambda export_id: None)  # the worker has not started yet
    login(client, cast.resident)
    page = client.get("/accounts/me/data")
    for _ in range(2):
        client.post("/accounts/me/data", data={"csrf_token": csrf_token_from(page.data)})
    html = client.get("/accounts/me/data").get_data(as_text=True)
    assert html.count('data-state="queued"') == 1 and '<meta http-equiv="refresh"' in html


def test_the_copy_lists_sessions_two_step_status_and_staff_looks_but_no_secret_and_no_staff_name(app, client, cast):
    district = app.test_client()
    login(district, cast.district)
    submit(district, f"/staff/people/{cast.resident.id}/contact", {"purpose": "verify_identity", "note": "核对身份"},
           environ_base={"REMOTE_ADDR": "198.51.100.9"})
    login(client, cast.resident)
    html = client.get("/accounts/two-factor").get_data(as_text=True)
    secret = re.search(r'id="mfa-secret"[^>]*>([A-Z2-7 ]+)<', html)[1].replace(" ", "")
    codes_page = submit(client, "/accounts/two-factor", {"code": pyotp.TOTP(secret).now()}).get_data(as_text=True)
    assert 'id="recovery-codes"' in codes_page
    with app.app_context():
        hashes = db.session.scalars(select(MfaRecoveryCode.code_hash).where(
            MfaRecoveryCode.user_id == cast.resident.id)).all()
        assert db.session.scalar(select(MfaSettings.secret).where(MfaSettings.user_id == cast.resident.id)) == secret
        token = db.session.execute(text("SELECT secret FROM mfa_settings WHERE user_id = :user"),
                                   {"user": cast.resident.id}).scalar_one()  # as stored, encrypted
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/accounts/me/data/{_ask(client)}/file").data))
    data = json.loads(archive.read("data.json"))
    assert data["two_factor"] == [{"authenticator_on": True, "turned_on_at": data["two_factor"][0]["turned_on_at"],
                                   "recovery_codes_left": 10}]
    assert len(data["sessions"]) == 1 and data["sessions"][0]["ended_at"] is None
    [look] = data["pii_accesses"]
    assert (look["staff_role"], look["area"], look["purpose"], look["note"]) == (
        "district_staff", cast.community.name, "verify_identity", "核对身份")
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode("utf-8", "replace")
    for foreign_or_secret in (secret, token, *hashes, cast.district.display_name, cast.district.phone, "198.51.100.9"):
        assert foreign_or_secret not in everything
