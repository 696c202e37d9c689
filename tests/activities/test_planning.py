"""Planning activities and who sees them: bad input is refused with nothing stored, planners act only where they
serve, residents see public activities only, staff see their jurisdiction."""
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from planner_platform.activities import services
from planner_platform.activities.models import Activity
from planner_platform.areas.models import Place
from planner_platform.core.audit import AuditEntry
from planner_platform.core.errors import DomainError, NotAllowed
from planner_platform.extensions import db
from tests.activities.conftest import actor, client_of, make_activity, now
from tests.conftest import login, submit
from tests.proposals.conftest import INSIDE, OUTSIDE, says


def _form(**overrides):
    start = (now() + timedelta(days=3)).astimezone().replace(tzinfo=None)
    return {"title": "口袋公园设计工作坊", "activity_type": "工作坊", "venue": "社区活动中心",
            "starts_at": start.strftime("%Y-%m-%dT10:00"), "ends_at": start.strftime("%Y-%m-%dT12:00"),
            "public": "y", "capacity": "20", "description": "", **overrides}


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Activity))


def test_a_planner_plans_a_public_workshop_in_a_community_they_serve(app, client, cast):
    login(client, cast.planner)
    response = submit(client, "/activities/new", _form(community=cast.community.id))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "口袋公园设计工作坊" in page and says(app, page, "Check-in code")
    with app.app_context():
        activity = db.session.scalar(select(Activity))
        assert activity.organiser_id == cast.planner.id and len(activity.checkin_code) == 6
        assert activity.starts_at.hour == 2  # 10:00 in Shanghai is 02:00 UTC


@pytest.mark.parametrize("overrides, message", [
    ({"ends_at": "2030-01-01T09:00", "starts_at": "2030-01-01T10:00"}, "The activity must end after it starts."),
    ({"capacity": "0"}, "Enter a number from %(min)s to %(max)s."),
    ({"activity_type": "烧烤"}, "Choose one of the activity types of %(community)s."),
])
def test_bad_input_is_explained_and_nothing_is_stored(app, client, cast, overrides, message):
    login(client, cast.planner)
    response = submit(client, "/activities/new", _form(community=cast.community.id, **overrides))
    assert response.status_code == 422
    assert says(app, response.get_data(as_text=True), message, community=cast.community.name, min=1, max=5000)
    assert _count(app) == 0


def test_a_planner_outside_their_communities_is_refused(app, client, cast, places):
    with app.app_context(), pytest.raises(NotAllowed):
        start = now() + timedelta(days=1)
        services.plan(actor(cast.planner.id), services.ActivityInput(
            title="x", activity_type="工作坊", community=db.session.get(Place, places["D1S1C2"].id), venue="x",
            starts_at=start, ends_at=start + timedelta(hours=1), public=True, capacity=5))
    assert client_of(app, cast.idle_planner).get("/activities/new").status_code == 403
    response = submit(client_of(app, cast.planner), "/activities/new", _form(community=places["D1S1C2"].id))
    assert response.status_code == 422 and _count(app) == 0  # not among the choices: the form says so


def test_end_before_start_is_refused_by_the_service_and_the_database(app, cast):
    with app.app_context():
        start = now() + timedelta(days=1)
        with pytest.raises(DomainError, match="end after it starts"):
            services.plan(actor(cast.planner.id), services.ActivityInput(
                title="x", activity_type="工作坊", community=db.session.get(Place, cast.community.id), venue="x",
                starts_at=start, ends_at=start - timedelta(hours=1), public=True, capacity=5))
        db.session.rollback()
    assert _count(app) == 0


def test_residents_see_public_activities_only_staff_their_jurisdiction(app, client, cast, make_user):
    public = make_activity(app, cast.planner, title="公开工作坊")
    internal = make_activity(app, cast.planner, title="内部议事会", public=False)
    client = client_of(app, cast.resident)
    assert client.get(f"/activities/{public}").status_code == 200
    assert client.get(f"/activities/{internal}").status_code == 404
    # The calendar's months are local (Shanghai) months: from 16:00 UTC on, "in two days" may be next month there.
    starts = (now() + timedelta(days=2)).astimezone(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"]))
    month = client.get("/activities/?month=" + starts.strftime("%Y-%m")).get_data(as_text=True)
    assert "公开工作坊" in month and "内部议事会" not in month
    community_page = client.get(f"/places/{cast.community.id}").get_data(as_text=True)
    assert "公开工作坊" in community_page and "内部议事会" not in community_page
    assert client.get("/activities/records").status_code == 403
    for staff, status in ((cast.street, 200), (cast.district, 200), (cast.other_street, 404)):
        assert client_of(app, staff).get(f"/activities/{internal}").status_code == status
    with app.app_context():  # the 404s were refusals: audited as such
        denied = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "authz.denied")).all()
        assert sorted(e.actor_id for e in denied if e.details["status"] == 404) == sorted(
            [cast.resident.id, cast.other_street.id])
    assert "内部议事会" in client_of(app, cast.street).get("/activities/records").get_data(as_text=True)
    assert "内部议事会" not in client_of(app, cast.other_street).get("/activities/records").get_data(as_text=True)


def test_html_in_a_title_is_shown_as_text(app, client, cast):
    activity = make_activity(app, cast.planner, title="<script>alert(1)</script>工作坊")
    for path in (f"/activities/{activity}", f"/places/{cast.community.id}"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;工作坊" in page


def test_a_map_point_must_lie_inside_the_community(app, client, cast):
    client = client_of(app, cast.planner)
    outside = submit(client, "/activities/new", _form(community=cast.community.id, lat=OUTSIDE[0], lng=OUTSIDE[1]))
    assert says(app, outside.get_data(as_text=True), "The map point is outside %(community)s. Put it inside the "
                                                     "outlined area.", community=cast.community.name)
    assert _count(app) == 0
    inside = submit(client, "/activities/new", _form(community=cast.community.id, lat=INSIDE[0], lng=INSIDE[1]))
    assert inside.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Activity.lat)) == INSIDE[0]
