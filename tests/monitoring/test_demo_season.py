"""The demo city's recent season in both districts, seen as a new user sees it: the district staff of 东湖区 and of
西山区 and the city observer find activities in every state, coming activities with registrations, every serving
planner's on-site time, non-zero dashboard figures and projects in several stages, not only in the demo planner's
three communities."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from planner_platform.accounts.models import User
from planner_platform.activities.models import Activity, ActivityState, Registration, WorkLog
from planner_platform.areas.geometry import bounds_of, contains_point
from planner_platform.areas.models import Place
from planner_platform.core.calendar import add_months, local_today, local_zone
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from planner_platform.planners.demo import serving_accounts
from planner_platform.planners.models import PlannerProfile
from planner_platform.projects.models import Project
from planner_platform.shell.seed import DEMO_PASSWORD
from tests.conftest import login
from tests.monitoring.test_dashboard import _card

#: (district code, its district staff's login)
DISTRICT_STAFF = [("420102", "13900000003"), ("420103", "13900000008")]
OBSERVER = "13900000002"
ACTIVITY_LINK = re.compile(r'href="/activities/(\d+)"')


def _client(demo_app, phone: str):
    client = demo_app.test_client()
    with demo_app.app_context():
        user = db.session.scalar(select(User).where(User.phone == phone))
        db.session.expunge(user)
    login(client, user, DEMO_PASSWORD)
    return client


def _district(code: str) -> Place:
    return db.session.scalar(select(Place).where(Place.code == code))


def _in(code: str):
    """Activities of the district's communities."""
    return Activity.community_id.in_(select(Place.id).where(Place.path.startswith(_district(code).path)))


@pytest.mark.parametrize(("code", "phone"), DISTRICT_STAFF)
def test_the_activity_register_of_each_district_shows_every_state_in_several_streets(demo_app, code, phone):
    client = _client(demo_app, phone)
    with demo_app.app_context():
        since = (local_today() - timedelta(days=30)).isoformat()
        streets = {place.name for place in _district(code).children}
    for state in ActivityState:
        page = client.get(f"/activities/records?state={state.name}&from={since}").get_data(as_text=True)
        assert len(ACTIVITY_LINK.findall(page)) >= 1, (code, state)
    page = client.get(f"/activities/records?from={since}").get_data(as_text=True)
    assert len(ACTIVITY_LINK.findall(page)) >= 10
    assert len({street for street in streets if f"{street} · " in page}) >= 2  # more than one street


@pytest.mark.parametrize("code", ["420102", "420103"])
def test_the_calendar_shows_coming_public_activities_with_registrations_in_each_district(demo_app, code):
    with demo_app.app_context():
        district = _district(code)
        now = utcnow()
        coming = db.session.scalars(select(Activity).where(
            _in(code), Activity.public.is_(True), Activity.starts_at > now,
            Activity.starts_at < now + timedelta(days=28))).all()
        seats = db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.activity_id.in_([a.id for a in coming])))
        held = select(Activity.id).where(_in(code), Activity.public.is_(True), Activity.ends_at < now,
                                         Activity.starts_at > now - timedelta(days=90))
        checked_in = db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.activity_id.in_(held), Registration.checked_in_at.is_not(None)))
        months = sorted({a.starts_at.astimezone(local_zone()).date().replace(day=1) for a in coming})
        types = {a.activity_type for a in db.session.scalars(select(Activity).where(
            _in(code), Activity.starts_at > now - timedelta(days=90)))}
    assert len(coming) >= 8 and seats >= 20 and checked_in >= 50
    assert {"工作坊", "社区漫步", "问需调研", "议事会", "参与式设计"} <= types
    client = demo_app.test_client()
    shown = set()
    for month in months:
        page = client.get(f"/activities/?month={month:%Y-%m}&place={district.id}").get_data(as_text=True)
        shown |= {int(found) for found in ACTIVITY_LINK.findall(page)}
    assert {a.id for a in coming} <= shown


def test_every_serving_planner_has_an_account_and_on_site_time_last_month(demo_app):
    with demo_app.app_context():
        last_month = add_months(local_today().replace(day=1), -1)
        accounts = {user for terms in serving_accounts().values() for user, _start in terms}
        profiles = db.session.scalar(select(func.count()).select_from(PlannerProfile))
        names = dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(accounts))).all())
        logged = set(db.session.scalars(select(WorkLog.author_id).where(WorkLog.work_date >= last_month)))
    assert len(accounts) == profiles == 9 and accounts <= logged
    for code, phone in DISTRICT_STAFF:
        page = _client(demo_app, phone).get(f"/activities/onsite?month={last_month:%Y-%m}").get_data(as_text=True)
        rows = re.findall(r"<tr><td>([^<]+)</td><td class=\"text-end\">(\d+)</td>", page)
        assert len(rows) >= 4, code
        assert all(int(days) > 0 for _name, days in rows), (code, rows)
        assert {name for name, _days in rows} <= set(names.values())


def _season() -> str:
    """The last three months, this one included, as the dashboard's custom period."""
    this_month = local_today().replace(day=1)
    return f"period=custom&from={add_months(this_month, -2):%Y-%m}&to={this_month:%Y-%m}"


@pytest.mark.parametrize("phone", [phone for _code, phone in DISTRICT_STAFF] + [OBSERVER])
def test_the_dashboard_of_each_district_counts_activities_on_site_time_and_responses(demo_app, phone):
    client = _client(demo_app, phone)
    codes = [code for code, staff in DISTRICT_STAFF if staff == phone or phone == OBSERVER]
    for code in codes:
        with demo_app.app_context():
            district_id, season = _district(code).id, _season()
        page = client.get(f"/monitoring/places/{district_id}?{season}")
        assert page.status_code == 200, code
        html = page.get_data(as_text=True)
        for key in ("activities_held", "participants", "onsite_days", "onsite_hours", "received", "response_rate"):
            figure = re.sub(r"[^\d.]", "", _card(html, key))  # 1,234 · 86.5% · 12.5
            assert figure and float(figure) > 0, (code, key, _card(html, key))


@pytest.mark.parametrize(("code", "phone"), DISTRICT_STAFF)
def test_the_project_board_of_each_district_has_projects_in_several_stages(demo_app, code, phone):
    html = _client(demo_app, phone).get("/projects/").get_data(as_text=True)
    with demo_app.app_context():
        projects = db.session.scalars(select(Project).where(Project.community_id.in_(
            select(Place.id).where(Place.path.startswith(_district(code).path))))).all()
        titles = [project.title for project in projects]
    assert len({project.state for project in projects}) >= 8
    assert all(title in html for title in titles), code


@pytest.mark.parametrize("code", ["420102", "420103"])
def test_the_maps_name_the_venues_of_public_activities_inside_their_communities(demo_app, code):
    """Every demo activity has its venue's point, inside its community; one venue is one point (named once), and a
    community's map box (sites.json, what the maps fetch) names the venues of its public activities."""
    client = demo_app.test_client()
    with demo_app.app_context():
        activities = db.session.scalars(select(Activity).where(_in(code))).all()
        assert len(activities) >= 50
        assert all(a.lat is not None and contains_point(a.community.boundary, a.lat, a.lng) for a in activities)
        points = {}
        for activity in activities:
            points.setdefault(activity.venue, set()).add((activity.lat, activity.lng))
        assert all(len(where) == 1 for where in points.values()), "a venue is one site"
        named = 0
        for community in {a.community for a in activities if a.public}:
            west, south, east, north = bounds_of([community.boundary])
            sites = client.get(f"/map/sites.json?bbox={west},{south},{east},{north}").get_json()["sites"]
            venues = {site["name"] for site in sites if site["kind"] == "venue"}
            assert {a.venue for a in activities if a.public and a.community_id == community.id} <= venues
            named += bool(venues)
    assert named >= 10
