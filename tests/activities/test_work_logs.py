"""Work logs in a few taps, and on-site days and hours per planner per month without counting anything twice."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from planner_platform.activities import queries, services
from planner_platform.activities.models import Activity, ActivityState, WorkLog, WorkLogKind
from planner_platform.areas.models import Place
from planner_platform.core.calendar import local_today
from planner_platform.core.errors import DomainError, NotAllowed
from planner_platform.extensions import db
from tests.activities.conftest import actor, actor_community, client_of, make_activity
from tests.conftest import local_date, submit
from tests.proposals.conftest import says

MONTH = date(2026, 10, 1)


def _log(app, user, day, hours, kind, activity_id=None, community_id=None):
    with app.app_context():
        log = WorkLog(author_id=user.id, community_id=community_id or actor_community(actor(user.id)),
                      work_date=day, hours=hours, kind=kind, summary="x", activity_id=activity_id)
        db.session.add(log)
        db.session.commit()


def _held_on(app, user, day: date, hours: float, state=ActivityState.verified) -> int:
    activity_id = make_activity(app, user, starts_in=timedelta(days=-30))
    with app.app_context():
        activity = db.session.get(Activity, activity_id)
        activity.starts_at = datetime(day.year, day.month, day.day, 2, tzinfo=timezone.utc)  # 10:00 in Shanghai
        activity.ends_at = activity.starts_at + timedelta(hours=hours)
        activity.state = state
        db.session.commit()
    return activity_id


def test_on_site_days_and_hours_count_each_fact_once(app, cast):
    workshop = _held_on(app, cast.planner, date(2026, 10, 5), 2)
    _held_on(app, cast.planner, date(2026, 10, 20), 3, state=ActivityState.planned)  # never held: not counted
    _held_on(app, cast.planner, date(2026, 10, 21), 3, state=ActivityState.closed)  # not verified yet: not counted
    _log(app, cast.planner, date(2026, 10, 5), 2, WorkLogKind.activity, activity_id=workshop)  # the same workshop
    _log(app, cast.planner, date(2026, 10, 5), 1.5, WorkLogKind.on_site)  # same day: one day, more hours
    _log(app, cast.planner, date(2026, 10, 7), 3, WorkLogKind.on_site)
    _log(app, cast.planner, date(2026, 10, 8), 2, WorkLogKind.meeting)  # hours, not an on-site day
    _log(app, cast.planner, date(2026, 11, 1), 4, WorkLogKind.on_site)  # next month
    # A log for someone else's activity (the planner helped) counts as an ordinary log.
    _log(app, cast.idle_planner, date(2026, 10, 5), 2, WorkLogKind.activity, activity_id=workshop,
         community_id=cast.community.id)
    with app.app_context():
        summary = queries.onsite_summary([cast.planner.id, cast.idle_planner.id], MONTH)
    assert (summary[cast.planner.id].days, summary[cast.planner.id].hours) == (2, 2 + 1.5 + 3 + 2)
    assert (summary[cast.idle_planner.id].days, summary[cast.idle_planner.id].hours) == (1, 2)  # was there


def test_a_planner_logs_work_from_my_work(app, cast):
    client = client_of(app, cast.planner)
    page = client.get("/work").get_data(as_text=True)
    assert says(app, page, "Log work")
    with app.app_context():
        today = local_today()
    data = {"work_date": today.isoformat(), "community": cast.community.id, "hours": "2.5", "kind": "on_site",
            "summary": "踏勘3号楼", "activity": "0"}
    response = submit(client, "/work/logs", data, form_url="/work", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert says(app, page, "Work log saved.") and "踏勘3号楼" in page
    assert says(app, page, "This month: %(days)d on-site days, %(hours)s hours.", days=1, hours="2.5")


@pytest.mark.parametrize("change, message", [
    ({"work_date": (local_date() + timedelta(days=3)).isoformat()}, "The date cannot be in the future."),
    ({"work_date": "9999-12-31"}, "Enter a date between 2000 and 2099."),
    ({"hours": "sNaN"}, "Enter a number."),
    ({"hours": "30"}, "Enter a number from %(min)s to %(max)s."),
    ({"hours": "-1"}, "Enter a number from %(min)s to %(max)s."),
])
def test_bad_logs_are_explained_and_nothing_is_stored(app, cast, change, message):
    client = client_of(app, cast.planner)
    data = {"work_date": (local_date() - timedelta(days=1)).isoformat(), "community": cast.community.id,
            "hours": "2", "kind": "survey", "summary": "问需", "activity": "0", **change}
    response = submit(client, "/work/logs", data, form_url="/work")
    assert says(app, response.get_data(as_text=True), message, min="0.5", max="24")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WorkLog)) == 0


def test_a_day_never_adds_up_to_more_than_24_hours_and_logs_stay_in_served_communities(app, cast, places):
    with app.app_context():
        planner, community = actor(cast.planner.id), db.session.get(Place, cast.community.id)
        services.log_work(planner, services.WorkLogInput(community, local_today(), 20, WorkLogKind.on_site, "x"))
        with pytest.raises(DomainError, match="already has 20 hours"):
            services.log_work(planner, services.WorkLogInput(community, local_today(), 5, WorkLogKind.survey, "x"))
        with pytest.raises(NotAllowed):
            services.log_work(planner, services.WorkLogInput(db.session.get(Place, places["D1S1C2"].id),
                                                             local_today(), 1, WorkLogKind.survey, "x"))
        with pytest.raises(NotAllowed):
            services.log_work(actor(cast.idle_planner.id), services.WorkLogInput(
                community, local_today(), 1, WorkLogKind.survey, "x"))
    assert client_of(app, cast.resident).get("/work").status_code == 403


def test_street_staff_see_the_on_site_time_of_the_planners_serving_in_their_street(app, cast):
    with app.app_context():
        today = local_today()
    _log(app, cast.planner, today, 3, WorkLogKind.on_site)
    page = client_of(app, cast.street).get(f"/activities/onsite?month={today.strftime('%Y-%m')}")
    html = page.get_data(as_text=True)
    assert "陈规划师" in html and '<td class="text-end">1</td><td class="text-end">3</td>' in html
    assert "陈规划师" not in client_of(app, cast.other_street).get("/activities/onsite").get_data(as_text=True)
    assert client_of(app, cast.planner).get("/activities/onsite").status_code == 403
