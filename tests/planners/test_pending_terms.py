"""A term appointed today serves at once on every page; a term starting later is 待上岗 (with its day) on the
community page, the coverage page, the monitoring lists and their files, and covers nothing until its day."""
import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from planner_platform.accounts.models import Role
from planner_platform.areas.models import Place
from planner_platform.extensions import db
from planner_platform.monitoring import exports, records
from planner_platform.monitoring.periods import period_of
from planner_platform.planners import assignments
from planner_platform.planners.models import (Assignment, AssignmentEvent, AssignmentRole, AssignmentState,
                                              PlannerProfile)
from tests.conftest import local_date, login, submit
from tests.monitoring.test_dashboard import _card
from tests.planners.conftest import actor, load

TODAY = local_date()
NEXT_WEEK = TODAY + timedelta(days=7)


def _appoint(client, holder, community_id, start):
    return submit(client, "/assignments/new", {"holder": holder, "communities": [community_id], "role": "lead",
                                               "start_on": start.isoformat(), "end_on": "",
                                               "appointing_body": "水果湖街道办事处", "contract_ref": ""})


def _english(client):
    with client.session_transaction() as session:
        session["locale"] = "en"
    return client


def _lead_cells(html: str) -> dict[str, str]:
    """The monitoring community list as {community: lead column}."""
    table = html[html.index('id="records"'):]
    rows = {}
    for row in table.split("<tr>")[2:]:
        cells = [cell.split("</td>")[0] for cell in row.split("<td>")[1:]]
        if cells:
            rows[cells[0].split(">")[-2].split("<")[0] if "<a" in cells[0] else cells[0]] = cells[2]
    return rows


def test_a_term_starting_today_serves_at_once_everywhere(app, client, places, make_user, roster):
    officer = make_user(Role.subdistrict_staff, "D1S1")
    login(_english(client), officer)
    assert _appoint(client, f"planner:{roster['lead']}", places["D1S1C1"].id, TODAY).status_code == 302
    street = places["D1S1"].id
    coverage = client.get(f"/assignments/coverage/{street}").get_data(as_text=True)
    assert "1 of 2 communities have an active lead planner" in coverage and "Starting on" not in coverage
    listing = _lead_cells(client.get(f"/monitoring/places/{street}/records/coverage").get_data(as_text=True))
    assert listing == {"D1社区1": "李规划", "D1社区2": "No lead planner"}
    dashboard = client.get(f"/monitoring/places/{street}").get_data(as_text=True)
    assert _card(dashboard, "pending_appointments") == "0" and _card(dashboard, "without_lead") == "1"
    resident = app.test_client()
    login(resident, make_user(Role.resident, "D1S1C1"))
    page = resident.get(f"/places/{places['D1S1C1'].id}").get_data(as_text=True)
    assert "李规划" in page and "本社区暂无社区规划师。" not in page and "待上岗" not in page
    with app.app_context():
        assert db.session.scalar(select(Assignment.state)) is AssignmentState.active


def test_a_term_starting_next_week_is_pending_on_the_monitoring_lists_and_files(app, client, places, make_user,
                                                                             roster):
    login(_english(client), make_user(Role.subdistrict_staff, "D1S1"))
    assert _appoint(client, f"team:{roster['team']}", places["D1S1C1"].id, NEXT_WEEK).status_code == 302
    base = f"/monitoring/places/{places['D1S1'].id}"
    pending = f"东湖一队 · Starting on {NEXT_WEEK.isoformat()}"
    for kind in ("coverage", "without_lead"):  # not covered: listed among the communities without a lead
        page = client.get(f"{base}/records/{kind}").get_data(as_text=True)
        assert _lead_cells(page) == {"D1社区1": pending, "D1社区2": "No lead planner"}, kind
    dashboard = client.get(base).get_data(as_text=True)
    assert _card(dashboard, "without_lead") == "2" and _card(dashboard, "pending_appointments") == "1"
    rows = list(csv.reader(io.StringIO(client.get(f"{base}/records/without_lead/file.csv").data.decode("utf-8-sig"))))
    assert rows == [["Community", "Sub-district", "Lead planner"], ["D1社区1", "D1街道", pending],
                    ["D1社区2", "D1街道", "No lead planner"]]
    html = client.get(f"{base}/records/pending_appointments").get_data(as_text=True)
    assert "东湖一队" in html and NEXT_WEEK.isoformat() in html


def test_in_chinese_the_pending_lead_reads_dai_shang_gang_with_its_day(app, client, places, make_user, roster):
    login(client, make_user(Role.subdistrict_staff, "D1S1"))  # the default language: Chinese
    assert _appoint(client, f"team:{roster['team']}", places["D1S1C1"].id, NEXT_WEEK).status_code == 302
    base = f"/monitoring/places/{places['D1S1'].id}"
    pending = f"东湖一队 · 待上岗，{NEXT_WEEK.isoformat()} 起"
    assert _lead_cells(client.get(f"{base}/records/without_lead").get_data(as_text=True)) == {
        "D1社区1": pending, "D1社区2": "暂无主责规划师"}
    workbook = load_workbook(io.BytesIO(client.get(f"{base}/records/coverage/file.xlsx").data), read_only=True)
    sheet = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    assert sheet[1:] == [["D1社区1", "D1街道", pending], ["D1社区2", "D1街道", "暂无主责规划师"]]


def test_a_background_files_lead_column_says_no_lead_planner_rather_than_nothing(app, places, make_user, roster):
    """The files built in batches read each community's lead once; one without a lead says so (not an empty cell)."""
    officer = make_user(Role.subdistrict_staff, "D1S1")
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
        assignments.appoint(actor(officer.id), load(PlannerProfile, roster["lead"]),
                            [db.session.get(Place, places["D1S1C1"].id)], role=AssignmentRole.lead,
                            start_on=NEXT_WEEK, end_on=None, appointing_body="x")
        db.session.commit()
        street = db.session.get(Place, places["D1S1"].id)
        rows = [row for listing in records.batches("coverage", street, period_of("month", TODAY), 1)
                for row in exports.record_rows(listing)]
        assert [row[2] for row in rows] == [f"李规划 · Starting on {NEXT_WEEK.isoformat()}", "No lead planner"]


@pytest.mark.parametrize("path", ["appoint", "renew", "daily job"])
def test_every_way_a_term_begins_is_the_same_step(app, places, make_user, roster, path):
    """Appointed today, renewed after its end, or reached by the daily job: the term is active with the same
    history (appointed, then active)."""
    officer = make_user(Role.subdistrict_staff, "D1S1")
    with app.app_context():
        community = db.session.get(Place, places["D1S1C1"].id)
        start = TODAY if path == "appoint" else TODAY - timedelta(days=400) if path == "renew" else NEXT_WEEK
        [term] = assignments.appoint(actor(officer.id), load(PlannerProfile, roster["lead"]), [community],
                                     role=AssignmentRole.lead, start_on=start,
                                     end_on=TODAY if path == "renew" else None, appointing_body="x")
        db.session.commit()
        if path == "renew":
            assignments.advance_terms()
            assert term.state is AssignmentState.expired
            term = assignments.renew(actor(officer.id), term, end_on=None, version=term.version)
        elif path == "daily job":
            assert term.state is AssignmentState.appointed
            assert assignments.advance_terms(NEXT_WEEK)["activated"] == 1
        db.session.commit()
        assert term.state is AssignmentState.active
        assert db.session.scalars(select(AssignmentEvent.to_state).where(
            AssignmentEvent.assignment_id == term.id).order_by(AssignmentEvent.id)).all() == [
            AssignmentState.appointed, AssignmentState.active]
