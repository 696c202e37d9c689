"""Residents register in two steps: a code texted to their phone, then the code with their details and explicit
consent. A number that already has an account gets the same pages (its owner is told by text message instead),
codes expire, work once, take only a few wrong tries and are stored hashed; bad input stores nothing."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from planner_platform.accounts.models import Consent, Role, RoleGrant, User, VerificationCode
from planner_platform.core.audit import AuditEntry
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from tests.conftest import submit

PHONE = "13800138000"
DETAILS = {"display_name": "王阿姨", "password": "my garden by the river", "confirm": "my garden by the river",
           "consent": "y"}


@pytest.fixture(autouse=True)
def english(client):
    with client.session_transaction() as session:
        session["locale"] = "en"


def _texts(app, to=PHONE) -> list[str]:
    return [m["body"] for m in app.extensions.get("sent_messages", []) if m["to"] == to]


def _start(client, phone="138 0013 8000"):
    return submit(client, "/accounts/register", {"phone": phone})


def _code(app) -> str:
    return re.search(r"registration code is (\d{6})", _texts(app)[-1]).group(1)


def _finish(client, places, code, **changes):
    data = {**DETAILS, "code": code, "community": places["D1S1C1"].id}
    data.update(changes)
    return submit(client, "/accounts/register/details", {k: v for k, v in data.items() if v is not None})


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_resident_registers_with_the_texted_code_and_is_logged_in_with_consent_on_record(app, client, places):
    response = _start(client)
    assert response.headers["Location"] == "/accounts/register/details"
    page = client.get("/accounts/register/details").get_data(as_text=True)
    assert f"We have texted a code to {PHONE}" in page
    code = _code(app)
    assert _finish(client, places, code).status_code == 302
    assert "王阿姨" in client.get("/").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.phone == PHONE))
        assert [(g.role, g.place_id) for g in user.grants] == [(Role.resident, places["D1S1C1"].id)]
        consent = db.session.scalar(select(Consent).where(Consent.user_id == user.id))
        assert consent.purpose == "account" and consent.policy_version == app.config["PRIVACY_POLICY_VERSION"]
        assert user.password_hash.startswith("scrypt:") and "my garden" not in user.password_hash
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.actor_id == user.id).limit(1))
        stored = db.session.scalar(select(VerificationCode))
        # Hashed at rest: neither the code nor the number is in the table.
        assert code not in f"{stored.code_hash}{stored.target_hash}" and PHONE not in stored.target_hash


def test_a_taken_number_gets_the_same_pages_and_its_owner_a_notice_not_a_code(app, client, places, make_user):
    make_user(Role.resident, "D1S1C1", phone=PHONE, display_name="原主人", locale="en")
    free = app.test_client()
    with free.session_transaction() as session:
        session["locale"] = "en"
    taken_start, free_start = _start(client), _start(free, "13800138001")
    assert taken_start.status_code == free_start.status_code == 302
    assert taken_start.headers["Location"] == free_start.headers["Location"]
    taken_page = client.get("/accounts/register/details").get_data(as_text=True)
    free_page = free.get("/accounts/register/details").get_data(as_text=True)
    assert _same_parts(taken_page, PHONE) == _same_parts(free_page, "13800138001")
    [notice] = _texts(app)
    assert "Someone tried to register a new account with this phone number" in notice
    assert not re.search(r"\d{6}", notice.replace(PHONE, ""))
    # Whatever code is tried, the answer is the one a wrong code gets, and no second account appears.
    for code in ("000000", "123456"):
        html = _finish(client, places, code).get_data(as_text=True)
        assert "The code is not correct." in html
    assert _count(app, User) == 1


def _same_parts(html: str, phone: str) -> str:
    """The page without what differs on every request (CSRF token, request id) and the number typed."""
    html = re.sub(r'(name="csrf_token"[^>]*value=)"[^"]+"', r"\1", html.replace(phone, "…"))
    return re.sub(r"<code>[0-9a-f]{16}</code>", "", html)


def test_a_code_works_once(app, client, places):
    _start(client)
    code = _code(app)
    assert _finish(client, places, code).status_code == 302
    again = app.test_client()
    with again.session_transaction() as session:
        session["locale"] = "en"
        session["registration_phone"] = PHONE
    html = _finish(again, places, code).get_data(as_text=True)
    assert "expired or was tried too often" in html
    assert _count(app, User) == 1


def test_a_code_expires(app, client, places):
    _start(client)
    with app.app_context():
        db.session.execute(update(VerificationCode).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert "expired or was tried too often" in _finish(client, places, _code(app)).get_data(as_text=True)
    assert _count(app, User) == 0


def test_wrong_codes_are_limited_even_the_right_one_is_refused_after(app, client, places):
    _start(client)
    code = _code(app)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(app.config["VERIFICATION_CODE_MAX_ATTEMPTS"]):
        assert "The code is not correct." in _finish(client, places, wrong).get_data(as_text=True)
    assert "expired or was tried too often" in _finish(client, places, code).get_data(as_text=True)
    assert _count(app, User) == 0


def test_codes_to_one_number_are_spaced_and_capped(app, client, places):
    for _ in range(3):
        assert _start(client).status_code == 302
    assert len(_texts(app)) == 1  # within VERIFICATION_RESEND_SECONDS the first code stays the one to use
    for _ in range(app.config["VERIFICATION_MAX_SENDS_PER_DAY"] + 2):
        with app.app_context():
            db.session.execute(update(VerificationCode).values(last_sent_at=utcnow() - timedelta(minutes=5)))
            db.session.commit()
        _start(client)
    assert len(_texts(app)) == app.config["VERIFICATION_MAX_SENDS_PER_DAY"]


def test_the_details_step_needs_the_phone_step_first(client, places):
    assert client.get("/accounts/register/details").headers["Location"] == "/accounts/register"


def test_a_bad_phone_number_is_refused_at_the_field(app, client, places):
    html = _start(client, "12345").get_data(as_text=True)
    assert 'id="phone-error"' in html and "11-digit" in html
    assert _texts(app, "12345") == []


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"password": "short", "confirm": "short"}, "password", "at least 10"),
    ({"password": "password123", "confirm": "password123"}, "password", "too common"),
    ({"password": "13800138000abc", "confirm": "13800138000abc"}, "password", "too common"),
    ({"confirm": "something else entirely"}, "confirm", "do not match"),
    ({"consent": None}, "consent", "privacy notice"),
    ({"display_name": ""}, "display_name", "This field is required"),
    ({"display_name": "x" * 51}, "display_name", "50"),
    ({"community": "0"}, "community", ""),
    ({"code": ""}, "code", "This field is required"),
])
def test_bad_input_shows_a_message_next_to_the_field_and_stores_nothing(app, client, places, changes, field, message):
    _start(client)
    response = _finish(client, places, changes.pop("code", _code(app)), **changes)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert message in html
    assert _count(app, User) == 0 and _count(app, RoleGrant) == 0 and _count(app, Consent) == 0
    with app.app_context():  # a refusal for another reason spends no try of the code
        assert db.session.scalar(select(VerificationCode.attempts)) == 0


def test_consent_box_is_not_ticked_in_advance(client, places):
    with client.session_transaction() as session:
        session["registration_phone"] = PHONE
    html = client.get("/accounts/register/details").get_data(as_text=True)
    consent_input = html[html.index('id="consent"') - 200:html.index('id="consent"') + 100]
    assert "checked" not in consent_input
