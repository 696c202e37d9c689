"""The dashboard's map: every community inside the place with a boundary or a centre, each with the values its own
dashboard shows, kept to the jurisdiction, in a fixed number of statements whatever the number of communities."""
import pytest
from sqlalchemy import select

from planner_platform.accounts.models import Role
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.extensions import db
from planner_platform.monitoring import choropleth, queries
from planner_platform.monitoring.periods import period_of
from planner_platform.monitoring.refresh import refresh_pending
from tests.conftest import login
from tests.monitoring.conftest import TODAY, generate_history, add_communities
from tests.monitoring.test_dashboard import _proposal, _statements

SQUARE = {"type": "Polygon", "coordinates": [[[114.3, 30.5], [114.31, 30.5], [114.31, 30.51], [114.3, 30.5]]]}


def _place_everything(app, with_boundary: str):
    """Centres for every community, and a boundary for the one with code `with_boundary`."""
    with app.app_context():
        for n, community in enumerate(db.session.scalars(select(Place).where(Place.level == PlaceLevel.community))):
            community.centre_lat, community.centre_lng = 30.5 + n / 100, 114.3 + n / 100
            if community.code == with_boundary:
                community.boundary = SQUARE
        db.session.commit()


@pytest.fixture
def history(app, city):
    generate_history(app, 3)
    _place_everything(app, "D1S1C1")
    return city


def test_every_community_with_the_values_of_its_own_dashboard(app, client, history, make_user, frozen):
    login(client, make_user(Role.district_staff, "D1"))
    data = client.get(f"/monitoring/places/{history['D1']}/map.json?period=year&at=2026-01").get_json()
    with app.app_context():
        refresh_pending()
        district = db.session.get(Place, history["D1"])
        inside = db.session.scalars(select(Place).where(
            Place.level == PlaceLevel.community, Place.path.startswith(district.path))).all()
        assert sorted(f["properties"]["id"] for f in data["features"]) == sorted(c.id for c in inside)
        period = period_of("year", TODAY)
        for feature in data["features"]:
            community = db.session.get(Place, feature["properties"]["id"])
            _units, total, _by_unit = queries.dashboard_totals(community, period)
            assert feature["properties"]["values"] == {i.key: i.value(total) for i in choropleth.MAPPABLE}
            assert feature["properties"]["url"].startswith(f"/monitoring/places/{community.id}?")
            assert feature["geometry"]["type"] == ("Polygon" if community.code == "D1S1C1" else "Point")
    assert any(f["properties"]["values"]["received"] for f in data["features"])
    assert {i["key"] for i in data["indicators"]} >= {"received", "response_rate"}


def test_the_map_keeps_to_the_jurisdiction_and_the_chosen_indicator(app, client, history, make_user, frozen):
    login(client, make_user(Role.district_staff, "D1"))
    assert client.get(f"/monitoring/places/{history['D2']}/map.json").status_code == 403
    page = client.get(f"/monitoring/places/{history['D1']}?map=response_rate").get_data(as_text=True)
    assert '<option value="response_rate" selected>' in page and "js/monitoring-map.js" in page
    page = client.get(f"/monitoring/places/{history['D1']}?map=no-such-thing").get_data(as_text=True)
    assert '<option value="received" selected>' in page


def test_statements_do_not_grow_with_the_communities(app, client, places, make_user, frozen):
    resident = make_user(Role.resident, "D1S1C1")
    login(client, make_user(Role.city_observer, "C"))
    _place_everything(app, "")
    url = f"/monitoring/places/{places['D1'].id}/map.json?period=year"
    before = _statements(app, client, url)
    for community_id in add_communities(app, places, "D1S1", 15, "X"):
        _proposal(app, community_id, resident.id)
    _place_everything(app, "")
    assert len(client.get(url).get_json()["features"]) == 17
    assert _statements(app, client, url) == before
