"""Closing an activity (attendance prefilled from check-ins, minutes, files, proposals born there), verification
by the street office, conflicts between simultaneous actions, and the reminders to close."""
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from planner_platform.activities import services
from planner_platform.activities.models import Activity, ActivityFile, ActivityProposal, ActivityState
from planner_platform.extensions import db
from planner_platform.core.outbox import OutboxEvent
from planner_platform.proposals.models import Channel, Proposal
from tests.activities.conftest import actor, client_of, load, make_activity, now
from tests.conftest import csrf_token_from
from tests.proposals.conftest import image_bytes, make_proposal, says

ATTENDANCE = {"att_residents": "18", "att_committee": "2", "att_property": "1", "att_business": "0",
              "att_social_org": "1", "att_government": "1", "att_experts": "3"}


def _held(app, cast, **fields) -> int:
    """A public activity that ended an hour ago."""
    return make_activity(app, cast.planner, starts_in=timedelta(hours=-3), **fields)


def _close_form(client, activity_id, **overrides):
    page = client.get(f"/activities/{activity_id}/close")
    version = load(client.application, activity_id).version
    data = {"csrf_token": csrf_token_from(page.data), "version": str(version),
            "minutes": "讨论了口袋公园的座椅和照明。", **ATTENDANCE, **overrides}
    return client.post(f"/activities/{activity_id}/close", data=data, content_type="multipart/form-data")


def test_check_ins_prefill_the_resident_count(app, cast):
    activity_id = make_activity(app, cast.planner, starts_in=timedelta(minutes=-30), hours=0.5 + 0.25)
    with app.app_context():
        activity = db.session.get(Activity, activity_id)
        for user_id in (cast.resident.id, cast.neighbour.id):
            services.check_in(actor(user_id), activity, activity.checkin_code)
        activity.ends_at = now() - timedelta(minutes=1)  # the activity is over
        db.session.commit()
    page = client_of(app, cast.planner).get(f"/activities/{activity_id}/close").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="att_residents"[^>]*value="2"', page)


def test_closing_records_attendance_files_and_a_proposal_born_in_the_workshop(app, cast):
    activity_id = _held(app, cast)
    existing = make_proposal(app, cast.resident, title="楼道照明不足")
    client = client_of(app, cast.planner)
    response = _close_form(client, activity_id, linked=f"{existing}", proposal_title="口袋公园增设座椅",
                           proposal_description="老人希望在口袋公园休息。", proposal_category="公共空间",
                           proposer_name="工作坊第1组", proposer_consent="y",
                           photos=(io.BytesIO(image_bytes()), "photo.jpg"),
                           sheets=(io.BytesIO(image_bytes("PNG")), "sheet.png"))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        activity = db.session.get(Activity, activity_id)
        assert activity.state is ActivityState.closed and activity.attendance_total == 26
        assert sorted(f.kind.value for f in activity.files) == ["photo", "sign_in_sheet"]
        born = db.session.scalar(select(Proposal).join(ActivityProposal).where(ActivityProposal.created_here))
        assert born.title == "口袋公园增设座椅" and born.channel is Channel.activity
        assert born.on_behalf_name == "工作坊第1组" and born.state.value == "submitted"
        assert {o.proposal_id for o in activity.outputs} == {existing, born.id}
        assert db.session.scalar(select(func.count()).select_from(OutboxEvent).where(
            OutboxEvent.event_type == "activities.closed")) == 1
        sheet = next(f for f in activity.files if f.kind.value == "sign_in_sheet")
    page = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    assert "口袋公园增设座椅" in page and "楼道照明不足" in page
    # Sign-in sheets carry names and phones: the organiser and the office see them, the public does not.
    assert client.get(f"/activities/files/{sheet.id}").status_code == 200
    assert client_of(app, cast.resident).get(f"/activities/files/{sheet.id}").status_code == 403


@pytest.mark.parametrize("overrides, message, values", [
    ({"att_residents": "-3"}, "Enter a number from %(min)s to %(max)s.", {"min": 0, "max": 5000}),
    ({"att_experts": "100000"}, "Enter a number from %(min)s to %(max)s.", {"min": 0, "max": 5000}),
    ({"linked": "abc"}, "Enter proposal numbers separated by commas.", {}),
    ({"linked": "99999"}, "Proposal %(number)d does not exist in this district.", {"number": 99999}),
    ({"proposal_title": "新提案", "proposal_description": "说明", "proposal_category": "公共空间"},
     "Say who made the proposal.", {}),
])
def test_bad_closing_input_is_explained_and_nothing_is_stored(app, cast, overrides, message, values):
    activity_id = _held(app, cast)
    response = _close_form(client_of(app, cast.planner), activity_id, **overrides)
    assert response.status_code == 422 and says(app, response.get_data(as_text=True), message, **values)
    activity = load(app, activity_id)
    assert activity.state is ActivityState.planned and activity.attendance_total == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0
        assert db.session.scalar(select(func.count()).select_from(ActivityFile)) == 0


def test_an_activity_is_closed_only_after_it_ended_and_by_its_organisers(app, cast):
    coming = make_activity(app, cast.planner)
    assert client_of(app, cast.planner).get(f"/activities/{coming}/close").status_code == 200
    response = _close_form(client_of(app, cast.planner), coming)
    assert says(app, response.get_data(as_text=True), "An activity can be closed once it has ended.")
    held = _held(app, cast)
    assert client_of(app, cast.idle_planner).get(f"/activities/{held}/close").status_code == 403


def test_a_proposal_born_in_the_activity_needs_the_proposers_consent(app, cast):
    activity_id = make_activity(app, cast.planner, starts_in=timedelta(hours=-3))
    response = _close_form(client_of(app, cast.planner), activity_id, proposal_title="口袋公园增设座椅",
                           proposal_description="老人希望休息。", proposal_category="公共空间",
                           proposer_name="工作坊第1组")
    assert says(app, response.get_data(as_text=True),
                "Record the proposers' consent before entering their proposal.")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0
    assert load(app, activity_id).state is not ActivityState.closed
