"""Sessions from outside: "my sessions" lists the devices and logs out one or all others, an administrator's
disabling ends every session of the account, and a password change may keep the other devices."""
import re

import pytest
from sqlalchemy import select

from planner_platform.accounts.models import Role, UserSession
from planner_platform.core.audit import AuditEntry
from planner_platform.extensions import db
from tests.conftest import PASSWORD, login, submit

PHONE_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 "
            "Mobile Safari/537.36")
LAPTOP_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


def _english_client(app):
    client = app.test_client()
    with client.session_transaction() as session:
        session["locale"] = "en"
    return client


@pytest.fixture
def devices(app, make_user):
    """A resident logged in on a phone, a laptop and a tablet (three clients)."""
    user = make_user(Role.resident, "D1S1C1")
    clients = {}
    for name, agent in (("phone", PHONE_UA), ("laptop", LAPTOP_UA), ("tablet", PHONE_UA)):
        client = _english_client(app)
        client.environ_base["HTTP_USER_AGENT"] = agent
        login(client, user)
        clients[name] = client
    return user, clients


def _session_ids(app, user_id):
    with app.app_context():
        return db.session.scalars(select(UserSession.id).where(UserSession.user_id == user_id)
                                  .order_by(UserSession.id)).all()


def test_my_sessions_lists_the_devices_and_logs_out_another(app, devices):
    user, clients = devices
    page = clients["phone"].get("/accounts/sessions").get_data(as_text=True)
    assert "Chrome · Android" in page and "Firefox · Windows" in page and page.count("This device") == 1
    assert "127.0.0.1" in page
    laptop_id = _session_ids(app, user.id)[1]
    response = submit(clients["phone"], f"/accounts/sessions/{laptop_id}/end", {}, form_url="/accounts/sessions")
    assert response.status_code == 302
    assert clients["laptop"].get("/accounts/profile").status_code == 302  # its cookie is refused now
    assert clients["phone"].get("/accounts/profile").status_code == 200
    assert clients["tablet"].get("/accounts/profile").status_code == 200
    assert "Firefox · Windows" not in clients["phone"].get("/accounts/sessions").get_data(as_text=True)


def test_one_cannot_end_someone_elses_session(app, devices, make_user):
    user, clients = devices
    other = make_user(Role.resident, "D1S1C2")
    stranger = app.test_client()
    login(stranger, other)
    phone_id = _session_ids(app, user.id)[0]
    submit(stranger, f"/accounts/sessions/{phone_id}/end", {}, form_url="/accounts/sessions")
    assert clients["phone"].get("/accounts/profile").status_code == 200


def test_log_out_all_other_devices(app, devices):
    user, clients = devices
    assert submit(clients["tablet"], "/accounts/sessions/end-others", {},
                  form_url="/accounts/sessions").status_code == 302
    assert clients["phone"].get("/accounts/profile").status_code == 302
    assert clients["laptop"].get("/accounts/profile").status_code == 302
    assert clients["tablet"].get("/accounts/profile").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.actor_id).where(
            AuditEntry.action == "auth.other_sessions_ended")) == user.id


def test_a_password_change_may_keep_the_other_devices(app, devices):
    user, clients = devices
    response = submit(clients["phone"], "/accounts/password", {
        "current_password": PASSWORD, "password": "a new long passphrase", "confirm": "a new long passphrase"})
    assert response.status_code == 302  # the box unticked
    assert clients["laptop"].get("/accounts/profile").status_code == 200
    form = clients["phone"].get("/accounts/password").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*name="end_other_sessions"', form)  # ticked by default


def test_a_disabled_accounts_copied_cookie_is_refused(app, make_user):
    admin, staff = make_user(Role.admin, "C"), make_user(Role.subdistrict_staff, "D1S1")
    admin_client, staff_client = _english_client(app), app.test_client()
    login(staff_client, staff)
    copied = staff_client.get_cookie("pp_session").value
    login(admin_client, admin)
    detail = f"/staff/people/{staff.id}"
    assert submit(admin_client, f"{detail}/disable", {"reason": "left the office"}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("pp_session", copied)
    assert thief.get("/accounts/profile").status_code == 302
    assert staff_client.get("/accounts/profile").status_code == 302
    with app.app_context():
        assert all(row.revoked_at is not None for row in db.session.scalars(
            select(UserSession).where(UserSession.user_id == staff.id)))
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "accounts.disabled"))
        assert (entry.actor_id, entry.object_id) == (admin.id, str(staff.id))
    refused = submit(staff_client, "/accounts/login", {"login": staff.phone, "password": PASSWORD})
    assert refused.status_code == 422 and "此账号已停用" in refused.get_data(as_text=True)
    assert "Enable the account" in admin_client.get(detail).get_data(as_text=True)
    assert submit(admin_client, f"{detail}/enable", {}, form_url=detail).status_code == 302
    login(staff_client, staff)
    assert staff_client.get("/accounts/profile").status_code == 200
