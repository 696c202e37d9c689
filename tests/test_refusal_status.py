"""Refusals answer with their own status, on the same page and with the same message: a conflict 409, a validation
failure 422; a success still redirects. Clients and monitors can tell them apart."""
from datetime import timedelta

from sqlalchemy import select

from planner_platform.activities.models import Activity, ActivityState
from planner_platform.core.calendar import local_today
from planner_platform.extensions import db
from planner_platform.planners import assignments
from planner_platform.planners.models import Assignment, AssignmentState
from planner_platform.proposals.models import Proposal, ProposalState
from tests.activities.conftest import actor, client_of
from tests.activities.test_verification import _closed
from tests.conftest import csrf_token_from, fresh_copy, login, submit, version_from
from tests.proposals.conftest import cast, load, make_proposal, says  # noqa: F401  (fixture)

CHANGED_MEANWHILE = "Someone else changed this while you were looking at it. Reload the page to see what they did, " \
                    "then try again."


def _touch(app, model, record_id, **changes) -> None:
    """Someone else changes the record (its version goes up) while the page is open."""
    with app.app_context():
        record = db.session.get(model, record_id)
        for name, value in changes.items():
            setattr(record, name, value)
        db.session.commit()


def test_a_button_that_lost_a_race_answers_409_with_the_current_page_and_acts_from_it(app, client, cast):  # noqa: F811
    activity_id = _closed(app, cast)
    login(client, cast.street)
    page = client.get(f"/activities/{activity_id}")
    _touch(app, Activity, activity_id, minutes="纪要（补充）")
    stale = client.post(f"/activities/{activity_id}/verify", data={"csrf_token": csrf_token_from(page.data),
                                                                   "version": version_from(page.data)})
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert says(app, html, CHANGED_MEANWHILE)
    assert "纪要（补充）" in html  # the activity's page as it is now ...
    fresh = client.post(f"/activities/{activity_id}/verify", data={"csrf_token": csrf_token_from(stale.data),
                                                                   "version": version_from(stale.data)})
    assert fresh.status_code == 302  # ... whose buttons act on what it shows
    assert fresh_copy(app, Activity, activity_id).state is ActivityState.verified


def test_a_step_that_lost_a_race_answers_409_and_the_next_one_from_that_page_succeeds(app, client, cast):  # noqa: F811
    proposal_id = make_proposal(app, cast.resident)
    login(client, cast.planner)
    page = client.get(f"/proposals/{proposal_id}")
    _touch(app, Proposal, proposal_id, state=ProposalState.accepted)
    url = f"/workspace/proposals/{proposal_id}/step"
    stale = client.post(url, data={"csrf_token": csrf_token_from(page.data), "version": version_from(page.data),
                                   "to": "accepted"})
    assert stale.status_code == 409
    assert says(app, stale.get_data(as_text=True), CHANGED_MEANWHILE)
    fresh = client.post(url, data={"csrf_token": csrf_token_from(stale.data), "version": version_from(stale.data),
                                   "to": "assessing"})
    assert fresh.status_code == 302 and load(app, proposal_id).state is ProposalState.assessing


def test_a_button_with_invalid_input_answers_422_with_the_page_and_the_reason(app, client, cast):  # noqa: F811
    proposal_id = make_proposal(app, cast.resident)
    login(client, cast.neighbour)
    empty = submit(client, f"/proposals/{proposal_id}/comments", {"body": ""}, form_url=f"/proposals/{proposal_id}")
    assert empty.status_code == 422
    assert says(app, empty.get_data(as_text=True), "Write a comment first.") and "楼道加装扶手" in empty.get_data(
        as_text=True)
    client = client_of(app, cast.planner)
    no_reply = submit(client, f"/workspace/proposals/{proposal_id}/step", {"to": "not_accepted"},
                      form_url=f"/proposals/{proposal_id}")
    assert no_reply.status_code == 422
    assert says(app, no_reply.get_data(as_text=True), "Write the public reply that explains this decision.")
    no_step = submit(client, f"/workspace/proposals/{proposal_id}/step", {"to": "sideways"},
                     form_url=f"/proposals/{proposal_id}")
    assert no_step.status_code == 422 and says(app, no_step.get_data(as_text=True), "Choose a step.")
    assert load(app, proposal_id).state is ProposalState.submitted


def test_a_form_page_with_errors_answers_422_and_a_stale_form_409(app, client, cast):  # noqa: F811
    login(client, cast.resident)
    blank = submit(client, "/proposals/new", {"title": "", "description": "", "category": "适老化",
                                              "community": cast.community.id})
    assert blank.status_code == 422 and 'name="title"' in blank.get_data(as_text=True)
    with app.app_context():
        term_id = db.session.scalar(select(Assignment.id))
    client = client_of(app, cast.street)
    page = client.get(f"/assignments/{term_id}")
    with app.app_context():
        term = db.session.get(Assignment, term_id)
        assignments.suspend(actor(cast.street.id), term, reason="走访不足",
                            rectify_by=local_today() + timedelta(days=9), version=term.version)
        db.session.commit()
    stale = client.post(f"/assignments/{term_id}", data={"csrf_token": csrf_token_from(page.data),
                                                         "version": version_from(page.data),
                                                         "action": "terminate", "reason": "合同解除"})
    assert stale.status_code == 409
    assert says(app, stale.get_data(as_text=True), CHANGED_MEANWHILE)
    with app.app_context():
        assert db.session.get(Assignment, term_id).state is AssignmentState.suspended


def test_a_success_still_redirects(app, client, cast):  # noqa: F811
    proposal_id = make_proposal(app, cast.resident)
    login(client, cast.neighbour)
    response = submit(client, f"/proposals/{proposal_id}/comments", {"body": "赞成"},
                      form_url=f"/proposals/{proposal_id}")
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200
