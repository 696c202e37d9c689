"""Verification by the street office, one success and one conflict for simultaneous actions, and the reminders
to close 3 and 7 days after the end, once each."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from planner_platform.activities import services
from planner_platform.activities.models import Activity, ActivityState
from planner_platform.core.errors import Conflict, NotAllowed
from planner_platform.extensions import db
from planner_platform.core.outbox import OutboxEvent
from tests.activities.conftest import actor, client_of, load, make_activity, now
from tests.conftest import submit
from tests.proposals.conftest import says

ATTENDANCE = {"att_residents": 10, "att_committee": 1, "att_property": 0, "att_business": 0, "att_social_org": 0,
              "att_government": 1, "att_experts": 2}


def _closed(app, cast, ended_ago=timedelta(hours=1)) -> int:
    activity_id = make_activity(app, cast.planner, starts_in=-ended_ago - timedelta(hours=2))
    with app.app_context():
        services.close(actor(cast.planner.id), db.session.get(Activity, activity_id),
                       services.ClosingInput(attendance=ATTENDANCE, minutes="纪要"))
        db.session.commit()
    return activity_id


def _events(app, name) -> list[OutboxEvent]:
    with app.app_context():
        return db.session.scalars(select(OutboxEvent).where(OutboxEvent.event_type == name)).all()


def test_the_street_office_verifies_a_closed_activity(app, cast):
    activity_id = _closed(app, cast)
    client = client_of(app, cast.street)
    response = submit(client, f"/activities/{activity_id}/verify", {"version": load(app, activity_id).version},
                      form_url=f"/activities/{activity_id}", follow_redirects=True)
    assert says(app, response.get_data(as_text=True), "The activity is verified.")
    activity = load(app, activity_id)
    assert activity.state is ActivityState.verified and activity.verified_by_id == cast.street.id
    assert _events(app, "activities.verified")[0].payload["recipients"] == {"users": [cast.planner.id]}


def test_a_returned_record_goes_back_to_the_organiser_who_closes_it_again(app, cast):
    activity_id = _closed(app, cast)
    client = client_of(app, cast.street)
    empty = submit(client, f"/activities/{activity_id}/return", {"comment": ""}, form_url=f"/activities/{activity_id}",
                   follow_redirects=True)
    assert says(app, empty.get_data(as_text=True), "Say what should be corrected.")
    assert load(app, activity_id).state is ActivityState.closed
    submit(client, f"/activities/{activity_id}/return", {"comment": "请补充签到表"},
           form_url=f"/activities/{activity_id}")
    activity = load(app, activity_id)
    assert activity.state is ActivityState.returned and activity.return_comment == "请补充签到表"
    assert "请补充签到表" in client_of(app, cast.planner).get(f"/activities/{activity_id}").get_data(as_text=True)
    with app.app_context():
        services.close(actor(cast.planner.id), db.session.get(Activity, activity_id),
                       services.ClosingInput(attendance=ATTENDANCE, minutes="补充后的纪要"))
        db.session.commit()
    assert load(app, activity_id).state is ActivityState.closed


def test_planners_and_other_streets_cannot_verify(app, cast):
    activity_id = _closed(app, cast)
    for user in (cast.planner, cast.other_street, cast.resident):
        with app.app_context(), pytest.raises(NotAllowed):
            services.verify(actor(user.id), db.session.get(Activity, activity_id))


def test_two_officers_acting_on_the_same_record_get_one_success_and_one_conflict(app, cast, make_user):
    activity_id = _closed(app, cast)
    version = load(app, activity_id).version
    first, second = client_of(app, cast.street), client_of(app, cast.district)
    submit(first, f"/activities/{activity_id}/verify", {"version": version}, form_url=f"/activities/{activity_id}")
    response = submit(second, f"/activities/{activity_id}/return", {"version": version, "comment": "不对"},
                      form_url="/activities/records", follow_redirects=True)
    assert says(app, response.get_data(as_text=True), "Someone else changed this while you were looking at it. "
                                                      "Reload the page to see what they did, then try again.")
    assert load(app, activity_id).state is ActivityState.verified


def test_a_write_based_on_a_stale_read_is_a_conflict_not_an_overwrite(app, cast):
    activity_id = _closed(app, cast)
    with app.app_context():  # the district officer's request read the record ...
        seen = db.session.get(Activity, activity_id)
        _ = seen.community.parent, actor(cast.district.id).grants
        db.session.expunge_all()
        db.session.commit()
    with app.app_context():  # ... the street officer verified it meanwhile ...
        services.verify(actor(cast.street.id), db.session.get(Activity, activity_id))
        db.session.commit()
    with app.app_context():  # ... and the district officer's return hits the version check in the database.
        stale = db.session.merge(seen, load=False)
        with pytest.raises(Conflict, match="Someone else changed"):
            services.return_record(actor(cast.district.id), stale, "x")
        db.session.rollback()
    assert load(app, activity_id).state is ActivityState.verified


def _age(app, activity_id, days):
    with app.app_context():
        activity = db.session.get(Activity, activity_id)
        activity.starts_at, activity.ends_at = now() - timedelta(days=days, hours=2), now() - timedelta(days=days)
        db.session.commit()


def _remind(app) -> int:
    with app.app_context():
        sent = services.remind_to_close()
        db.session.commit()
        return sent


def test_organisers_are_reminded_to_close_three_and_seven_days_after_the_end_once_each(app, cast):
    activity_id = make_activity(app, cast.planner, starts_in=timedelta(hours=-5))
    assert _remind(app) == 0
    _age(app, activity_id, 4)
    assert (_remind(app), _remind(app)) == (1, 0)
    _age(app, activity_id, 8)
    assert (_remind(app), _remind(app)) == (1, 0)
    days = sorted(event.payload["days"] for event in _events(app, "activities.close_due"))
    assert days == [3, 7]
    assert all(e.payload["recipients"] == {"users": [cast.planner.id]} for e in _events(app, "activities.close_due"))
    late = make_activity(app, cast.planner, starts_in=timedelta(hours=-5))
    _age(app, late, 10)  # first seen ten days late: one reminder, not two
    assert (_remind(app), _remind(app)) == (1, 0)
    closed = _closed(app, cast, ended_ago=timedelta(days=5))
    assert _remind(app) == 0 and load(app, closed).reminded_3_at is None


def test_registered_residents_are_reminded_the_day_before(app, cast):
    from planner_platform.core.calendar import local_zone

    with app.app_context():
        tomorrow_10 = (now().astimezone(local_zone()) + timedelta(days=1)).replace(hour=10, minute=0)
    activity_id = make_activity(app, cast.planner, starts_in=tomorrow_10 - now())
    with app.app_context():
        services.register(actor(cast.resident.id), db.session.get(Activity, activity_id))
        db.session.commit()
        assert (services.remind_registrants(), services.remind_registrants()) == (1, 0)
        db.session.commit()
    [event] = _events(app, "activities.reminder")
    assert event.payload["recipients"] == {"users": [cast.resident.id]}
