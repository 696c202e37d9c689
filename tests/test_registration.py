"""Residents register with a phone number, a password and explicit consent; bad input stores nothing."""
import pytest
from sqlalchemy import func, select

from planner_platform.accounts.models import Consent, Role, RoleGrant, User
from planner_platform.core.audit import AuditEntry
from planner_platform.extensions import db
from tests.conftest import submit

GOOD = {"phone": "138 0013 8000", "display_name": "王阿姨", "email": "", "password": "my garden by the river",
        "confirm": "my garden by the river", "consent": "y"}


def _register(client, places, **changes):
    data = {**GOOD, "community": places["D1S1C1"].id, **changes}
    return submit(client, "/accounts/register", {k: v for k, v in data.items() if v is not None})


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_resident_registers_and_is_logged_in_with_consent_on_record(app, client, places):
    response = _register(client, places)
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "王阿姨" in home
    with app.app_context():
        user = db.session.scalar(select(User).where(User.phone == "13800138000"))
        assert [(g.role, g.place_id) for g in user.grants] == [(Role.resident, places["D1S1C1"].id)]
        consent = db.session.scalar(select(Consent).where(Consent.user_id == user.id))
        assert consent.purpose == "account" and consent.policy_version == app.config["PRIVACY_POLICY_VERSION"]
        assert user.password_hash.startswith("scrypt:") and "my garden" not in user.password_hash
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.actor_id == user.id).limit(1))


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"phone": "12345"}, "phone", "11-digit"),
    ({"password": "short", "confirm": "short"}, "password", "at least 10"),
    ({"password": "password123", "confirm": "password123"}, "password", "too common"),
    ({"password": "13800138000abc", "confirm": "13800138000abc"}, "password", "too common"),
    ({"confirm": "something else entirely"}, "confirm", "do not match"),
    ({"consent": None}, "consent", "privacy notice"),
    ({"email": "not-an-email"}, "email", "valid email"),
    ({"display_name": ""}, "display_name", "This field is required"),
    ({"display_name": "x" * 51}, "display_name", "50"),
    ({"community": "0"}, "community", ""),
])
def test_bad_input_shows_a_message_next_to_the_field_and_stores_nothing(app, client, places, changes, field, message):
    with client.session_transaction() as session:
        session["locale"] = "en"
    response = _register(client, places, **changes)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert message in html
    assert _count(app, User) == 0 and _count(app, RoleGrant) == 0 and _count(app, Consent) == 0


def test_a_phone_number_registers_only_once(app, client, places, make_user):
    make_user(Role.resident, "D1S1C1", phone="13800138000")
    with client.session_transaction() as session:
        session["locale"] = "en"
    html = _register(client, places).get_data(as_text=True)
    assert 'id="phone-error"' in html and "already exists" in html
    assert _count(app, User) == 1


def test_consent_box_is_not_ticked_in_advance(client, places):
    html = client.get("/accounts/register").get_data(as_text=True)
    consent_input = html[html.index('id="consent"') - 200:html.index('id="consent"') + 100]
    assert "checked" not in consent_input
