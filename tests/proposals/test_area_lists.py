"""Lists by area: proposals carry their community's sub-district and district, the database refuses a wrong copy,
each level's page reads off an index, and a resident's list page costs at most five statements."""
import re

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError

from planner_platform.extensions import db
from planner_platform.proposals import queries
from planner_platform.proposals.models import Proposal
from tests.conftest import login
from tests.proposals.test_proposal_lists import _ids
from tests.proposals.conftest import make_proposal
from tests.test_query_counts import count_queries


def test_a_proposal_carries_its_communitys_sub_district_and_district_and_follows_a_move(app, cast, places):
    proposal_id = make_proposal(app, cast.resident, submit=False)
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        assert (proposal.subdistrict_id, proposal.district_id) == (places["D1S1"].id, places["D1"].id)
        proposal.community_id = places["D2S1C1"].id
        db.session.commit()
        assert (proposal.subdistrict_id, proposal.district_id) == (places["D2S1"].id, places["D2"].id)


def test_the_database_refuses_a_sub_district_or_district_that_is_not_the_communitys(app, cast, places):
    proposal_id = make_proposal(app, cast.resident)
    with app.app_context():
        for values in ({"subdistrict_id": places["D2S1"].id}, {"district_id": places["D2"].id}):
            with pytest.raises(IntegrityError):
                db.session.execute(update(Proposal).where(Proposal.id == proposal_id).values(**values))
                db.session.flush()
            db.session.rollback()


def test_the_area_filter_lists_exactly_the_proposals_inside_each_level(app, client, cast, places):
    here = make_proposal(app, cast.resident, title="本社区")
    neighbour = make_proposal(app, cast.resident, title="邻社区", community_id=places["D1S1C2"].id)
    elsewhere = make_proposal(app, cast.resident, title="外区", community_id=places["D2S1C1"].id, category="其他")
    expected = {"D1S1C1": [here], "D1S1": [neighbour, here], "D1": [neighbour, here],
                "D2": [elsewhere], "C": [elsewhere, neighbour, here]}
    for code, ids in expected.items():
        assert _ids(client, f"/proposals/?place={places[code].id}")[0] == ids, code


@pytest.mark.parametrize("code, newest_index", [("D1S1C1", "ix_proposals_community_newest"),
                                                 ("D1S1", "ix_proposals_subdistrict_newest"),
                                                 ("D1", "ix_proposals_district_newest"), ("C", "")])
def test_postgresql_reads_each_area_list_off_an_index(app, cast, places, database_url, code, newest_index):
    if not database_url.startswith("postgresql"):
        pytest.skip("the plan is PostgreSQL's")
    make_proposal(app, cast.resident)
    with app.app_context():
        db.session.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: make the planner show its choice
        area = db.session.get(type(places[code]), places[code].id)
        for sort in ("newest", "supported", "commented"):
            query = queries._filtered(db.select(Proposal.id).where(queries._public()), queries.Filters(place=area))
            query = query.order_by(queries.SORTS[sort].desc(), Proposal.id.desc()).limit(21)
            compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
            plan = "\n".join(db.session.execute(text(f"EXPLAIN {compiled}")).scalars())
            assert "Seq Scan on proposals" not in plan, (code, sort, plan)
            if sort == "newest":  # the area's own index, in the list's order: no walk through the whole city's
                assert newest_index in plan, plan
        db.session.rollback()


def test_a_residents_list_page_costs_five_statements(app, client, cast):
    make_proposal(app, cast.resident)
    login(client, cast.resident)
    client.get("/proposals/")
    with count_queries(app) as statements:
        assert client.get("/proposals/").status_code == 200
    # the page (cards with places and cover photo), the area and category choices, the session with its user,
    # grants and unread count
    sql = _without_savepoints(statements)
    assert len(sql) <= 5, sql


def _without_savepoints(statements):
    return [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO"))]  # the isolation's


@pytest.mark.parametrize("code", ["D1S1C1", "D1S1", "D1"])
def test_a_residents_list_of_one_area_costs_five_statements(app, client, cast, places, code):
    make_proposal(app, cast.resident)
    login(client, cast.resident)
    path = f"/proposals/?place={places[code].id}"
    client.get(path)
    with count_queries(app) as statements:
        page = client.get(path)
    assert page.status_code == 200 and "楼道加装扶手" in page.get_data(as_text=True)
    # The list filtered by an area adds the area itself: still five, as the unread count rides with the
    # session's statement (accounts.sessions.ride_along).
    sql = _without_savepoints(statements)
    assert len(sql) <= 5, sql
    assert not any("FROM notifications" in s and not s.startswith("SELECT user_sessions") for s in sql), sql


def test_the_area_filter_offers_the_districts_and_the_sub_districts_of_the_one_in_view(client, cast, places):
    def offered(url):
        page = client.get(url).get_data(as_text=True)
        select_html = page[page.index('name="place"'):]
        return set(re.findall(r'<option value="(\d+)"', select_html[:select_html.index("</select>")]))

    districts = {str(places["D1"].id), str(places["D2"].id)}
    assert offered("/proposals/") == districts
    in_d1 = districts | {str(places["D1S1"].id)}  # D1 has one sub-district; D2S1 is not offered
    for chosen in ("D1", "D1S1", "D1S1C1"):
        assert offered(f"/proposals/?place={places[chosen].id}") == in_d1, chosen
    assert str(places["D2S1"].id) in offered(f"/activities/?place={places['D2'].id}")
