"""An activity's history: every step (planned, held, returned, held again, verified) leaves one row saying who did
it, when and why; steps its lifecycle does not allow are refused and leave nothing behind."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from planner_platform.activities import services
from planner_platform.activities.models import TRANSITIONS, Activity, ActivityEvent, ActivityState
from planner_platform.core.db import utcnow
from planner_platform.core.errors import DomainError, InvalidTransition
from planner_platform.core.transitions import transition
from planner_platform.extensions import db
from tests.activities.conftest import actor, client_of, load, make_activity
from tests.conftest import submit
from tests.proposals.conftest import says

ATTENDANCE = {"att_residents": 12, "att_committee": 1, "att_property": 0, "att_business": 0, "att_social_org": 0,
              "att_government": 1, "att_experts": 1}


def _close(app, cast, activity_id, minutes="纪要"):
    with app.app_context():
        services.close(actor(cast.planner.id), db.session.get(Activity, activity_id),
                       services.ClosingInput(attendance=ATTENDANCE, minutes=minutes))
        db.session.commit()


def _history(app, activity_id):
    with app.app_context():
        return [(e.from_state, e.to_state, e.actor_id, e.comment, e.occurred_at) for e in db.session.scalars(
            select(ActivityEvent).where(ActivityEvent.activity_id == activity_id).order_by(ActivityEvent.id))]


def test_every_step_of_an_activity_leaves_one_history_row(app, cast, clock):
    activity_id = make_activity(app, cast.planner, starts_in=timedelta(hours=-3))
    _close(app, cast, activity_id)
    office = client_of(app, cast.street)
    page = f"/activities/{activity_id}"
    submit(office, f"{page}/return", {"comment": "请补充签到表"}, form_url=page)
    _close(app, cast, activity_id, minutes="补充后的纪要")
    verified_at = utcnow().replace(microsecond=0) + timedelta(minutes=5)
    clock(verified_at)
    response = submit(office, f"{page}/verify", {"version": load(app, activity_id).version}, form_url=page,
                      follow_redirects=True)
    assert says(app, response.get_data(as_text=True), "The activity is verified.")
    history = _history(app, activity_id)
    planner, street = cast.planner.id, cast.street.id
    assert [row[:4] for row in history] == [
        (None, ActivityState.planned, planner, ""),
        (ActivityState.planned, ActivityState.closed, planner, ""),
        (ActivityState.closed, ActivityState.returned, street, "请补充签到表"),
        (ActivityState.returned, ActivityState.closed, planner, ""),
        (ActivityState.closed, ActivityState.verified, street, "")]
    assert history[-1][4] == verified_at == load(app, activity_id).verified_at


@pytest.mark.parametrize("step, message", [
    (lambda cast, a: services.verify(actor(cast.street.id), a),
     "Only a closed activity awaiting verification can be verified or returned."),
    (lambda cast, a: services.return_record(actor(cast.street.id), a, "再改"),
     "Only a closed activity awaiting verification can be verified or returned."),
    (lambda cast, a: services.close(actor(cast.planner.id), a, services.ClosingInput(ATTENDANCE, "又一份纪要")),
     "This activity is closed already."),
])
def test_a_verified_activity_takes_no_further_step(app, cast, step, message):
    activity_id = make_activity(app, cast.planner, starts_in=timedelta(hours=-3))
    _close(app, cast, activity_id)
    with app.app_context():
        services.verify(actor(cast.street.id), db.session.get(Activity, activity_id))
        db.session.commit()
    before = _history(app, activity_id)
    with app.app_context(), pytest.raises(DomainError, match=message):
        step(cast, db.session.get(Activity, activity_id))
    assert _history(app, activity_id) == before
    assert load(app, activity_id).state is ActivityState.verified


@pytest.mark.parametrize("state, target", [
    (ActivityState.planned, ActivityState.verified), (ActivityState.planned, ActivityState.returned),
    (ActivityState.returned, ActivityState.verified), (ActivityState.closed, ActivityState.planned),
    (ActivityState.verified, ActivityState.closed), (ActivityState.verified, ActivityState.returned),
])
def test_the_lifecycle_refuses_impossible_steps_with_one_message(app, cast, state, target):
    activity_id = make_activity(app, cast.planner, starts_in=timedelta(hours=-3))
    with app.app_context():
        activity = db.session.get(Activity, activity_id)
        activity.state = state
        with pytest.raises(InvalidTransition, match=f"The state “{state.label}” cannot change to “{target.label}”"):
            transition(activity, target, TRANSITIONS, ActivityEvent, actor(cast.planner.id))
        assert activity.state is state and len(activity.history) == 1  # only the planning row
