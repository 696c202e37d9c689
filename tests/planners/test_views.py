"""The roster and appointment pages as their users see them, including the role × action matrix."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from planner_platform.accounts.models import Role
from planner_platform.extensions import db
from planner_platform.planners.models import Assignment, AssignmentState, PlannerProfile, PolicyProfile, Team
from tests.conftest import csrf_token_from, local_date, login, submit

TODAY = local_date()


@pytest.fixture(autouse=True)
def english(client):
    with client.session_transaction() as session:
        session["locale"] = "en"


def _appoint(client, holder, communities, role="lead", start=TODAY):
    return submit(client, "/assignments/new", {"holder": holder, "communities": communities, "role": role,
                                               "start_on": start.isoformat(), "end_on": "",
                                               "appointing_body": "水果湖街道办事处", "contract_ref": "HT-2026-01"})


def test_a_street_officer_appoints_a_team_the_planner_sees_it_and_residents_see_their_planners(
        app, client, places, make_user, roster):
    officer = make_user(Role.subdistrict_staff, "D1S1")
    login(client, officer)
    response = _appoint(client, f"team:{roster['team']}", [places["D1S1C1"].id, places["D1S1C2"].id])
    assert response.status_code == 302
    planner_home = app.test_client()
    login(planner_home, roster["accounts"]["member"])
    home = planner_home.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "D1社区1" in home and "D1社区2" in home and "东湖一队" in home
    with app.app_context():
        term_id = db.session.scalar(select(Assignment.id).limit(1))
    assert planner_home.get(f"/assignments/{term_id}").status_code == 200  # a team member opens the team's term
    assert app.test_client().get(f"/assignments/{term_id}").status_code == 302  # anonymous: to the login page
    resident = app.test_client()
    login(resident, make_user(Role.resident, "D1S1C1"))
    page = resident.get(f"/places/{places['D1S1C1'].id}").get_data(as_text=True)
    assert "东湖一队" in page and "李规划" in page and "137****1111" in page and "13700001111" not in page
    coverage = client.get(f"/assignments/coverage/{places['D1S1'].id}").get_data(as_text=True)
    assert "2 of 2 communities have an active lead planner" in coverage


def test_bulk_appointment_is_all_or_nothing(app, client, places, make_user, roster):
    login(client, make_user(Role.district_staff, "D1"))
    assert _appoint(client, f"planner:{roster['lead']}", [places["D1S1C2"].id]).status_code == 302
    html = _appoint(client, f"planner:{roster['member']}", [places["D1S1C1"].id, places["D1S1C2"].id])\
        .get_data(as_text=True)
    assert "D1社区2 already has a lead planner" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == 1


@pytest.mark.parametrize(("data", "message"), [
    ({"communities": []}, "Choose at least one community"),
    ({"start_on": "not a date"}, "Not a valid date value"),
    ({"end_on": (TODAY - timedelta(days=1)).isoformat()}, "The term must end after it starts"),
    ({"appointing_body": ""}, "This field is required"),
])
def test_bad_appointment_input_is_refused_and_nothing_stored(app, client, places, make_user, roster, data,
                                                              message):
    login(client, make_user(Role.district_staff, "D1"))
    form = {"holder": f"planner:{roster['lead']}", "communities": [places["D1S1C1"].id], "role": "lead",
            "start_on": TODAY.isoformat(), "end_on": "", "appointing_body": "x", "contract_ref": "", **data}
    html = submit(client, "/assignments/new", form).get_data(as_text=True)
    assert message in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0


def test_an_officer_cannot_appoint_in_another_street_by_posting_its_id(app, client, places, make_user, roster):
    login(client, make_user(Role.subdistrict_staff, "D1S1"))
    html = _appoint(client, f"planner:{roster['lead']}", [places["D2S1C1"].id]).get_data(as_text=True)
    assert "is not a valid choice" in html


def _version(page) -> str:
    return re.search(r'name="version" type="hidden" value="(\d+)"', page.get_data(as_text=True)).group(1)


def _term(app, make_user, places, roster):
    officer = make_user(Role.subdistrict_staff, "D1S1")
    client = app.test_client()
    with client.session_transaction() as session:
        session["locale"] = "en"
    login(client, officer)
    _appoint(client, f"planner:{roster['lead']}", [places["D1S1C1"].id])
    with app.app_context():
        return db.session.scalar(select(Assignment.id)), client


def test_suspending_and_terminating_through_the_page(app, places, make_user, roster):
    term_id, client = _term(app, make_user, places, roster)
    url = f"/assignments/{term_id}"
    page = client.get(url)
    version = _version(page)
    suspended = client.post(url, data={"csrf_token": csrf_token_from(page.data), "version": version,
                                       "action": "suspend", "reason": "走访不足",
                                       "rectify_by": (TODAY + timedelta(days=30)).isoformat()})
    assert suspended.status_code == 302
    stale = client.post(url, data={"csrf_token": csrf_token_from(page.data), "version": version,
                                   "action": "terminate", "reason": "x"})
    assert "Someone else changed this while you were looking at it." in stale.get_data(as_text=True)
    version = _version(client.get(url))
    no_reason = submit(client, url, {"version": version, "action": "terminate", "reason": ""})
    assert "Give the reason" in no_reason.get_data(as_text=True)
    assert submit(client, url, {"version": version, "action": "terminate", "reason": "合同解除"}).status_code == 302
    with app.app_context():
        assert db.session.get(Assignment, term_id).state is AssignmentState.terminated


@pytest.mark.parametrize(("role", "code", "status"), [
    (Role.subdistrict_staff, "D1S1", 302),
    (Role.district_staff, "D1", 302),
    (Role.admin, "C", 302),
    (Role.subdistrict_staff, "D2S1", 403),
    (Role.district_staff, "D2", 403),
    (Role.planner, "D1", 403),
    (Role.resident, "D1S1C1", 403),
    (Role.city_observer, "C", 403),
])
def test_who_may_change_a_term_reached_by_id(app, places, make_user, roster, role, code, status):
    term_id, _officer = _term(app, make_user, places, roster)
    client = app.test_client()
    login(client, make_user(role, code))
    response = submit(client, f"/assignments/{term_id}", {"version": "1", "action": "terminate", "reason": "x"},
                      form_url="/")
    assert response.status_code == status


@pytest.mark.parametrize(("role", "code", "roster_status", "planner_status"), [
    (Role.subdistrict_staff, "D1S1", 200, 200),
    (Role.district_staff, "D1", 200, 200),
    (Role.district_staff, "D2", 200, 403),  # sees its own roster, not D1's planner by id
    (Role.city_observer, "C", 200, 200),
    (Role.planner, "D1", 403, 403),
    (Role.resident, "D1S1C1", 403, 403),
])
def test_who_may_read_the_roster(client, make_user, roster, role, code, roster_status, planner_status):
    login(client, make_user(role, code))
    assert client.get("/planners/").status_code == roster_status
    assert client.get(f"/planners/{roster['lead']}").status_code == planner_status


def test_planners_see_their_own_profile_with_full_contact(app, client, roster):
    login(client, roster["accounts"]["lead"])
    html = client.get(f"/planners/{roster['lead']}").get_data(as_text=True)
    assert "13700001111" in html


def test_city_observers_see_contacts_masked(client, make_user, roster):
    login(client, make_user(Role.city_observer, "C"))
    html = client.get(f"/planners/{roster['lead']}").get_data(as_text=True)
    assert "137****1111" in html and "13700001111" not in html


def test_opening_a_planners_page_is_no_pii_access_and_shows_contacts_masked_to_staff(app, make_user, roster):
    from planner_platform.accounts.models import PiiAccess

    for user, full in ((make_user(Role.city_observer, "C"), False), (make_user(Role.district_staff, "D1"), False),
                       (roster["accounts"]["lead"], True)):
        client = app.test_client()
        login(client, user)
        assert ("13700001111" in client.get(f"/planners/{roster['lead']}").get_data(as_text=True)) is full
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PiiAccess)) == 0


def test_the_roster_filters_by_type_and_coverage(app, client, places, make_user, roster):
    login(client, make_user(Role.district_staff, "D1"))
    _appoint(client, f"planner:{roster['lead']}", [places["D1S1C1"].id])
    serving = client.get("/planners/?coverage=serving").get_data(as_text=True)
    idle = client.get("/planners/?coverage=idle").get_data(as_text=True)
    assert "李规划" in serving and "王助理" not in serving
    assert "王助理" in idle and "李规划" not in idle
    assert "李规划" not in client.get("/planners/?type=volunteer").get_data(as_text=True)


def test_district_staff_edit_the_policy_and_the_change_is_audited(app, client, places, make_user):
    login(client, make_user(Role.district_staff, "D1"))
    url = f"/planners/policy/{places['D1'].id}"
    response = submit(client, url, {"term_months": "12", "appointing_level": "district",
                                    "allowed_planner_types": ["institute", "university"],
                                    "max_communities_per_lead": "2", "proposal_categories": "公共空间，绿化",
                                    "activity_types": "工作坊, 社区漫步", "accept_days": "3", "reply_days": "15",
                                    "max_photos": "3", "hide_after_reports": "5", "hide_proposal_after_reports": "4",
                                    "auto_close_days": "20", "public_notice_min_days": "7"})
    assert response.status_code == 302
    with app.app_context():
        policy = db.session.scalar(select(PolicyProfile))
        assert policy.term_months == 12 and policy.proposal_categories == ["公共空间", "绿化"]
        assert policy.proposal_rules == {"max_photos": 3, "hide_after_reports": 5, "hide_proposal_after_reports": 4,
                                         "auto_close_days": 20}
        from planner_platform.core.audit import AuditEntry

        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "policy.updated"))
        assert entry.details["changes"]["term_months"] == {"from": 24, "to": 12}


def test_street_staff_read_but_cannot_change_the_policy(client, places, make_user):
    login(client, make_user(Role.subdistrict_staff, "D1S1"))
    url = f"/planners/policy/{places['D1'].id}"
    assert client.get(url).status_code == 200
    response = submit(client, url, {"term_months": "12", "appointing_level": "district",
                                    "allowed_planner_types": ["institute"], "max_communities_per_lead": "2",
                                    "accept_days": "3", "reply_days": "15", "max_photos": "3",
                                    "hide_after_reports": "5", "hide_proposal_after_reports": "4",
                                    "auto_close_days": "20", "public_notice_min_days": "7"})
    assert response.status_code == 403


def test_staff_build_a_team_with_typed_members(app, client, places, make_user, roster):
    login(client, make_user(Role.subdistrict_staff, "D1S1"))
    response = submit(client, "/planners/teams/new", {
        "name": "高校合伙人队", "district_id": places["D1"].id, "organisation_id": "0", "lead_id": roster["member"],
        f"member_{roster['lead']}": "mentor", f"member_{roster['member']}": ""})
    assert response.status_code == 302
    with app.app_context():
        team = db.session.scalar(select(Team).where(Team.name == "高校合伙人队"))
        roles = {m.planner_id: m.member_role.value for m in team.members}
    assert roles == {roster["member"]: "lead", roster["lead"]: "mentor"}


def test_staff_add_a_planner_linked_to_an_account(app, client, places, make_user, roster):
    account = make_user(Role.planner, "D1", phone="13655556666")
    login(client, make_user(Role.subdistrict_staff, "D1S1"))
    response = submit(client, "/planners/new", {
        "name": "陈规划", "planner_type": "university", "organisation_id": roster["org"],
        "district_id": places["D1"].id, "qualifications": "注册城乡规划师", "expertise": "适老化，儿童友好",
        "phone": "13655556666", "email": "", "account_phone": "13655556666"})
    assert response.status_code == 302
    with app.app_context():
        planner = db.session.scalar(select(PlannerProfile).where(PlannerProfile.name == "陈规划"))
        assert planner.user_id == account.id and planner.expertise == ["适老化", "儿童友好"]
    unknown = submit(client, "/planners/new", {"name": "x", "planner_type": "expert", "organisation_id": "0",
                                               "district_id": places["D1"].id, "account_phone": "13900009999"})
    assert "No planner account of this district uses this phone number" in unknown.get_data(as_text=True)
    # A resident's account (or any account that is not a planner of the district) cannot be linked, and the
    # answer is the same as for an unknown number, so the field reveals nothing about who is registered.
    resident = make_user(Role.resident, "D2S1C1", phone="13644443333")
    refused = submit(client, "/planners/new", {"name": "y", "planner_type": "expert", "organisation_id": "0",
                                               "district_id": places["D1"].id, "account_phone": resident.phone})
    assert "No planner account of this district uses this phone number" in refused.get_data(as_text=True)


def test_a_term_starting_next_week_shows_as_pending_with_its_date_and_does_not_count(app, client, places,
                                                                                    make_user, roster):
    login(client, make_user(Role.subdistrict_staff, "D1S1"))
    start = TODAY + timedelta(days=7)
    assert _appoint(client, f"team:{roster['team']}", [places["D1S1C1"].id], start=start).status_code == 302
    coverage = client.get(f"/assignments/coverage/{places['D1S1'].id}").get_data(as_text=True)
    assert "0 of 2 communities have an active lead planner" in coverage
    assert f"Starting on {start.isoformat()}" in coverage and "东湖一队" in coverage
    resident = app.test_client()
    login(resident, make_user(Role.resident, "D1S1C1"))
    page = resident.get(f"/places/{places['D1S1C1'].id}").get_data(as_text=True)
    assert "本社区暂无社区规划师。" in page  # nobody serves yet: the pending term is listed apart
    assert f"待上岗，{start.isoformat()} 起" in page and "东湖一队" in page
