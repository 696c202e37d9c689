"""The dashboard pages: each role sees its jurisdiction only, periods parse or answer 400, numbers link to their
lists, a new proposal shows at once, and the number of SQL statements does not grow with the number of units."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from planner_platform.accounts.models import Role, User
from planner_platform.areas.models import Place
from planner_platform.extensions import db
from planner_platform.monitoring.indicators import BY_KEY
from planner_platform.monitoring.models import CommunityMonth
from planner_platform.monitoring.tasks import refresh_task
from planner_platform.proposals.models import Proposal, ProposalEvent, ProposalState
from tests.conftest import login
from tests.monitoring.conftest import NOW, add_communities
from tests.test_query_counts import count_queries


def _proposal(app, community_id: int, author_id: int) -> int:
    with app.app_context():
        p = Proposal(title="新提案", description="…", category="公共空间", community_id=community_id,
                     author_id=author_id, state=ProposalState.submitted, submitted_at=NOW - timedelta(hours=1),
                     due_on=NOW.date() + timedelta(days=3))
        db.session.add(p)
        db.session.flush()
        db.session.add(ProposalEvent(proposal_id=p.id, from_state=ProposalState.draft,
                                     to_state=ProposalState.submitted, occurred_at=p.submitted_at))
        db.session.commit()
        return p.id


def _card(html: str, key: str) -> str:
    start = html.index(f'data-indicator="{key}"')
    chunk = html[start:start + 600]
    value = chunk.split('fs-4 fw-semibold">')[1].split("</div>")[0]
    return value.split(">")[1].split("<")[0] if "<a" in value else value.strip()


def test_street_staff_see_their_street_only(app, client, places, make_user, frozen):
    staff = make_user(Role.subdistrict_staff, "D1S1")
    login(client, staff)
    assert client.get("/monitoring/").headers["Location"].endswith(f"/monitoring/places/{places['D1S1'].id}")
    assert client.get(f"/monitoring/places/{places['D1S1'].id}").status_code == 200
    assert client.get(f"/monitoring/places/{places['D1S1C1'].id}").status_code == 200
    for code in ("D2S1", "D2S1C1", "D1", "C"):
        assert client.get(f"/monitoring/places/{places[code].id}").status_code == 403, code
    assert client.get(f"/monitoring/places/{places['D2S1'].id}/records/received").status_code == 403
    assert client.get(f"/monitoring/places/{places['D1S1'].id}/records/received").status_code == 200


def test_district_staff_and_the_city_observer(app, client, places, make_user, frozen):
    district = make_user(Role.district_staff, "D1")
    login(client, district)
    assert client.get(f"/monitoring/places/{places['D1'].id}").status_code == 200
    assert client.get(f"/monitoring/places/{places['D2'].id}").status_code == 403
    client.get("/accounts/logout")
    observer = make_user(Role.city_observer, "C")
    client = app.test_client()
    login(client, observer)
    for code in ("C", "D1", "D2", "D1S1", "D2S1C2"):
        assert client.get(f"/monitoring/places/{places[code].id}").status_code == 200, code
    page = client.get("/").get_data(as_text=True)
    assert "/monitoring/" in page and "dashboards will follow" not in page


def test_residents_and_strangers_are_refused(app, client, places, make_user, frozen):
    resident = make_user(Role.resident, "D1S1C1")
    login(client, resident)
    assert client.get("/monitoring/").status_code == 403
    assert client.get(f"/monitoring/places/{places['D1S1C1'].id}").status_code == 403
    assert "/monitoring/" not in client.get("/").get_data(as_text=True)
    anonymous = app.test_client()
    assert anonymous.get("/monitoring/").status_code == 302


@pytest.mark.parametrize("query", ["period=week", "period=month&at=2026-13", "period=custom&from=2026-05",
                                   "period=custom&from=2026-06&to=2026-01", "period=custom&from=2000-01&to=2020-01",
                                   "sort=nothing", "dir=up", "period=month&at=yesterday"])
def test_bad_periods_and_sorts_answer_400(app, client, places, make_user, frozen, query):
    login(client, make_user(Role.city_observer, "C"))
    assert client.get(f"/monitoring/places/{places['C'].id}?{query}").status_code == 400


@pytest.mark.parametrize("query, label", [("", "2026-06"), ("period=quarter&at=2026-05", "2026 Q2"),
                                          ("period=year&at=2026-02", "2026"),
                                          ("period=custom&from=2025-11&to=2026-02", "2025-11 – 2026-02")])
def test_periods(app, client, places, make_user, frozen, query, label):
    login(client, make_user(Role.city_observer, "C"))
    page = client.get(f"/monitoring/places/{places['C'].id}?{query}")
    assert page.status_code == 200 and label in page.get_data(as_text=True)


def test_unknown_list_is_404(app, client, places, make_user, frozen):
    login(client, make_user(Role.city_observer, "C"))
    assert client.get(f"/monitoring/places/{places['C'].id}/records/nothing").status_code == 404


def test_a_new_proposal_shows_at_once_and_links_to_its_list(app, client, places, make_user, frozen):
    resident = make_user(Role.resident, "D1S1C1")
    login(client, make_user(Role.subdistrict_staff, "D1S1"))
    url = f"/monitoring/places/{places['D1S1'].id}"
    assert _card(client.get(url).get_data(as_text=True), "received") == "0"
    proposal_id = _proposal(app, places["D1S1C1"].id, resident.id)
    html = client.get(url).get_data(as_text=True)  # the embedded default refreshes on read
    assert _card(html, "received") == "1"
    listing = client.get(f"{url}/records/received?period=month&at=2026-06").get_data(as_text=True)
    assert f"/proposals/{proposal_id}" in listing and '<span id="record-count">1 ' in listing


def test_the_beat_task_refreshes_marked_communities(app, places, make_user, frozen):
    resident = make_user(Role.resident, "D2S1C1")
    _proposal(app, places["D2S1C1"].id, resident.id)
    with app.app_context():
        assert db.session.scalar(select(CommunityMonth.received).where(
            CommunityMonth.community_id == places["D2S1C1"].id)) is None
    with app.app_context():
        counts = refresh_task()
    assert counts["communities"] >= 1
    with app.app_context():
        assert db.session.scalar(select(CommunityMonth.received).where(
            CommunityMonth.community_id == places["D2S1C1"].id)) == 1


def _statements(app, client, url) -> int:
    client.get(url)  # the refresh-on-read of fresh marks is not what is measured
    with count_queries(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_statements_do_not_grow_with_the_units(app, client, places, make_user, frozen):
    resident = make_user(Role.resident, "D1S1C1")
    login(client, make_user(Role.city_observer, "C"))
    for code in ("D1S1C1", "D1S1C2"):
        _proposal(app, places[code].id, resident.id)
    urls = [f"/monitoring/places/{places[code].id}?period=year" for code in ("C", "D1", "D1S1")]
    before = [_statements(app, client, url) for url in urls]
    for community_id in add_communities(app, places, "D1S1", 18, "X"):
        _proposal(app, community_id, resident.id)
    with app.app_context():
        assert len(db.session.get(Place, places["D1S1"].id).children) == 20
    after = [_statements(app, client, url) for url in urls]
    assert before == after
    with app.app_context():
        assert db.session.scalar(select(User.id).limit(1))


def test_numbers_are_written_as_the_pages_and_reports_show_them():
    assert BY_KEY["response_rate"].shown(87.25) == "87.2%" and BY_KEY["response_rate"].shown(None) == "—"
    assert BY_KEY["budget_approved"].shown(1250050) == "¥12,500.50"
    assert BY_KEY["median_response_days"].shown(2.5) == "2.5" and BY_KEY["received"].shown(12) == "12"
    assert BY_KEY["received"].shown(1_234_567) == "1234567"  # a city's year, never 1.23457e+06
