"""The optimistic check cannot be skipped: a step or decision posted without the version of the record it was made
on is refused with a message and changes nothing."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from planner_platform.activities.models import Activity, ActivityState
from planner_platform.core.calendar import local_today
from planner_platform.extensions import db
from planner_platform.planners import assignments
from planner_platform.planners.models import Assignment
from planner_platform.proposals.models import Proposal
from tests.activities.conftest import actor, make_activity
from tests.activities.test_verification import ATTENDANCE, _closed
from tests.conftest import csrf_token_from, local_date, login
from tests.proposals.conftest import cast, make_proposal, says  # noqa: F401  (fixture)

MISSING = "This form was sent without the version of the record it showed. Reload the page and try again."
LATER = (local_date() + timedelta(days=30)).isoformat()

#: (what, who posts, the record it changes, where it is posted, what else the form holds)
CASES = [
    ("step", "street", "proposal", "/workspace/proposals/{id}/step", {"to": "accepted", "reply": "受理"}),
    ("withdraw", "resident", "proposal", "/proposals/{id}/withdraw", {}),
    ("merge", "street", "proposal", "/workspace/proposals/{id}/merge", {"target": "{other}", "merge_reply": "重复"}),
    ("close", "planner", "ended", "/activities/{id}/close", {**ATTENDANCE, "minutes": "纪要"}),
    ("verify", "street", "closed", "/activities/{id}/verify", {}),
    ("return", "street", "closed", "/activities/{id}/return", {"comment": "请补充签到表"}),
    ("suspend", "street", "term", "/assignments/{id}", {"action": "suspend", "reason": "走访", "rectify_by": LATER}),
    ("reinstate", "street", "suspended", "/assignments/{id}", {"action": "reinstate", "reason": "已整改"}),
    ("terminate", "street", "term", "/assignments/{id}", {"action": "terminate", "reason": "合同解除"}),
    ("renew", "street", "term", "/assignments/{id}", {"action": "renew"}),
]
MODELS = {"proposal": Proposal, "ended": Activity, "closed": Activity, "term": Assignment, "suspended": Assignment}


@pytest.fixture
def records(app, cast):  # noqa: F811
    """The id of one record in the state each step starts from, and a second proposal to merge into."""
    ids = {"proposal": make_proposal(app, cast.resident), "other": make_proposal(app, cast.neighbour, title="扶手"),
           "ended": make_activity(app, cast.planner, starts_in=-timedelta(hours=3)), "closed": _closed(app, cast)}
    with app.app_context():
        ids["term"] = ids["suspended"] = db.session.scalar(select(Assignment.id))
    return ids


def _suspend(app, cast, term_id):  # noqa: F811
    with app.app_context():
        term = db.session.get(Assignment, term_id)
        assignments.suspend(actor(cast.street.id), term, reason="走访不足",
                            rectify_by=local_today() + timedelta(days=9), version=term.version)
        db.session.commit()


def _snapshot(app, model, record_id):
    with app.app_context():
        record = db.session.get(model, record_id)
        return record.state, record.version


@pytest.mark.parametrize("version", [None, "", "x", "-1"])
@pytest.mark.parametrize("what, who, kind, url, data", CASES, ids=[case[0] for case in CASES])
def test_a_step_without_the_version_it_was_made_on_is_refused(app, cast, records, what, who, kind, url, data,  # noqa: F811
                                                                version):
    if kind == "suspended":
        _suspend(app, cast, records[kind])
    before = _snapshot(app, MODELS[kind], records[kind])
    client = app.test_client()
    login(client, getattr(cast, who))
    form = {name: str(value).format(**records) for name, value in data.items()}
    page = client.get(url.format(id=records[kind]) if kind in ("ended", "term", "suspended") else "/")
    form["csrf_token"] = csrf_token_from(page.data)
    if version is not None:
        form["version"] = version
    response = client.post(url.format(id=records[kind]), data=form)
    assert response.status_code == 422 and says(app, response.get_data(as_text=True), MISSING)
    assert _snapshot(app, MODELS[kind], records[kind]) == before


def test_the_same_step_with_its_version_is_applied(app, cast, records):  # noqa: F811
    client = app.test_client()
    login(client, cast.street)
    page = client.get(f"/activities/{records['closed']}")
    with app.app_context():
        version = db.session.get(Activity, records["closed"]).version
    client.post(f"/activities/{records['closed']}/verify", data={"csrf_token": csrf_token_from(page.data),
                                                                 "version": version})
    assert _snapshot(app, Activity, records["closed"])[0] is ActivityState.verified
