"""The roster's "today" is Shanghai's: at 00:30 there (16:30 UTC the day before), on a machine whose own zone is
Asia/Shanghai too, terms start and end on their day and a planner appointed at night serves from that morning."""
import os
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from planner_platform.accounts.models import Role, User
from planner_platform.areas.models import Place
from planner_platform.extensions import db
from planner_platform.planners import assignments, digest
from planner_platform.planners.models import Assignment, AssignmentRole, AssignmentState, PlannerProfile
from planner_platform.planners.tasks import advance_terms_task
from tests.conftest import login, submit
from tests.planners.conftest import actor, load
from tests.proposals.conftest import says

SHANGHAI = ZoneInfo("Asia/Shanghai")
HALF_PAST_MIDNIGHT = datetime(2026, 3, 2, 0, 30, tzinfo=SHANGHAI)
TODAY = HALF_PAST_MIDNIGHT.date()


@pytest.fixture(autouse=True)
def shanghai_process():
    """The process's own time zone is Shanghai's (what `date.today()` would read); UTC again afterwards."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Shanghai"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def _appoint(officer_id, planner_id, community, *, start, end):
    return assignments.appoint(actor(officer_id), load(PlannerProfile, planner_id), [community],
                               role=AssignmentRole.lead, start_on=start, end_on=end, appointing_body="水果湖街道办事处")


def test_the_half_past_midnight_job_starts_todays_terms_and_ends_those_ending_today(app, places, make_user,
                                                                                    roster, clock):
    officer = make_user(Role.subdistrict_staff, "D1S1")
    clock(HALF_PAST_MIDNIGHT - timedelta(hours=14, minutes=30))  # yesterday at 10:00
    with app.app_context():
        [starting] = _appoint(officer.id, roster["lead"], db.session.get(Place, places["D1S1C1"].id),
                              start=TODAY, end=TODAY + timedelta(days=365))
        [ending] = _appoint(officer.id, roster["member"], db.session.get(Place, places["D1S1C2"].id),
                            start=TODAY - timedelta(days=365), end=TODAY)
        db.session.commit()
        assert (starting.state, ending.state) == (AssignmentState.appointed, AssignmentState.active)
        ids = starting.id, ending.id
    clock(HALF_PAST_MIDNIGHT)
    with app.app_context():
        assert advance_terms_task() == {"activated": 1, "expired": 1, "reminded": 0}
        assert [db.session.get(Assignment, i).state for i in ids] == [AssignmentState.active, AssignmentState.expired]
    client = app.test_client()
    login(client, officer)
    page = client.get(f"/assignments/coverage/{places['D1S1'].id}").get_data(as_text=True)
    assert "李规划" in page and "王助理" not in page  # the new lead serves C1, C2's lead has gone


def test_a_planner_appointed_at_half_past_midnight_serves_that_day(app, places, make_user, roster, clock):
    officer = make_user(Role.subdistrict_staff, "D1S1")
    clock(HALF_PAST_MIDNIGHT)
    with app.app_context():
        community = db.session.get(Place, places["D1S1C1"].id)
        [term] = _appoint(officer.id, roster["lead"], community, start=TODAY, end=TODAY + timedelta(days=365))
        db.session.commit()
        assert term.state is AssignmentState.active
    client = app.test_client()
    login(client, roster["accounts"]["lead"])
    data = {"work_date": TODAY.isoformat(), "community": places["D1S1C1"].id, "hours": "1", "kind": "survey",
            "summary": "夜间走访", "activity": "0"}
    response = submit(client, "/work/logs", data, form_url="/work", follow_redirects=True)
    assert says(app, response.get_data(as_text=True), "Work log saved.")


def test_the_staff_digest_counts_thirty_days_from_shanghais_today(app, places, make_user, roster, clock):
    officer = make_user(Role.subdistrict_staff, "D1S1")
    clock(HALF_PAST_MIDNIGHT)
    with app.app_context():
        _appoint(officer.id, roster["lead"], db.session.get(Place, places["D1S1C1"].id),
                 start=TODAY - timedelta(days=300), end=TODAY + timedelta(days=30))
        db.session.commit()
        sections = digest.roster_section(db.session.get(User, officer.id))
    assert [len(section["items"]) for section in sections] == [1, 1]  # C2 has no lead; C1's term ends in 30 days
