"""Registration and check-in: one seat per resident, never beyond capacity (also under concurrency), a wrong or
expired code is refused, checking in twice is harmless."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from planner_platform.accounts.models import Role
from planner_platform.activities import services
from planner_platform.activities.models import Activity, Registration
from planner_platform.core.errors import DomainError, NotAllowed
from planner_platform.extensions import db
from tests.activities.conftest import actor, client_of, load, make_activity
from tests.conftest import submit
from tests.proposals.conftest import says


def _seats(app, activity_id) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Registration)
                                 .where(Registration.activity_id == activity_id))


def test_a_resident_registers_once_and_not_beyond_capacity(app, cast):
    activity_id = make_activity(app, cast.planner, capacity=1)
    client = client_of(app, cast.resident)
    response = submit(client, f"/activities/{activity_id}/register", {}, form_url=f"/activities/{activity_id}",
                      follow_redirects=True)
    assert says(app, response.get_data(as_text=True), "You are registered. Check in on site with the organiser's "
                                                      "code.")
    again = submit(client, f"/activities/{activity_id}/register", {}, form_url=f"/activities/{activity_id}",
                   follow_redirects=True)
    assert says(app, again.get_data(as_text=True), "You are already registered for this activity.")
    with app.app_context():
        with pytest.raises(DomainError, match="full"):
            services.register(actor(cast.neighbour.id), db.session.get(Activity, activity_id))
        db.session.rollback()
    assert _seats(app, activity_id) == 1


def test_staff_cannot_register_and_internal_activities_take_no_registrations(app, cast):
    internal, public = make_activity(app, cast.planner, public=False), make_activity(app, cast.planner)
    with app.app_context():
        with pytest.raises(NotAllowed):
            services.register(actor(cast.street.id), db.session.get(Activity, public))
        with pytest.raises(NotAllowed):
            services.register(actor(cast.resident.id), db.session.get(Activity, internal))


@pytest.mark.committing  # threads: each racer has its own connection
def test_two_residents_racing_for_the_last_seat_leave_exactly_one_registration(app, cast):
    activity_id = make_activity(app, cast.planner, capacity=1)
    outcomes = []
    barrier = threading.Barrier(2)

    def race(user_id):
        with app.app_context():
            activity = db.session.get(Activity, activity_id)
            resident = actor(user_id)
            _ = resident.grants, activity.community
            db.session.commit()  # end the read: on SQLite a transaction holds the write lock from its start
            barrier.wait(timeout=10)
            try:
                services.register(resident, activity)
                db.session.commit()
                outcomes.append("ok")
            except DomainError as refusal:
                db.session.rollback()
                outcomes.append(refusal.message)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=race, args=(user.id,)) for user in (cast.resident, cast.neighbour)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["Sorry, the activity is full.", "ok"]
    assert _seats(app, activity_id) == 1


def test_check_in_with_the_code_is_idempotent_and_a_walk_in_takes_a_free_seat(app, cast):
    activity_id = make_activity(app, cast.planner, starts_in=timedelta(minutes=-30))
    code = load(app, activity_id).checkin_code
    client = client_of(app, cast.resident)
    form_page = client.get(f"/activities/{activity_id}/check-in?code={code}").get_data(as_text=True)
    assert f'value="{code}"' in form_page  # the QR link fills the code in
    for _ in range(2):
        response = submit(client, f"/activities/{activity_id}/check-in", {"code": code},
                          form_url=f"/activities/{activity_id}/check-in", follow_redirects=True)
        assert says(app, response.get_data(as_text=True), "You are checked in. Welcome!")
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        assert registration.user_id == cast.resident.id and registration.checked_in_at is not None
    assert _seats(app, activity_id) == 1


@pytest.mark.parametrize("starts_in, use_code, message", [
    (timedelta(minutes=-30), "000000x", "The check-in code is wrong. Type the code the organiser shows."),
    (timedelta(hours=3), None, "Check-in is open from an hour before the start until the end of the activity."),
    (timedelta(hours=-5), None, "Check-in is open from an hour before the start until the end of the activity."),
])
def test_a_wrong_or_expired_code_is_refused_and_nothing_is_stored(app, cast, starts_in, use_code, message):
    activity_id = make_activity(app, cast.planner, starts_in=starts_in)
    code = use_code or load(app, activity_id).checkin_code
    client = client_of(app, cast.resident)
    response = submit(client, f"/activities/{activity_id}/check-in", {"code": code})
    assert response.status_code == 422 and says(app, response.get_data(as_text=True), message)
    assert _seats(app, activity_id) == 0


def test_the_organiser_sees_the_code_and_a_qr_code_residents_do_not(app, cast, make_user):
    activity_id = make_activity(app, cast.planner)
    code = load(app, activity_id).checkin_code
    organiser_page = client_of(app, cast.planner).get(f"/activities/{activity_id}").get_data(as_text=True)
    assert code in organiser_page and "<svg" in organiser_page and "checkin-qr" in organiser_page
    resident_page = client_of(app, make_user(Role.resident, "D1S1C2")).get(f"/activities/{activity_id}")
    assert code not in resident_page.get_data(as_text=True)


def test_a_resident_cancels_before_the_start_and_the_seat_is_free_again(app, cast):
    activity_id = make_activity(app, cast.planner, capacity=1)
    client = client_of(app, cast.resident)
    submit(client, f"/activities/{activity_id}/register", {}, form_url=f"/activities/{activity_id}")
    response = submit(client, f"/activities/{activity_id}/cancel", {}, form_url=f"/activities/{activity_id}",
                      follow_redirects=True)
    assert says(app, response.get_data(as_text=True), "Your registration is cancelled.")
    assert _seats(app, activity_id) == 0
    with app.app_context():
        services.register(actor(cast.neighbour.id), db.session.get(Activity, activity_id))
        db.session.commit()
    started = make_activity(app, cast.planner, starts_in=timedelta(minutes=-10))
    code = load(app, started).checkin_code
    with app.app_context():
        services.check_in(actor(cast.resident.id), db.session.get(Activity, started), code)
        db.session.commit()
        with pytest.raises(DomainError, match="can no longer be cancelled"):
            services.cancel_registration(actor(cast.resident.id), db.session.get(Activity, started))


def test_codes_cannot_be_tried_before_the_window_nor_guessed_by_repetition(app, cast):
    from planner_platform.extensions import limiter

    later = make_activity(app, cast.planner, starts_in=timedelta(days=3))
    soon = make_activity(app, cast.planner, starts_in=timedelta(minutes=-30))
    client = client_of(app, cast.resident)
    for code in (load(app, later).checkin_code, "000000"):  # the right code and a wrong one: the same answer
        response = submit(client, f"/activities/{later}/check-in", {"code": code})
        assert says(app, response.get_data(as_text=True),
                    "Check-in is open from an hour before the start until the end of the activity.")
    app.config["CHECKIN_RATE_LIMIT"], limit = "3 per minute", app.config["CHECKIN_RATE_LIMIT"]
    limiter.reset()
    try:
        statuses = [submit(client, f"/activities/{soon}/check-in", {"code": f"00000{n}"}).status_code
                    for n in range(4)]
    finally:
        app.config["CHECKIN_RATE_LIMIT"] = limit
        limiter.reset()
    assert statuses == [422, 422, 422, 429]
    assert _seats(app, soon) == 0


def test_an_organiser_whose_term_ended_no_longer_manages_the_activity(app, cast):
    from planner_platform.planners.models import Assignment, AssignmentState

    activity_id = make_activity(app, cast.planner, public=False)
    client = client_of(app, cast.planner)
    assert client.get(f"/activities/{activity_id}").status_code == 200
    with app.app_context():
        for term in db.session.scalars(select(Assignment)):
            term.state = AssignmentState.terminated
        db.session.commit()
    assert client.get(f"/activities/{activity_id}").status_code == 404
    assert client.get(f"/activities/{activity_id}/close").status_code in (403, 404)
