"""Login by phone or email, lockout after repeated failures, server-side logout and safe redirects."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from planner_platform.accounts.models import LoginThrottle, Role, UserSession
from planner_platform.core.audit import AuditEntry
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from tests.conftest import PASSWORD, csrf_token_from, login, submit


@pytest.fixture(autouse=True)
def english(client):
    with client.session_transaction() as session:
        session["locale"] = "en"


def _attempt(client, login_name, password):
    return submit(client, "/accounts/login", {"login": login_name, "password": password})


def test_login_by_phone_or_email_opens_the_home_page(client, make_user):
    user = make_user(Role.resident, "D1S1C1", email="resident@example.com")
    assert _attempt(client, user.phone, PASSWORD).status_code == 302
    assert user.display_name in client.get("/").get_data(as_text=True)
    client.post("/accounts/logout", data={"csrf_token": _token(client)})
    assert _attempt(client, "Resident@Example.com", PASSWORD).status_code == 302


def _token(client):
    from tests.conftest import csrf_token_from

    return csrf_token_from(client.get("/").data)


def test_wrong_password_gives_one_generic_message_for_known_and_unknown_logins(client, make_user):
    user = make_user(Role.resident, "D1S1C1")
    known = _attempt(client, user.phone, "wrong password here").get_data(as_text=True)
    unknown = _attempt(client, "13111111111", "wrong password here").get_data(as_text=True)
    message = "The phone number, email or password is not correct."
    assert message in known and message in unknown


def test_repeated_failures_lock_the_account_with_a_clear_message_and_an_audit_trail(app, client, make_user):
    user = make_user(Role.resident, "D1S1C1")
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert "not correct" in _attempt(client, user.phone, "wrong password here").get_data(as_text=True)
    locked = _attempt(client, user.phone, "wrong password here").get_data(as_text=True)
    assert "locked for 15 minutes" in locked
    # Even the right password is refused while the lock lasts.
    still_locked = _attempt(client, user.phone, PASSWORD)
    assert still_locked.status_code == 422 and "locked for" in still_locked.get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == str(user.id))
                                     .order_by(AuditEntry.id)).all()
    assert actions.count("auth.login_failed") == app.config["LOGIN_MAX_FAILURES"]
    assert "auth.locked" in actions and actions[-1] == "auth.login_blocked"


def test_the_lock_expires(app, client, make_user):
    user = make_user(Role.resident, "D1S1C1")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _attempt(client, user.phone, "wrong password here")
    assert "locked for" in _attempt(client, user.phone, PASSWORD).get_data(as_text=True)
    with app.app_context():
        db.session.execute(update(LoginThrottle).values(locked_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert _attempt(client, user.phone, PASSWORD).status_code == 302


def test_a_login_nobody_uses_is_locked_exactly_like_an_account(app, client, make_user):
    """The lockout must not tell which phone numbers have an account (no enumeration)."""
    user = make_user(Role.resident, "D1S1C1")
    pages = {}
    for login_name in (user.phone, "13111111111"):
        pages[login_name] = [_attempt(client, login_name, "wrong password here").get_data(as_text=True)
                             for _ in range(app.config["LOGIN_MAX_FAILURES"] + 1)]
    known, unknown = pages[user.phone], pages["13111111111"]
    assert "locked for 15 minutes" in known[-2] and "locked for 15 minutes" in unknown[-2]
    assert "locked for 15 more minutes" in known[-1] and "locked for 15 more minutes" in unknown[-1]
    for known_page, unknown_page in zip(known, unknown):
        assert _message(known_page) == _message(unknown_page)


def _message(html: str) -> str:
    start = html.index('id="password-error"')
    return html[start:html.index("</div>", start)]


@pytest.mark.committing  # threads: each racer has its own connection
def test_concurrent_failures_are_all_counted(app, client, make_user, monkeypatch):
    """N simultaneous wrong passwords count N (one atomic UPDATE), so the Nth locks even under a race."""
    attempts = 8
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", attempts)
    user = make_user(Role.resident, "D1S1C1")
    clients = [app.test_client() for _ in range(attempts)]
    tokens = [csrf_token_from(c.get("/accounts/login").data) for c in clients]
    start = threading.Barrier(attempts)
    statuses = []

    def fail(client, token):
        start.wait()
        response = client.post("/accounts/login", data={"csrf_token": token, "login": user.phone,
                                                        "password": "wrong password here"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=fail, args=pair) for pair in zip(clients, tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [422] * attempts
    with app.app_context():
        failed = db.session.scalars(select(AuditEntry.details).where(AuditEntry.action == "auth.login_failed")).all()
    assert sorted(entry["attempt"] for entry in failed) == list(range(1, attempts + 1))
    locked = _attempt(client, user.phone, PASSWORD)
    assert locked.status_code == 422 and "locked for" in locked.get_data(as_text=True)


def test_logout_kills_the_session_on_the_server_so_a_copied_cookie_is_useless(app, client, make_user):
    user = make_user(Role.district_staff, "D1")
    login(client, user)
    stolen = client.get_cookie("pp_session").value
    assert client.get("/accounts/profile").status_code == 200
    client.post("/accounts/logout", data={"csrf_token": _token(client)})
    client.set_cookie("pp_session", stolen)
    assert client.get("/accounts/profile").status_code == 302  # back to the login page
    with app.app_context():
        logout = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "auth.logout"))
        assert (logout.actor_id, logout.object_id, logout.ip) == (user.id, str(user.id), "127.0.0.1")


def test_password_change_ends_other_sessions_but_keeps_this_one(app, make_user):
    user = make_user(Role.resident, "D1S1C1")
    phone, laptop = app.test_client(), app.test_client()
    login(phone, user)
    login(laptop, user)
    with phone.session_transaction() as session:
        session["locale"] = "en"
    response = submit(phone, "/accounts/password", {"current_password": PASSWORD, "password": "a new long passphrase",
                                                    "confirm": "a new long passphrase",
                                                    "end_other_sessions": "y"})
    assert response.status_code == 302
    assert phone.get("/accounts/profile").status_code == 200
    assert laptop.get("/accounts/profile").status_code == 302


def test_password_change_needs_the_current_password(client, make_user):
    user = make_user(Role.resident, "D1S1C1")
    login(client, user)
    html = submit(client, "/accounts/password", {"current_password": "not it at all", "password": "a new passphrase!",
                                                 "confirm": "a new passphrase!"}).get_data(as_text=True)
    assert 'id="current_password-error"' in html


def test_an_idle_session_expires(app, client, make_user):
    user = make_user(Role.resident, "D1S1C1")
    login(client, user)
    with app.app_context():
        for live in db.session.scalars(select(UserSession)):
            live.last_seen_at = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES_RESIDENT"] + 1)
        db.session.commit()
    assert client.get("/accounts/profile").status_code == 302


@pytest.mark.parametrize(("next_url", "expected"), [
    ("/places/", "/places/"),
    ("//evil.example/", "/"),
    ("https://evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("////evil.example", "/"),
])
def test_login_redirects_only_to_pages_of_this_site(client, make_user, next_url, expected):
    user = make_user(Role.resident, "D1S1C1")
    page = client.get("/accounts/login")
    from tests.conftest import csrf_token_from

    response = client.post("/accounts/login", query_string={"next": next_url},
                           data={"csrf_token": csrf_token_from(page.data), "login": user.phone, "password": PASSWORD})
    assert response.headers["Location"] == expected


def test_disabled_accounts_cannot_log_in(app, client, make_user):
    user = make_user(Role.resident, "D1S1C1", is_enabled=False)
    assert _attempt(client, user.phone, PASSWORD).status_code == 422
