"""Exports of the dashboard: the comparison table and every list as CSV (UTF-8 with BOM) and XLSX, holding the
page's numbers, kept to the page's jurisdiction, every one audited, formulas neutralised."""
import csv
import html
import io
import re
from decimal import Decimal

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from planner_platform.accounts.models import Role
from planner_platform.core.audit import AuditEntry
from planner_platform.core.tabular import sheet_name
from planner_platform.extensions import db
from planner_platform.monitoring import records, services
from planner_platform.proposals.models import Proposal
from tests.conftest import csrf_token_from, login
from tests.test_query_counts import count_queries

PERIOD = "period=custom&from=2025-06&to=2026-06"


def _number(text):
    """A page's or a file's value as a comparable number (None for "—" or an empty cell)."""
    if text is None:
        return None
    text = html.unescape(re.sub(r"<[^>]+>", "", str(text))).strip().replace("¥", "").replace(",", "").rstrip("%")
    return None if text in ("", "—") else round(Decimal(text), 2)


def _page_table(page: str) -> list[list]:
    """The comparison table of a dashboard page: [unit name, value, ...] per row, in the page's order."""
    table = page[page.index('id="comparison"'):]
    table = table[:table.index("</table>")]
    rows = []
    for row in re.findall(r"<tr data-unit=\"\d+\">(.*?)</tr>", table, re.S):
        name = html.unescape(re.sub(r"<[^>]+>", "", re.search(r"<th scope=\"row\">(.*?)</th>", row, re.S)[1]))
        rows.append([name.strip(), *(_number(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S))])
    return rows


def _xlsx(body: bytes) -> list[list]:
    workbook = load_workbook(io.BytesIO(body), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def _csv(body: bytes) -> list[list]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _as_numbers(rows: list[list]) -> list[list]:
    return [[row[0], *(_number(cell) for cell in row[1:])] for row in rows]


@pytest.mark.parametrize("sort", ["", "&sort=budget_approved&dir=desc", "&sort=response_rate&dir=asc"])
def test_the_comparison_export_holds_the_page_numbers(app, client, history, make_user, sort):
    login(client, make_user(Role.district_staff, "D1"))
    url = f"/monitoring/places/{history['D1']}"
    page = client.get(f"{url}?{PERIOD}{sort}").get_data(as_text=True)
    shown = _page_table(page)
    assert len(shown) == 2 and any(value for row in shown for value in row[1:])
    assert f"/monitoring/places/{history['D1']}/table.xlsx?" in page
    xlsx = client.get(f"{url}/table.xlsx?{PERIOD}{sort}")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    sheet = _xlsx(xlsx.data)
    assert sheet[0][0] == "名称" and "批复资金 (元)" in sheet[0] and len(sheet[0]) == len(shown[0])
    assert _as_numbers(sheet[1:]) == shown
    table = _csv(client.get(f"{url}/table.csv?{PERIOD}{sort}").data)
    assert table[0] == sheet[0] and _as_numbers(table[1:]) == shown


def _card(page: str, key: str):
    start = page.index(f'data-indicator="{key}"')
    return _number(page[start:start + 600].split('fs-4 fw-semibold">')[1].split("</div>")[0])


def test_a_list_export_holds_the_whole_list(app, client, history, make_user, monkeypatch):
    monkeypatch.setattr(records, "PAGE_ROWS", 3)  # the page shows 3 rows, the file holds them all
    login(client, make_user(Role.district_staff, "D1"))
    url = f"/monitoring/places/{history['D1']}"
    page = client.get(f"{url}?{PERIOD}").get_data(as_text=True)
    for kind, card in (("received", "received"), ("spending", "budget_spent"),
                       ("overdue_milestones", "overdue_milestones"), ("fundings", "budget_approved"),
                       ("activities", "activities_held")):
        listing = client.get(f"{url}/records/{kind}?{PERIOD}").get_data(as_text=True)
        count = int(re.search(r'<span id="record-count">(\d+)', listing)[1])
        assert f"/records/{kind}/file.xlsx?" in listing
        sheet = _xlsx(client.get(f"{url}/records/{kind}/file.xlsx?{PERIOD}").data)
        assert len(sheet) - 1 == count > 3, kind
        if kind == "spending":
            assert sum(Decimal(str(row[4])) for row in sheet[1:]) == _card(page, card)
        elif kind == "fundings":
            assert sum(Decimal(str(row[3])) for row in sheet[1:]) == _card(page, card)
        else:
            assert count == _card(page, card), kind
        assert len(_csv(client.get(f"{url}/records/{kind}/file.csv?{PERIOD}").data)) == len(sheet)
    planners = _xlsx(client.get(f"{url}/records/planners/file.xlsx?{PERIOD}").data)
    assert len(planners[0]) == 3 and len(planners) > 1
    assert sum(row[1] for row in planners[1:]) == _card(page, "onsite_days")


def test_exports_are_audited_and_kept_to_the_jurisdiction(app, client, history, make_user):
    staff = make_user(Role.subdistrict_staff, "D1S1")
    login(client, staff)
    for path in ("table.xlsx", "records/received/file.csv"):
        assert client.get(f"/monitoring/places/{history['D2']}/{path}").status_code == 403
        assert client.get(f"/monitoring/places/{history['D1']}/{path}").status_code == 403
        assert client.get(f"/monitoring/places/{history['D1S1']}/{path}?{PERIOD}").status_code == 200
    assert client.get(f"/monitoring/places/{history['D1S1']}/table.pdf").status_code == 404
    assert client.get(f"/monitoring/places/{history['D1S1']}/records/nothing/file.csv").status_code == 404
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "monitoring.exported")
                                     .order_by(AuditEntry.id)).all()
        assert [(e.actor_id, e.object_id, e.details["table"], e.details["format"]) for e in entries] == [
            (staff.id, str(history["D1S1"]), "comparison", "xlsx"),
            (staff.id, str(history["D1S1"]), "received", "csv")]
        assert entries[0].details["period"] == "2025-06 – 2026-06"
    resident = make_user(Role.resident, "D1S1C1")
    other = app.test_client()
    login(other, resident)
    assert other.get(f"/monitoring/places/{history['D1S1C1']}/table.csv").status_code == 403


def test_formulas_are_neutralised_and_too_long_lists_refused(app, client, history, make_user, monkeypatch):
    login(client, make_user(Role.city_observer, "C"))
    url = f"/monitoring/places/{history['C']}/records/received/file"
    titles = [row[1] for row in _xlsx(client.get(f"{url}.xlsx?{PERIOD}").data)[1:]]
    assert "'=HYPERLINK(\"http://evil\")" in titles and not any(t.startswith("=") for t in titles)
    assert any(row[1].startswith("'=") for row in _csv(client.get(f"{url}.csv?{PERIOD}").data)[1:])
    monkeypatch.setattr(services, "EXPORT_MAX_ROWS", 5)
    refused = client.get(f"{url}.xlsx?{PERIOD}")
    assert refused.status_code == 400 and "超过单个文件的上限" in refused.get_data(as_text=True)


def test_a_list_export_reads_its_records_once_not_once_per_row(app, client, history, make_user):
    login(client, make_user(Role.district_staff, "D1"))
    url = f"/monitoring/places/{history['D1']}/records/received/file.csv?{PERIOD}"
    with count_queries(app) as statements:
        rows = _csv(client.get(url).data)
    assert len(rows) > 30 and len(statements) < 20, len(statements)


def test_a_proposal_lists_file_rows_say_what_its_records_say(app, client, history, make_user):
    """The file reads plain rows of its own (records.Selection.file_rows): each row still names the proposal's
    places, state and responsible planner as the proposal itself does."""
    login(client, make_user(Role.district_staff, "D1"))
    sheet = _xlsx(client.get(f"/monitoring/places/{history['D1']}/records/received/file.xlsx?{PERIOD}").data)
    with app.app_context():
        numbers = [row[0] for row in sheet[1:]]
        by_id = {p.id: p for p in db.session.scalars(select(Proposal).where(Proposal.id.in_(numbers)))}
        leads = records.lead_names({p.community_id for p in by_id.values()})
        assert len(by_id) == len(sheet) - 1 > 3
        for number, _title, category, community, subdistrict, district, state, *_rest, planner in sheet[1:]:
            p = by_id[number]
            assert (category, community, subdistrict, district) == (
                p.category, p.community.name, p.community.parent.name, p.community.parent.parent.name)
            assert state == str(p.state.label)
            assert planner == (p.assignee.display_name if p.assignee else leads.get(p.community_id, "暂无主责规划师"))


def test_every_list_downloads_as_xlsx_in_english_too(app, client, history, make_user):
    """A sheet is named after its list, and Excel refuses some characters in a name ("Roster: …")."""
    login(client, make_user(Role.district_staff, "D1"))
    page = client.get("/")
    client.post("/language", data={"csrf_token": csrf_token_from(page.data), "locale": "en", "next": "/"})
    url = f"/monitoring/places/{history['D1']}/records"
    for kind, title in records.TITLES.items():
        response = client.get(f"{url}/{kind}/file.xlsx?{PERIOD}")
        assert response.status_code == 200, kind
        with app.test_request_context("/"), force_locale("en"):
            expected = sheet_name(str(title), set())
        [name] = load_workbook(io.BytesIO(response.data)).sheetnames
        assert name and expected.startswith(name), kind


def test_sheet_names_are_what_excel_accepts():
    taken = set()
    names = [sheet_name(title, taken) for title in ("Roster: the planners' current terms", "a/b", "A/B", "'x'",
                                                     "名册：在任规划师")]
    assert names == ["Roster the planners' current te", "a b", "A B (2)", "x", "名册：在任规划师"]
