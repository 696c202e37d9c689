"""Contact details are masked on every staff page; a reveal asks why, shows them once and is logged, and the
district reads the log of its area."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from planner_platform.accounts.models import PiiAccess, PiiPurpose, Role
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from planner_platform.proposals.models import Proposal
from tests.conftest import local_date, login, submit
from tests.planners.conftest import roster  # noqa: F401  (fixture)
from tests.proposals.conftest import cast, make_proposal  # noqa: F401  (fixture)

PHONE, MASKED = "13700001111", "137****1111"  # the roster planners' phone
IP = {"environ_base": {"REMOTE_ADDR": "198.51.100.7"}}


@pytest.fixture(autouse=True)
def english(client):
    with client.session_transaction() as session:
        session["locale"] = "en"


def _accesses(app) -> list[PiiAccess]:
    with app.app_context():
        rows = db.session.scalars(select(PiiAccess).order_by(PiiAccess.id)).all()
        db.session.expunge_all()
        return rows


def _reveal(client, url, purpose="handle_case", note="回电：投诉 2026-118"):
    return submit(client, url, {"purpose": purpose, "note": note}, **IP)


def test_a_reveal_shows_the_planners_contact_once_and_logs_one_row(app, client, make_user, roster):  # noqa: F811
    staff = make_user(Role.district_staff, "D1", display_name="区住建局小周")
    login(client, staff)
    detail = client.get(f"/planners/{roster['lead']}").get_data(as_text=True)
    assert MASKED in detail and PHONE not in detail and f"/planners/{roster['lead']}/contact" in detail
    assert not _accesses(app), "opening the page is no access"

    response = _reveal(client, f"/planners/{roster['lead']}/contact")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert PHONE in page and "李规划@example.com" in page
    assert "no-store" in response.headers["Cache-Control"]
    [access] = _accesses(app)
    assert (access.actor_id, access.actor_role, access.subject_type, access.subject_id, access.fields,
            access.purpose, access.note, access.ip) == (
        staff.id, Role.district_staff, "planner_profiles", roster["lead"], ["phone", "email"],
        PiiPurpose.handle_case, "回电：投诉 2026-118", "198.51.100.7")
    assert access.subject_user_id == roster["accounts"]["lead"].id
    # Nothing is kept: the page is masked again and the session carries no phone.
    assert PHONE not in client.get(f"/planners/{roster['lead']}").get_data(as_text=True)
    with client.session_transaction() as session:
        assert PHONE not in repr(dict(session))


@pytest.mark.parametrize(("role", "code"), [(None, None), (Role.resident, "D1S1C1"), (Role.city_observer, "C"),
                                            (Role.subdistrict_staff, "D1S1"), (Role.district_staff, "D2")])
def test_who_may_not_see_a_planners_contact_is_refused_and_nothing_is_logged(app, client, make_user, roster,  # noqa: F811
                                                                             role, code):
    login(client, make_user(role, code))
    url = f"/planners/{roster['lead']}/contact"
    assert client.get(url).status_code == 403
    assert submit(client, url, {"purpose": "handle_case", "note": "x"}, form_url="/").status_code == 403
    assert client.get(f"/planners/{roster['lead']}").get_data(as_text=True).count("/contact") == 0
    assert not _accesses(app)


def test_a_reveal_without_a_purpose_is_refused_with_a_message(app, client, make_user, roster):  # noqa: F811
    login(client, make_user(Role.district_staff, "D1"))
    url = f"/planners/{roster['lead']}/contact"
    response = _reveal(client, url, purpose="", note="")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose why you need the contact details." in page and PHONE not in page
    response = _reveal(client, url, purpose="other", note="")
    assert response.status_code == 422 and "Say what you need the contact details for." in response.get_data(
        as_text=True)
    assert not _accesses(app)


def test_the_reveal_form_asks_in_chinese(client, make_user, roster):  # noqa: F811
    login(client, make_user(Role.district_staff, "D1"))
    with client.session_transaction() as session:
        session["locale"] = "zh_CN"
    page = client.get(f"/planners/{roster['lead']}/contact").get_data(as_text=True)
    assert "用途" in page and "查看联系方式" in page and "Purpose" not in page


def test_staff_pages_show_phones_masked_and_the_account_reveal_is_logged(app, client, places, make_user):
    person = make_user(Role.community_worker, "D1S1C1", phone="13900000007", email="wang@example.com")
    manager = make_user(Role.district_staff, "D1")
    login(client, manager)
    listing = client.get("/staff/people").get_data(as_text=True)
    detail = client.get(f"/staff/people/{person.id}").get_data(as_text=True)
    for page in (listing, detail):
        assert "139****0007" in page and "13900000007" not in page
    assert f"/staff/people/{person.id}/contact" in detail and "/contact" not in listing

    page = _reveal(client, f"/staff/people/{person.id}/contact", purpose="verify_identity").get_data(as_text=True)
    assert "13900000007" in page and "wang@example.com" in page
    [access] = _accesses(app)
    assert (access.subject_type, access.subject_user_id, access.place_id, access.purpose, access.ip) == (
        "users", person.id, places["D1S1C1"].id, PiiPurpose.verify_identity, "198.51.100.7")

    other = app.test_client()
    login(other, make_user(Role.district_staff, "D2"))
    assert other.get(f"/staff/people/{person.id}/contact").status_code == 403


def test_an_offline_proposers_phone_is_masked_for_the_community_and_revealed_with_a_reason(app, client, cast):  # noqa: F811
    proposal_id = make_proposal(app, cast.resident)
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        proposal.on_behalf_name, proposal.on_behalf_phone, proposal.consent_recorded_at = "刘大爷", "13812345678", \
            utcnow()
        db.session.commit()
    login(client, cast.worker)
    detail = client.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    assert "138****5678" in detail and "13812345678" not in detail
    assert "13812345678" in _reveal(client, f"/proposals/{proposal_id}/contact").get_data(as_text=True)
    [access] = _accesses(app)
    assert (access.actor_role, access.subject_type, access.subject_name, access.fields, access.place_id) == (
        Role.community_worker, "proposals", "刘大爷", ["on_behalf_phone"], cast.community.id)
    resident = app.test_client()
    login(resident, cast.neighbour)
    assert resident.get(f"/proposals/{proposal_id}/contact").status_code == 403
    assert len(_accesses(app)) == 1


def test_the_district_reads_the_log_of_its_area_and_no_other(app, client, make_user, roster):  # noqa: F811
    looker = make_user(Role.district_staff, "D1", display_name="区住建局小周")
    login(client, looker)
    _reveal(client, f"/planners/{roster['lead']}/contact")
    reader = app.test_client()
    login(reader, make_user(Role.district_staff, "D1"))
    home = reader.get("/").get_data(as_text=True)
    assert "/staff/pii-accesses/" in home
    log = reader.get("/staff/pii-accesses/").get_data(as_text=True)
    assert "区住建局小周" in log and "李规划" in log and "198.51.100.7" in log and "回电：投诉 2026-118" in log

    today, tomorrow = local_date(), local_date() + timedelta(days=1)
    for query, seen in ((f"?actor=小周&since={today}&until={today}", True), ("?actor=别人", False),
                        ("?subject=李规划", True), ("?subject=赵规划", False), (f"?since={tomorrow}", False)):
        assert ("区住建局小周" in reader.get(f"/staff/pii-accesses/{query}").get_data(as_text=True)) is seen, query

    elsewhere = app.test_client()
    login(elsewhere, make_user(Role.district_staff, "D2"))
    assert "区住建局小周" not in elsewhere.get("/staff/pii-accesses/").get_data(as_text=True)
    admin = app.test_client()
    login(admin, make_user(Role.admin, "C"))
    assert "区住建局小周" in admin.get("/staff/pii-accesses/").get_data(as_text=True)
    for role, code in ((Role.subdistrict_staff, "D1S1"), (Role.planner, "D1")):
        street = app.test_client()
        login(street, make_user(role, code))
        assert street.get("/staff/pii-accesses/").status_code == 403
        assert "/staff/pii-accesses/" not in street.get("/").get_data(as_text=True)


def test_the_edit_form_shows_the_stored_contact_as_a_logged_look(app, client, make_user, roster):  # noqa: F811
    manager = make_user(Role.district_staff, "D1")
    login(client, manager)
    assert PHONE in client.get(f"/planners/{roster['lead']}/edit").get_data(as_text=True)
    [access] = _accesses(app)
    assert (access.actor_id, access.purpose, access.fields) == (manager.id, PiiPurpose.roster_upkeep,
                                                                ["phone", "email"])


def test_the_log_is_append_only(app, client, make_user, roster):  # noqa: F811
    login(client, make_user(Role.district_staff, "D1"))
    _reveal(client, f"/planners/{roster['lead']}/contact")
    with app.app_context():
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(PiiAccess.__table__.update().values(note="edited"))
        db.session.rollback()
