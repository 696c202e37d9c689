"""Password reset by a one-time link sent through the message backend."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from planner_platform.accounts.models import PasswordResetToken, Role
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from tests.conftest import PASSWORD, login, submit

NEW = "a brand new passphrase"


@pytest.fixture(autouse=True)
def english(client):
    with client.session_transaction() as session:
        session["locale"] = "en"


def _request_link(app, client, login_name) -> str | None:
    response = submit(client, "/accounts/password/forgot", {"login": login_name})
    assert response.status_code == 302
    messages = app.extensions.get("sent_messages", [])
    if not messages:
        return None
    return re.search(r"http://localhost(/accounts/password/reset/\S+)", messages[-1]["body"]).group(1)


def test_reset_link_sets_a_new_password_once_and_ends_old_sessions(app, client, make_user):
    user = make_user(Role.resident, "D1S1C1")
    other_device = app.test_client()
    login(other_device, user)
    link = _request_link(app, client, user.phone)
    assert app.extensions["sent_messages"][-1]["to"] == user.phone
    assert submit(client, link, {"password": NEW, "confirm": NEW}).status_code == 302
    assert other_device.get("/accounts/profile").status_code == 302
    login(client, user, NEW)
    reused = submit(client, link, {"password": "yet another passphrase", "confirm": "yet another passphrase"})
    assert "invalid or has expired" in reused.get_data(as_text=True)


def test_unknown_login_gets_the_same_answer_and_no_message(app, client, places):
    response = submit(client, "/accounts/password/forgot", {"login": "13322223333"}, follow_redirects=True)
    assert "If an account uses this phone number or email" in response.get_data(as_text=True)
    assert app.extensions.get("sent_messages", []) == []


def test_an_expired_link_is_refused(app, client, make_user):
    user = make_user(Role.resident, "D1S1C1")
    link = _request_link(app, client, user.phone)
    with app.app_context():
        db.session.execute(update(PasswordResetToken).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    html = submit(client, link, {"password": NEW, "confirm": NEW}).get_data(as_text=True)
    assert "invalid or has expired" in html
    login(client, user, PASSWORD)


def test_reset_by_email_goes_to_the_email_address(app, client, make_user):
    make_user(Role.resident, "D1S1C1", email="me@example.com")
    _request_link(app, client, "me@example.com")
    assert app.extensions["sent_messages"][-1]["to"] == "me@example.com"


def test_a_reset_lifts_the_lockout_of_the_account(app, client, make_user):
    user = make_user(Role.resident, "D1S1C1")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        submit(client, "/accounts/login", {"login": user.phone, "password": "a wrong guess"})
    link = _request_link(app, client, user.phone)
    assert submit(client, link, {"password": NEW, "confirm": NEW}).status_code == 302
    login(client, user, NEW)
