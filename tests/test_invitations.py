"""Staff accounts come from expiring invitations issued inside the inviter's jurisdiction."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from planner_platform.accounts.models import Invitation, Role, User
from planner_platform.core.audit import AuditEntry
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from tests.conftest import submit

PASSWORD = "planner passphrase 2026"


@pytest.fixture(autouse=True)
def english(client):
    with client.session_transaction() as session:
        session["locale"] = "en"


def _invite(client, places, place_code="D1", role="planner", **extra):
    data = {"display_name": "刘规划师", "phone": "13612345678", "email": "", "role": role,
            "place": places[place_code].id, **extra}
    return submit(client, "/staff/invitations", data)


def test_district_staff_invite_a_planner_who_accepts_and_gets_the_role(app, client, places, make_user, login_as):
    login_as(make_user(Role.district_staff, "D1"))
    html = _invite(client, places).get_data(as_text=True)
    link = re.search(r"http://localhost(/accounts/invitation/[\w-]+)", html).group(1)
    assert app.extensions["sent_messages"][-1]["to"] == "13612345678"
    invitee = app.test_client()
    response = submit(invitee, link, {"phone": "13612345678", "password": PASSWORD, "confirm": PASSWORD,
                                      "consent": "y", "locale": "zh_CN"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.phone == "13612345678"))
        assert [(g.role, g.place.code) for g in user.grants] == [(Role.planner, "D1")]
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "roles.granted"))
    assert invitee.get(link).status_code == 400  # used up


def test_an_expired_invitation_cannot_be_used(app, client, places, make_user, login_as):
    login_as(make_user(Role.admin, "C"))
    html = _invite(client, places).get_data(as_text=True)
    link = re.search(r"http://localhost(/accounts/invitation/[\w-]+)", html).group(1)
    with app.app_context():
        db.session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    response = app.test_client().get(link, headers={"Accept-Language": "en"})
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)


def test_district_staff_cannot_invite_into_another_district(app, client, places, make_user, login_as):
    login_as(make_user(Role.district_staff, "D1"))
    html = _invite(client, places, place_code="D2").get_data(as_text=True)
    assert "Not a valid choice" in html
    with app.app_context():
        assert db.session.scalar(select(Invitation)) is None


def test_a_role_must_match_the_level_of_its_place(app, client, places, make_user, login_as):
    login_as(make_user(Role.district_staff, "D1"))
    html = _invite(client, places, place_code="D1S1", role="planner").get_data(as_text=True)
    assert 'id="place-error"' in html
    with app.app_context():
        assert db.session.scalar(select(Invitation)) is None


def test_district_staff_cannot_hand_out_the_admin_role(app, client, places, make_user, login_as):
    login_as(make_user(Role.district_staff, "D1"))
    html = _invite(client, places, place_code="C", role="admin").get_data(as_text=True)
    assert "Not a valid choice" in html


def test_an_invitation_needs_a_phone_or_an_email(app, client, places, make_user, login_as):
    login_as(make_user(Role.admin, "C"))
    html = _invite(client, places, phone="").get_data(as_text=True)
    assert 'id="email-error"' in html


def test_residents_cannot_open_the_invitation_page(client, make_user, login_as):
    login_as(make_user(Role.resident, "D1S1C1"))
    assert client.get("/staff/invitations").status_code == 403


def test_admin_grants_and_revokes_a_role_and_the_person_is_logged_out(app, client, places, make_user, login_as):
    target = make_user(Role.planner, "D1")
    target_client = app.test_client()
    from tests.conftest import login

    login(target_client, target)
    login_as(make_user(Role.admin, "C"))
    response = submit(client, f"/staff/people/{target.id}", {"role": "subdistrict_staff",
                                                             "place": places["D2S1"].id})
    assert response.status_code == 302
    with app.app_context():
        grant = next(g for g in db.session.get(User, target.id).grants if g.role is Role.planner)
    page = client.get(f"/staff/people/{target.id}")
    from tests.conftest import csrf_token_from

    client.post(f"/staff/grants/{grant.id}/revoke", data={"csrf_token": csrf_token_from(page.data)})
    with app.app_context():
        assert {g.role for g in db.session.get(User, target.id).grants} == {Role.subdistrict_staff}
        actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"roles.granted", "roles.revoked"} <= actions
    assert target_client.get("/accounts/profile").status_code == 302


def test_inviting_a_phone_that_has_an_account_says_where_that_account_is(app, client, places, make_user, login_as):
    """An invitation makes a new account, which an existing number could never accept: the inviter learns at once
    that the person is there already (and, for a former staff member, that the account is disabled)."""
    login_as(make_user(Role.admin, "C"))
    active, former = make_user(Role.resident, "D1S1C1"), make_user(Role.planner, "D1")
    with app.app_context():
        db.session.execute(update(User).where(User.id == former.id).values(is_enabled=False))
        db.session.commit()
    to_active = _invite(client, places, phone=active.phone)
    assert to_active.status_code == 409
    assert f"already belongs to the account of {active.display_name}" in to_active.get_data(as_text=True)
    to_former = _invite(client, places, phone=former.phone).get_data(as_text=True)
    assert f"belongs to the disabled account of {former.display_name}" in to_former
    assert "Disabled accounts" in to_former
    with app.app_context():
        assert db.session.scalar(select(Invitation.id)) is None and not app.extensions.get("sent_messages")


def test_staff_outside_the_accounts_area_are_not_told_whose_number_it_is(app, client, places, make_user, login_as):
    login_as(make_user(Role.district_staff, "D1"))
    elsewhere = make_user(Role.resident, "D2S1C1")
    refused = _invite(client, places, phone=elsewhere.phone).get_data(as_text=True)
    assert "outside your area" in refused and elsewhere.display_name not in refused
