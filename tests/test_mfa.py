"""Two-step verification from outside: the code step after the password, replay and guessing refused, recovery
codes, the staff grace login then forced enrolment, an administrator's reset, and the demo accounts' key."""
import re
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import func, select

from planner_platform.accounts.demo import DEMO_TOTP_SECRET
from planner_platform.accounts.models import MfaSettings, Role, RoleGrant, UserSession
from planner_platform.core.audit import AuditEntry
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from tests.conftest import PASSWORD, login, submit, totp_code

STAFF_PAGES = ["/accounts/profile", "/staff/people", "/workspace/", "/monitoring/", "/audit",
               "/accounts/sessions", "/accounts/two-factor", "/notifications/"]


@pytest.fixture(autouse=True)
def english(client):
    with client.session_transaction() as session:
        session["locale"] = "en"


def _password(client, user):
    return submit(client, "/accounts/login", {"login": user.phone, "password": PASSWORD})


def _code(client, code):
    return submit(client, "/accounts/login/code", {"code": code})


def _logout(client):
    page = client.get("/accounts/profile")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    client.post("/accounts/logout", data={"csrf_token": token})


def _actions(app, user_id):
    with app.app_context():
        return db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == str(user_id))
                                  .order_by(AuditEntry.id)).all()


def _live_sessions(app, user_id):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(UserSession).where(
            UserSession.user_id == user_id, UserSession.revoked_at.is_(None)))


def test_a_staff_login_without_the_code_reaches_nothing(app, client, make_user):
    admin = make_user(Role.admin, "C")
    response = _password(client, admin)
    assert response.headers["Location"] == "/accounts/login/code"
    for path in STAFF_PAGES:
        page = client.get(path)
        assert page.status_code == 302 and page.headers["Location"].startswith("/accounts/login"), path
    assert admin.display_name not in client.get("/").get_data(as_text=True)
    assert _live_sessions(app, admin.id) == 0
    assert "auth.login" not in _actions(app, admin.id)
    assert _code(client, totp_code(app, admin.phone)).status_code == 302
    assert client.get("/staff/people").status_code == 200
    with app.app_context():
        login_entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "auth.login"))
        assert login_entry.details == {"factor": "totp"}


def test_the_code_step_expires(app, client, make_user, clock):
    staff = make_user(Role.district_staff, "D1")
    _password(client, staff)
    form = client.get("/accounts/login/code").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    clock(utcnow() + timedelta(minutes=app.config["MFA_PENDING_MINUTES"], seconds=1))
    response = client.post("/accounts/login/code", data={"csrf_token": token, "code": totp_code(app, staff.phone)})
    assert response.status_code == 302 and response.headers["Location"] == "/accounts/login"
    assert client.get("/accounts/profile").status_code == 302


def test_a_wrong_code_is_refused_and_guessing_locks_the_code_step(app, client, make_user):
    staff = make_user(Role.district_staff, "D1")
    _password(client, staff)
    wrong = _code(client, "000000" if totp_code(app, staff.phone) != "000000" else "111111")
    assert wrong.status_code == 422 and "The code is not correct." in wrong.get_data(as_text=True)
    assert client.get("/accounts/profile").status_code == 302
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        _code(client, "not-a-code")
    locked = _code(client, totp_code(app, staff.phone))  # even the right code, while the lock lasts
    assert locked.status_code == 422 and "Too many wrong codes" in locked.get_data(as_text=True)
    actions = _actions(app, staff.id)
    assert actions.count("auth.mfa_failed") == app.config["LOGIN_MAX_FAILURES"] and "auth.mfa_blocked" in actions


def test_a_code_works_once(app, make_user):
    staff = make_user(Role.subdistrict_staff, "D1S1")
    code = pyotp.TOTP(DEMO_TOTP_SECRET).at(utcnow())
    first, second = app.test_client(), app.test_client()
    _password(first, staff)
    assert _code(first, code).status_code == 302
    _password(second, staff)
    replayed = _code(second, code)
    assert replayed.status_code == 422 and second.get("/accounts/profile").status_code == 302


def _enrol(client) -> list[str]:
    """Turn two-step verification on from the account page, with the key shown; returns the recovery codes."""
    page = client.get("/accounts/two-factor").get_data(as_text=True)
    assert "<svg" in page  # the QR code, inline
    secret = re.search(r'id="mfa-secret"[^>]*>([A-Z2-7]+)<', page).group(1)
    done = submit(client, "/accounts/two-factor", {"code": pyotp.TOTP(secret).at(utcnow())})
    assert done.status_code == 200
    return re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", done.get_data(as_text=True))


def test_a_resident_opts_in_and_a_recovery_code_works_once(app, client, make_user):
    resident = make_user(Role.resident, "D1S1C1")
    login(client, resident)
    codes = _enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "auth.mfa_enrolled" in _actions(app, resident.id)
    with app.app_context():
        stored = db.session.scalar(select(MfaSettings).where(MfaSettings.user_id == resident.id))
        assert stored.confirmed_at is not None
    _logout(client)
    assert _password(client, resident).headers["Location"] == "/accounts/login/code"
    used = _code(client, codes[3].upper())
    assert used.status_code == 302 and client.get("/accounts/profile").status_code == 200
    assert "auth.mfa_recovery_code_used" in _actions(app, resident.id)
    _logout(client)
    _password(client, resident)
    again = _code(client, codes[3])
    assert again.status_code == 422 and client.get("/accounts/profile").status_code == 302


def test_new_recovery_codes_void_the_old_and_a_resident_may_turn_the_second_step_off(app, client, make_user):
    resident = make_user(Role.resident, "D1S1C1")
    login(client, resident)
    old = _enrol(client)
    renewed = submit(client, "/accounts/two-factor/recovery-codes", {}, form_url="/accounts/two-factor")
    new = re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", renewed.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    _logout(client)
    _password(client, resident)
    assert _code(client, old[0]).status_code == 422
    assert _code(client, new[0]).status_code == 302
    off = submit(client, "/accounts/two-factor/off", {}, form_url="/accounts/two-factor")
    assert off.status_code == 302 and "auth.mfa_disabled" in _actions(app, resident.id)
    _logout(client)
    assert _password(client, resident).headers["Location"] != "/accounts/login/code"
    assert client.get("/accounts/profile").status_code == 200


def test_staff_cannot_turn_the_second_step_off(app, client, make_user):
    staff = make_user(Role.planner, "D1")
    login(client, staff)
    page = client.get("/accounts/two-factor").get_data(as_text=True)
    assert "/accounts/two-factor/off" not in page
    refused = submit(client, "/accounts/two-factor/off", {}, form_url="/accounts/two-factor")
    assert refused.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(MfaSettings.confirmed_at).where(MfaSettings.user_id == staff.id))


def test_staff_get_one_grace_login_then_must_enrol_before_anything_else(app, client, make_user):
    staff = make_user(Role.planner, "D1", mfa=False)
    login(client, staff)
    assert client.get("/accounts/profile").status_code == 200  # the grace login
    _logout(client)
    login(client, staff)
    for path in ("/accounts/profile", "/proposals/", "/accounts/sessions", "/"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/accounts/two-factor", path
    _enrol(client)
    assert client.get("/accounts/profile").status_code == 200
    _logout(client)
    assert _password(client, staff).headers["Location"] == "/accounts/login/code"


def test_an_admin_resets_mfa_with_an_audit_row_and_the_person_enrols_again(app, make_user):
    admin, staff = make_user(Role.admin, "C"), make_user(Role.district_staff, "D1")
    admin_client, staff_client = app.test_client(), app.test_client()
    login(staff_client, staff)
    login(admin_client, admin)
    url = f"/staff/people/{staff.id}/mfa/reset"
    assert f'href="{url}"' in admin_client.get(f"/staff/people/{staff.id}").get_data(as_text=True)
    assert 'id="action-warning"' in admin_client.get(url).get_data(as_text=True)  # a button leads to a confirmation
    unexplained = submit(admin_client, url, {"reason": " "})
    assert unexplained.status_code == 422 and "auth.mfa_reset" not in _actions(app, staff.id)
    assert submit(admin_client, url, {"reason": "手机丢失，本人到街道确认"}).status_code == 302
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "auth.mfa_reset"))
        assert (entry.actor_id, entry.object_id) == (admin.id, str(staff.id))
        assert entry.details["reason"] == "手机丢失，本人到街道确认"
    assert staff_client.get("/accounts/profile").status_code == 302  # the lost phone's session is over
    login(staff_client, staff)
    assert staff_client.get("/accounts/profile").headers["Location"] == "/accounts/two-factor"


def test_only_an_administrator_may_reset_or_disable(app, client, make_user):
    manager, staff = make_user(Role.district_staff, "D1"), make_user(Role.planner, "D1")
    login(client, manager)
    page = client.get(f"/staff/people/{staff.id}").get_data(as_text=True)
    assert "Reset two-step verification" not in page
    for action in ("mfa/reset", "disable"):
        assert client.get(f"/staff/people/{staff.id}/{action}").status_code == 403
        assert submit(client, f"/staff/people/{staff.id}/{action}", {"reason": "x"},
                      form_url=f"/staff/people/{staff.id}").status_code == 403
    assert "auth.mfa_reset" not in _actions(app, staff.id)


def test_the_demo_staff_have_the_published_key_and_residents_none(demo_app):
    with demo_app.app_context():
        rows = db.session.execute(select(RoleGrant.role, MfaSettings.secret, MfaSettings.confirmed_at)
                                  .outerjoin(MfaSettings, MfaSettings.user_id == RoleGrant.user_id)).all()
    assert {(role is Role.resident, secret, confirmed is not None) for role, secret, confirmed in rows} == {
        (False, DEMO_TOTP_SECRET, True), (True, None, False)}
    assert DEMO_TOTP_SECRET in (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
