"""The staff register: CSV and XLSX exports with attendance, safe against formula injection, and list pages whose
number of queries does not grow with their rows."""
import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from planner_platform.activities import services
from planner_platform.activities.models import Activity
from planner_platform.extensions import db
from tests.activities.conftest import actor, client_of, make_activity
from tests.test_query_counts import count_queries

ATTENDANCE = {"att_residents": 21, "att_committee": 2, "att_property": 1, "att_business": 0, "att_social_org": 3,
              "att_government": 1, "att_experts": 4}
INJECTION = '=HYPERLINK("http://evil.example","点我")'


def _closed_with(app, cast, title) -> int:
    activity_id = make_activity(app, cast.planner, starts_in=timedelta(hours=-3), title=title)
    with app.app_context():
        services.close(actor(cast.planner.id), db.session.get(Activity, activity_id),
                       services.ClosingInput(attendance=ATTENDANCE, minutes="纪要"))
        db.session.commit()
    return activity_id


def test_csv_export_has_attendance_by_group_and_neutralises_formulas(app, cast):
    _closed_with(app, cast, INJECTION)
    make_activity(app, cast.planner, title="下周的工作坊")
    response = client_of(app, cast.street).get("/activities/records.csv?state=closed")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 2  # the header and the one closed activity: the filter applies
    header, row = rows
    assert len(header) == len(row) == 21  # 12 columns about the activity, 7 groups, the total, the proposals
    assert header[10] == "报名人数" and row[10] == "0"  # the count of registrations, not a time
    assert row[1] == "'" + INJECTION
    assert row[12:21] == ["21", "2", "1", "0", "3", "1", "4", "32", "0"]


def test_xlsx_export_holds_the_same_rows_as_text_never_as_formulas(app, cast):
    _closed_with(app, cast, INJECTION)
    response = client_of(app, cast.street).get("/activities/records.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "'" + INJECTION
    assert sheet.cell(row=2, column=2).data_type == "s"
    assert rows[1][12:19] == (21, 2, 1, 0, 3, 1, 4)


def test_exports_are_for_staff_of_the_jurisdiction_only(app, cast):
    _closed_with(app, cast, "议事会")
    assert client_of(app, cast.planner).get("/activities/records.csv").status_code == 403
    other = client_of(app, cast.other_street).get("/activities/records.csv")
    assert len(list(csv.reader(io.StringIO(other.data.decode("utf-8-sig"))))) == 1  # the header only


@pytest.mark.parametrize("who, path", [("street", "/activities/records"), ("street", "/activities/"),
                                       ("planner", "/work")])
def test_list_pages_do_not_query_per_row(app, cast, who, path):
    client = client_of(app, getattr(cast, who))
    counts = []
    for batch in (1, 6):
        for _ in range(batch):
            _closed_with(app, cast, "工作坊")
            make_activity(app, cast.planner, title="下周的工作坊")
        client.get(path)  # warm-up
        with count_queries(app) as statements:
            assert client.get(path).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{path}: {counts[0]} statements for a few rows, {counts[1]} for many"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_every_export_is_audited_with_who_what_and_the_filters(app, cast, kind):
    from sqlalchemy import select

    from planner_platform.core.audit import AuditEntry

    activity_id = _closed_with(app, cast, "议事会")
    assert client_of(app, cast.street).get(f"/activities/records.{kind}?state=closed").status_code == 200
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "activities.exported"))
        assert entry.actor_id == cast.street.id and entry.ip == "127.0.0.1"
        assert entry.details == {"format": kind, "rows": 1, "activity_ids": [activity_id],
                                 "filters": {"state": "closed"}}
