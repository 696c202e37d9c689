"""What the maps name besides the outlined communities (shell.map_sites): communities known by their centre, public
activities' venues once each, and renewal projects at their proposal's point; never an internal activity's venue."""
from planner_platform.accounts.models import User
from planner_platform.areas.models import Place
from planner_platform.extensions import db
from planner_platform.proposals import services
from planner_platform.proposals.models import Proposal, ProposalState
from tests.activities.conftest import make_activity
from tests.projects.conftest import make_project
from tests.proposals.conftest import INSIDE, cast, make_proposal  # noqa: F401  (cast: fixture)

BOX = "114.29,30.54,114.32,30.57"


def _sites(client, bbox=BOX):
    response = client.get(f"/map/sites.json?bbox={bbox}")
    assert response.status_code == 200
    return sorted((s["kind"], s["name"]) for s in response.get_json()["sites"])


def test_public_venues_are_named_once_and_internal_ones_not_at_all(app, client, cast):  # noqa: F811
    for _ in range(2):  # the same hall every week is one site
        make_activity(app, cast.planner, venue="社区党群服务中心", lat=INSIDE[0], lng=INSIDE[1])
    make_activity(app, cast.planner, venue="居委会会议室", public=False, lat=INSIDE[0], lng=INSIDE[1])
    make_activity(app, cast.planner, venue="没有坐标的礼堂")
    assert _sites(client) == [("venue", "社区党群服务中心")]
    assert _sites(client, "100,20,101,21") == []  # another box


def test_a_community_known_only_by_its_centre_is_named_where_it_is(app, client, places):
    with app.app_context():
        community = db.session.get(Place, places["D2S1C1"].id)
        community.centre_lat, community.centre_lng = 30.56, 114.30
        db.session.commit()
    assert _sites(client) == [("community", "D2社区1")]


def test_a_project_is_named_by_its_site_at_the_point_of_its_proposal(app, client, cast):  # noqa: F811
    proposal_id = make_proposal(app, cast.resident, title="口袋公园", lat=INSIDE[0], lng=INSIDE[1])
    with app.app_context():
        proposal, street = db.session.get(Proposal, proposal_id), db.session.get(User, cast.street.id)
        for state in (ProposalState.accepted, ProposalState.assessing):
            services.advance(street, proposal, state)
        services.advance(street, proposal, ProposalState.adopted, "采纳。")
        db.session.commit()
    make_project(app, cast, origins=(proposal_id,), site="三号楼北侧空地")
    assert _sites(client) == [("project", "三号楼北侧空地")]


def test_the_box_is_required(client):
    assert client.get("/map/sites.json").status_code == 400
    assert client.get("/map/sites.json?bbox=1,2,3").status_code == 400


def test_the_outlines_say_where_to_write_each_name(app, client, cast):  # noqa: F811
    with app.app_context():
        community = db.session.get(Place, cast.community.id)
        community.centre_lat, community.centre_lng = 30.552, 114.302
        db.session.commit()
    feature, = client.get(f"/proposals/map/areas.json?place={cast.community.id}&only=1").get_json()["features"]
    assert feature["properties"]["name"] == "D1社区1"
    assert feature["properties"]["centre"] == [30.552, 114.302]
