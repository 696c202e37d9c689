"""The map's precomputed cells: kept equal to a recount through every change a proposal goes through, answering
as the proposals themselves would, and read off their key on PostgreSQL."""
import pytest
from sqlalchemy import func, select, text

from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from planner_platform.proposals import clusters, queries
from planner_platform.proposals.models import MapCell, MapTotal, Proposal, ProposalState
from tests.proposals.conftest import INSIDE, make_proposal

BOX = (114.2, 30.5, 114.4, 30.6)


def _cells() -> list[tuple]:
    cells = db.session.execute(select(MapCell.zoom, MapCell.col, MapCell.row, MapCell.subdistrict_id,
                                      MapCell.state, MapCell.category, MapCell.n, MapCell.sum_id)).all()
    totals = db.session.execute(select(MapTotal.zoom, MapTotal.col, MapTotal.row, MapTotal.n, MapTotal.sum_id)).all()
    return sorted(cells, key=repr) + sorted(totals)


def _kept_equals_recount() -> None:
    kept = _cells()
    clusters.rebuild(db.session)
    assert kept == _cells()
    db.session.rollback()


def test_the_cells_follow_every_change_and_equal_a_recount(app, cast, places):
    first = make_proposal(app, cast.resident, lat=INSIDE[0], lng=INSIDE[1])
    second = make_proposal(app, cast.resident, lat=INSIDE[0] + 0.001, lng=INSIDE[1])
    draft = make_proposal(app, cast.resident, submit=False, lat=INSIDE[0], lng=INSIDE[1])
    changes = [
        lambda p: setattr(p, "lat", p.lat + 0.02),
        lambda p: setattr(p, "category", "其他"),
        lambda p: setattr(p, "state", ProposalState.accepted),
        lambda p: setattr(p, "hidden_at", utcnow()),
        lambda p: setattr(p, "hidden_at", None),
        lambda p: setattr(p, "community_id", places["D2S1C1"].id),
        lambda p: (setattr(p, "lat", None), setattr(p, "lng", None)),
    ]
    with app.app_context():
        # The zoom-0 cell of D1S1 counts both proposals with their ids summed; the draft is in no cell.
        top = db.session.scalars(select(MapCell).where(MapCell.zoom == 0)).all()
        assert [(c.n, c.sum_id, c.subdistrict_id) for c in top] == [(2, first + second, places["D1S1"].id)]
        _kept_equals_recount()
        for change in changes:
            change(db.session.get(Proposal, first))
            db.session.commit()  # expires everything: the next change must load the old values itself
            _kept_equals_recount()
        db.session.get(Proposal, draft).state = ProposalState.submitted
        db.session.get(Proposal, second).state = ProposalState.withdrawn
        db.session.commit()
        _kept_equals_recount()
        assert {(c.state, c.sum_id) for c in db.session.scalars(select(MapCell).where(MapCell.zoom == 0))} == \
            {(ProposalState.submitted, draft), (ProposalState.withdrawn, second)}


@pytest.mark.parametrize("args", [{}, {"state": "open"}, {"state": "accepted"}, {"category": "公共空间"},
                                  {"place": "D1"}, {"place": "D1S1"}, {"place": "C"}])
def test_the_stored_cells_answer_as_the_proposals_themselves(app, cast, places, args):
    for n in range(6):
        make_proposal(app, cast.resident, lat=INSIDE[0] + n * 0.0008, lng=INSIDE[1] - n * 0.0007,
                      category="其他" if n == 5 else "公共空间" if n % 2 else "适老化",
                      community_id=places["D2S1C1" if n == 5 else "D1S1C1"].id)
    with app.app_context():
        db.session.get(Proposal, db.session.scalar(select(func.min(Proposal.id)))).state = ProposalState.accepted
        db.session.commit()
        place = args.get("place")
        filters = queries.Filters(state=args.get("state", ""), category=args.get("category", ""),
                                  place=db.session.get(type(places["C"]), places[place].id) if place else None)
        for zoom in (3, 11, 15):
            stored = queries._stored_cells(*BOX, zoom, filters)
            counted = queries._counted_cells(*BOX, zoom, filters)
            assert sorted(_rounded(db.session.execute(stored).all())) == \
                sorted(_rounded(db.session.execute(counted).all())), zoom


def _rounded(rows) -> list[tuple]:
    return [(count, round(lat, 9), round(lng, 9), first if count == 1 else None) for count, lat, lng, first in rows]


def test_the_map_counts_live_what_the_cells_cannot_answer(app, client, cast, places):
    make_proposal(app, cast.resident, title="扶手", lat=INSIDE[0], lng=INSIDE[1])
    make_proposal(app, cast.resident, title="路灯", lat=INSIDE[0], lng=INSIDE[1] + 0.001)
    box = ",".join(map(str, BOX))
    for args, expected in (("zoom=10", [2]), ("zoom=10&q=路灯", [1]),
                           (f"zoom=10&place={places['D1S1C1'].id}", [2]), (f"zoom=10&place={places['D1S1C2'].id}", []),
                           ("zoom=18", [1, 1])):
        cells = client.get(f"/proposals/map/cells.json?bbox={box}&{args}").get_json()["cells"]
        assert sorted(c["count"] for c in cells) == expected, args


@pytest.mark.parametrize("state, key", [("", "pk_proposal_map_totals"), ("open", "pk_proposal_map_cells")])
def test_postgresql_reads_the_city_map_off_the_squares_key(app, cast, database_url, state, key):
    if not database_url.startswith("postgresql"):
        pytest.skip("the plan is PostgreSQL's")
    make_proposal(app, cast.resident, lat=INSIDE[0], lng=INSIDE[1])
    with app.app_context():
        db.session.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: make the planner show its choice
        query = queries._stored_cells(*BOX, 11, queries.Filters(state=state))
        compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = "\n".join(db.session.execute(text(f"EXPLAIN {compiled}")).scalars())
        assert key in plan and " proposals" not in plan, plan
