"""A proposal list's file, built in the background or downloaded at once, holds exactly what the export wrote before
it read plain rows in large batches: the rows are rebuilt here the old way (the list's records as objects with their
places and assignee, Babel's time zone, the labels translated per row, openpyxl's writer) and the files must match,
the CSV byte for byte, the XLSX cell for cell (values and their types), in both languages."""
import csv
import io
from datetime import date, timedelta

import pytest
from flask_babel import force_locale, get_timezone, gettext
from openpyxl import Workbook
from sqlalchemy import select

from planner_platform.accounts.models import Role
from planner_platform.core.calendar import local_today
from planner_platform.core.tabular import FORMULA_PREFIXES
from planner_platform.extensions import db
from planner_platform.monitoring import background, records
from planner_platform.monitoring.periods import Period
from planner_platform.planners.models import Assignment, AssignmentRole, AssignmentState
from tests.conftest import login
from tests.monitoring.test_background_exports import LIST, _ask, _job_id
from tests.monitoring.test_exports import PERIOD, _xlsx

#: The header's messages, translated in the file's language.
HEADER = ("Number", "Proposal", "Category", "Community", "Sub-district", "District", "Status", "Received", "Deadline",
          "Days overdue", "Responsible planner")


def _old_rows(place_id: int, locale: str) -> list[list]:
    """The list as the export wrote it before: a row per record object, each cell computed on its own."""
    with force_locale(locale):
        place = db.session.get(records.Place, place_id)
        period = Period("custom", date(2025, 6, 1), date(2026, 6, 1))
        chosen = records.selection("received", place, period)
        proposals = chosen.page(None)
        leads = records.lead_names({p.community_id for p in proposals})
        today, no_lead = local_today(), str(records._l("No lead planner"))
        rows = []
        for p in proposals:
            late = (today - p.due_on).days if p.is_overdue(today) else ""
            rows.append([p.id, p.title, p.category, p.community.name, p.community.parent.name,
                         p.community.parent.parent.name, str(p.state.label),
                         p.submitted_at.astimezone(get_timezone()).strftime("%Y-%m-%d %H:%M"),
                         p.due_on.isoformat() if p.due_on else "", late,
                         p.assignee.display_name if p.assignee else leads.get(p.community_id) or no_lead])
        return [[gettext(message) for message in HEADER], *rows]


def _neutralised(rows):
    return [[f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_PREFIXES) else v for v in row] for row in rows]


def _old_csv(rows) -> bytes:
    text = io.StringIO(newline="")
    csv.writer(text).writerows(_neutralised(rows))
    return text.getvalue().encode("utf-8-sig")


def _old_xlsx(rows) -> list[list]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("sheet")
    for row in _neutralised(rows):
        sheet.append(row)
    body = io.BytesIO()
    workbook.save(body)
    return _typed(_xlsx(body.getvalue()))


def _typed(sheet: list[list]) -> list[list]:
    return [[(type(value).__name__, value) for value in row] for row in sheet]


@pytest.fixture
def varied(app, history):
    """The history's proposals, with what the columns must tell apart: no assignee (the lead's name, one starting
    later, or none), an overdue step, no deadline, a formula."""
    with app.app_context():
        place = db.session.get(records.Place, history["D1"])
        listed = records.selection("received", place, Period("custom", date(2025, 6, 1), date(2026, 6, 1)))
        proposals = sorted(listed.page(None), key=lambda p: p.id)
        # Without an assignee: proposals of two communities at least, and of every community of the first two.
        bare = {proposals[0].community_id, proposals[1].community_id}
        for p in proposals[:12] + [p for p in proposals if p.community_id in bare]:
            p.assignee_id = None
        waiting = [p for p in proposals[12:] if p.state.is_open]
        waiting[0].due_on = local_today() - timedelta(days=9)
        waiting[1].due_on = None
        proposals[13].title = "+1 and a \"quoted\", comma"
        # A community whose only lead begins later, and one with no lead at all.
        assert len(bare) == 2
        for community, state in zip(sorted(bare), (AssignmentState.appointed, None)):
            for term in db.session.scalars(select(Assignment).where(Assignment.community_id == community,
                                                                    Assignment.role == AssignmentRole.lead)):
                if state is None:
                    db.session.delete(term)
                else:
                    term.state, term.start_on = state, local_today() + timedelta(days=5)
        db.session.commit()
    return history


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_the_files_hold_what_the_old_export_wrote(app, client, varied, make_user, monkeypatch, locale):
    monkeypatch.setitem(app.config, "EXPORT_INLINE_MAX_ROWS", 10)
    monkeypatch.setattr(background, "BATCH_ROWS", 7)  # the rows cross many batches
    login(client, make_user(Role.district_staff, "D1"))
    with client.session_transaction() as session:
        session["locale"] = locale
    url = f"/monitoring/places/{varied['D1']}"
    with app.app_context():
        expected = _old_rows(varied["D1"], locale)
    assert expected[0][0] == {"zh_CN": "编号", "en": "Number"}[locale]
    assert len(expected) - 1 > 3 * background.BATCH_ROWS
    planners = [row[10] for row in expected[1:]]
    assert {"暂无主责规划师" if locale == "zh_CN" else "No lead planner"} & set(planners)
    assert any("·" in planner for planner in planners)  # a lead starting later
    assert any(isinstance(row[9], int) for row in expected[1:]) and any(row[8] == "" for row in expected[1:])
    assert any(str(row[1]).startswith(("=", "+")) for row in expected[1:])
    built = {kind: client.get(f"/monitoring/exports/{_job_id(_ask(client, url, kind))}/file").data
             for kind in ("csv", "xlsx")}
    assert built["csv"] == _old_csv(expected)
    assert _typed(_xlsx(built["xlsx"])) == _old_xlsx(expected)
    # The direct download reads the same rows (the list fits once the threshold is raised).
    monkeypatch.setitem(app.config, "EXPORT_INLINE_MAX_ROWS", 10_000)
    assert client.get(f"{url}/{LIST}/file.csv?{PERIOD}").data == _old_csv(expected)
    assert _typed(_xlsx(client.get(f"{url}/{LIST}/file.xlsx?{PERIOD}").data)) == _old_xlsx(expected)
