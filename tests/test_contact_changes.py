"""A new email address or phone number needs the password entered within REAUTH_MINUTES and a code sent to the
new address; the old address is told. Addresses of other accounts get the same answer (their owner a notice)."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from planner_platform.accounts.models import Role, User, UserSession
from planner_platform.core.audit import AuditEntry
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from tests.conftest import PASSWORD, fresh_copy, login, submit


@pytest.fixture(autouse=True)
def english(client):
    with client.session_transaction() as session:
        session["locale"] = "en"


def _sent_to(app, address) -> list[str]:
    return [m["body"] for m in app.extensions.get("sent_messages", []) if m["to"] == address]


def _password_entered_minutes_ago(app, minutes):
    with app.app_context():
        db.session.execute(update(UserSession).values(password_verified_at=utcnow() - timedelta(minutes=minutes)))
        db.session.commit()


def test_a_new_email_address_needs_a_recent_password_and_a_code_and_the_old_address_is_told(app, client, make_user):
    user = make_user(Role.resident, "D1S1C1", email="old@example.com", locale="en")
    login(client, user)
    _password_entered_minutes_ago(app, app.config["REAUTH_MINUTES"] + 1)
    response = client.get("/accounts/email")
    assert response.headers["Location"] == "/accounts/confirm-password?next=/accounts/email"
    wrong = submit(client, "/accounts/confirm-password?next=/accounts/email", {"password": "not my password"})
    assert "The password is not correct." in wrong.get_data(as_text=True)
    right = submit(client, "/accounts/confirm-password?next=/accounts/email", {"password": PASSWORD})
    assert right.headers["Location"] == "/accounts/email"

    sent = submit(client, "/accounts/email", {"address": "New@Example.com"})
    assert sent.headers["Location"] == "/accounts/email/confirm"
    assert "new@example.com" in client.get("/accounts/email/confirm").get_data(as_text=True)
    code = re.search(r"\d{6}", _sent_to(app, "new@example.com")[-1]).group(0)
    assert submit(client, "/accounts/email/confirm", {"code": code}).headers["Location"] == "/accounts/profile"
    assert fresh_copy(app, User, user.id).email == "new@example.com"
    [notice] = _sent_to(app, "old@example.com")
    assert "The email address of your account was just changed" in notice
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == user.id)).all()
    assert "auth.reauthenticated" in actions and "accounts.email_changed" in actions


def test_a_new_phone_number_is_confirmed_by_text_and_the_old_number_is_told(app, client, make_user):
    user = make_user(Role.resident, "D1S1C1", locale="en")
    login(client, user)  # the password was just entered: no confirmation needed
    sent = submit(client, "/accounts/phone", {"address": "13700137000"})
    assert sent.headers["Location"] == "/accounts/phone/confirm"
    code = re.search(r"\d{6}", _sent_to(app, "13700137000")[-1]).group(0)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert "The code is not correct." in submit(client, "/accounts/phone/confirm", {"code": wrong}).get_data(
        as_text=True)
    assert submit(client, "/accounts/phone/confirm", {"code": code}).status_code == 302
    assert fresh_copy(app, User, user.id).phone == "13700137000"
    [notice] = _sent_to(app, user.phone)
    assert "The phone number of your account was just changed" in notice
    client.post("/accounts/logout", data={"csrf_token": _token(client)})
    login(client, fresh_copy(app, User, user.id))


def _token(client):
    from tests.conftest import csrf_token_from

    return csrf_token_from(client.get("/").data)


def test_an_address_of_another_account_gets_the_same_answer_and_cannot_be_taken(app, client, make_user):
    make_user(Role.resident, "D1S1C1", email="taken@example.com", locale="en")
    user = make_user(Role.resident, "D1S1C1")
    login(client, user)
    response = submit(client, "/accounts/email", {"address": "taken@example.com"})
    assert response.headers["Location"] == "/accounts/email/confirm"
    [notice] = _sent_to(app, "taken@example.com")
    assert "Someone tried to add this email address to another account" in notice
    html = submit(client, "/accounts/email/confirm", {"code": "123456"}).get_data(as_text=True)
    assert "The code is not correct." in html
    assert fresh_copy(app, User, user.id).email is None


def test_wrong_confirmations_count_towards_the_lockout(app, client, make_user):
    user = make_user(Role.resident, "D1S1C1")
    login(client, user)
    _password_entered_minutes_ago(app, app.config["REAUTH_MINUTES"] + 1)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        submit(client, "/accounts/confirm-password", {"password": "a guess at the password"})
    locked = submit(client, "/accounts/confirm-password", {"password": PASSWORD}).get_data(as_text=True)
    assert "locked for" in locked
    assert client.get("/accounts/email").status_code == 302
