"""The overdue list: the city observer reaches every district's late proposals from the menu, the longest waiting
first with their days late and the planner responsible; district staff see their district only; the export
carries the same columns."""
from datetime import timedelta
from io import BytesIO

from openpyxl import load_workbook

from planner_platform.accounts.models import Role
from planner_platform.extensions import db
from planner_platform.proposals.models import Proposal, ProposalEvent, ProposalState
from tests.conftest import login
from tests.monitoring.conftest import NOW, TODAY


def _waiting(app, places, code: str, author_id: int, days_late: int, title: str) -> None:
    with app.app_context():
        p = Proposal(title=title, description="…", category="公共空间", community_id=places[code].id,
                     author_id=author_id, state=ProposalState.submitted, submitted_at=NOW - timedelta(days=30),
                     due_on=TODAY - timedelta(days=days_late))
        db.session.add(p)
        db.session.flush()
        db.session.add(ProposalEvent(proposal_id=p.id, from_state=ProposalState.draft,
                                     to_state=ProposalState.submitted, occurred_at=p.submitted_at))
        db.session.commit()


def _titles_in_order(html: str, titles) -> list[str]:
    return sorted((t for t in titles if t in html), key=html.index)


def test_the_observer_sees_every_district_longest_waiting_first(app, client, places, make_user, frozen):
    author = make_user(Role.resident, "D1S1C1")
    _waiting(app, places, "D1S1C1", author.id, 2, "东区晚两天")
    _waiting(app, places, "D2S1C1", author.id, 9, "西区晚九天")
    _waiting(app, places, "D1S1C2", author.id, -3, "还没到期")
    login(client, make_user(Role.city_observer, "C"))

    menu = client.get("/").get_data(as_text=True)
    assert "/monitoring/overdue" in menu
    listing = client.get("/monitoring/overdue", follow_redirects=True)
    html = listing.get_data(as_text=True)
    assert listing.status_code == 200 and listing.request.path.endswith(f"/places/{places['C'].id}/records/overdue")
    assert _titles_in_order(html, ["东区晚两天", "西区晚九天", "还没到期"]) == ["西区晚九天", "东区晚两天"]
    row = html[html.index("西区晚九天"):]
    row = row[:row.index("</tr>")]
    assert places["D2"].name in row and places["D2S1"].name in row and ">9</td>" in row
    records = html[html.index('id="records"'):html.index('<footer')]
    assert "<form" not in records  # read only (the footer's text-size switch is a form on every page)

    workbook = load_workbook(BytesIO(client.get(
        f"/monitoring/places/{places['C'].id}/records/overdue/file.xlsx").data))
    header, *rows = list(workbook.active.values)
    late = header.index(next(h for h in header if h in ("Days overdue", "超期天数")))
    assert [(r[1], r[late]) for r in rows] == [("西区晚九天", 9), ("东区晚两天", 2)]


def test_district_staff_see_their_district_only(app, client, places, make_user, frozen):
    author = make_user(Role.resident, "D1S1C1")
    _waiting(app, places, "D1S1C1", author.id, 2, "东区晚两天")
    _waiting(app, places, "D2S1C1", author.id, 9, "西区晚九天")
    login(client, make_user(Role.district_staff, "D1"))
    html = client.get("/monitoring/overdue", follow_redirects=True).get_data(as_text=True)
    assert "东区晚两天" in html and "西区晚九天" not in html


def test_the_overdue_menu_is_only_for_those_who_monitor(app, client, places, make_user):
    login(client, make_user(Role.resident, "D1S1C1"))
    assert "/monitoring/overdue" not in client.get("/").get_data(as_text=True)
    assert client.get("/monitoring/overdue").status_code == 403
