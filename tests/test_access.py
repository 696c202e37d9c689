"""The access floor: one actor per request, the same rule in the menu as on the page."""
from planner_platform.accounts.models import Role
from planner_platform.extensions import db
from planner_platform.planners.models import AppointingLevel, PolicyProfile
from tests.conftest import login
from tests.proposals.conftest import cast, make_proposal  # noqa: F401  (fixture)
from tests.test_query_counts import count_queries


def _menu(client) -> str:
    return client.get("/").get_data(as_text=True)


def test_street_staff_see_appoint_exactly_where_the_district_lets_them(app, client, places, make_user):
    officer = make_user(Role.subdistrict_staff, "D1S1")
    login(client, officer)
    assert 'href="/assignments/new"' in _menu(client)  # no profile yet: the default lets streets appoint
    with app.app_context():
        db.session.add(PolicyProfile.with_defaults(db.session.get(type(places["D1"]), places["D1"].id)))
        db.session.flush()
        db.session.scalar(db.select(PolicyProfile)).appointing_level = AppointingLevel.district
        db.session.commit()
    assert 'href="/assignments/new"' not in _menu(client)


def test_a_page_builds_the_actor_once_however_many_rules_it_asks(app, client, cast):  # noqa: F811
    for n in range(6):
        make_proposal(app, cast.resident, title=f"提案{n}")
    login(client, cast.planner)
    with count_queries(app) as statements:
        assert client.get("/workspace/").status_code == 200
    served = [s for s in statements if "FROM planner_profiles" in s and "assignments" in s]
    assert len(served) == 1, served


def test_the_actor_is_asked_again_after_a_commit(app, client, cast):  # noqa: F811
    """A term that ends is no longer "serving" on the next request, although the same account is logged in."""
    from planner_platform.planners.models import Assignment

    proposal_id = make_proposal(app, cast.resident)
    login(client, cast.planner)
    assert client.get("/workspace/").get_data(as_text=True).count(f"/proposals/{proposal_id}") >= 1
    with app.app_context():
        term = db.session.scalar(db.select(Assignment))
        term.occupied_until = term.start_on
        db.session.commit()
    assert client.get("/workspace/").get_data(as_text=True).count(f"/proposals/{proposal_id}") == 0
