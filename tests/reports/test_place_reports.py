"""Sub-district and district reports: made by the monthly job on each district's report day, once per place and
month; a PDF whose Chinese text is real text in an embedded CJK font and whose first page is not blank; an XLSX
holding the indicator module's figures; readable by the staff over the place only; retried when a build fails;
a custom period built in the background behind an expiring link."""
import hashlib
import io
import os
import subprocess
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale, gettext
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import func, select

from planner_platform.access import actor_of
from planner_platform.accounts.models import Role, User
from planner_platform.areas.models import Place
from planner_platform.core.db import utcnow
from planner_platform.core.outbox import OutboxEvent
from planner_platform.extensions import db
from planner_platform.monitoring import queries
from planner_platform.monitoring.exports import cell
from planner_platform.monitoring.indicators import INDICATORS, SECTIONS, applies
from planner_platform.monitoring.periods import Period
from planner_platform.notifications.models import Channel, Notification, NotificationPreference
from planner_platform.planners.models import PolicyProfile
from planner_platform.planners.services import DEFAULT_REPORT_RULES, report_rules_for
from planner_platform.reports import place_reports, svg
from planner_platform.reports import services as team_reports
from planner_platform.reports.place_models import MAX_ATTEMPTS, PlaceReport, PlaceReportState
from planner_platform.shell.navigation import REPORTS, navigation_for
from tests.conftest import csrf_token_from, login
from tests.reports.conftest import MAY, build_monthly, reports_of

JUNE_15 = date(2026, 6, 15)


def _file(app, report_id: int, kind: str) -> bytes:
    with app.app_context():
        report = db.session.get(PlaceReport, report_id)
        with open(place_reports.file_path(report, kind), "rb") as handle:
            return handle.read()


def _run(tool: list[str], data: bytes, tmp_path) -> str:
    """A poppler tool's text output on the PDF `data`."""
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    arguments = [*tool, str(path)] + (["-"] if tool[0] == "pdftotext" else [])
    return subprocess.run(arguments, check=True, capture_output=True, text=True, timeout=60).stdout


def test_the_monthly_job_makes_one_report_per_place_and_month_however_often_it_runs(app, history, make_user):
    staff = make_user(Role.district_staff, "D1")
    street = make_user(Role.subdistrict_staff, "D1S1")
    quiet = make_user(Role.district_staff, "D1")
    with app.app_context():
        db.session.add(NotificationPreference(user_id=quiet.id, category="reports", channel=Channel.in_app,
                                              enabled=False))
        db.session.commit()
        first = place_reports.generate_monthly(JUNE_15)
        second = place_reports.generate_monthly(JUNE_15)
    assert (first["created"], second["created"], first["month"]) == (6, 0, "2026-05-01")
    reports = reports_of(app)
    assert len(reports) == 6 and {r.state for r in reports} == {PlaceReportState.ready}
    assert {r.attempts for r in reports} == {1}
    with app.app_context():
        assert {db.session.get(Place, r.place_id).code for r in reports} == {"D1", "D2", "D1S1", "D1S2", "D2S1",
                                                                             "D2S2"}
        for report in reports:
            for kind in ("pdf", "xlsx"):
                data = _file(app, report.id, kind)
                assert hashlib.sha256(data).hexdigest() == report.sha256(kind) and len(data) == report.size(kind)
        # Announced once per report, to the staff over the place whose "reports" category is on.
        assert db.session.scalar(select(func.count()).select_from(OutboxEvent).where(
            OutboxEvent.event_type == "reports.place_report_ready")) == 6
        inbox = lambda user: db.session.scalars(select(Notification.title).where(  # noqa: E731
            Notification.recipient_id == user.id, Notification.channel == Channel.in_app)).all()
        assert len(inbox(staff)) == 3 and len(inbox(street)) == 1 and inbox(quiet) == []
        assert "D1街道" in inbox(street)[0] and "2026-05" in inbox(street)[0]
    # No file was left half-written.
    assert not [n for n in os.listdir(app.config["REPORT_FOLDER"]) if n.endswith(".part")]


def test_two_beats_at_once_insert_and_build_each_report_once(app, history):
    """The second beat's insert finds the unique index; its messages find the reports claimed or ready."""
    with app.app_context():
        place_reports.generate_monthly(JUNE_15)
        rows = [(r.id, r.pdf_sha256) for r in db.session.scalars(select(PlaceReport))]
        for report_id, _sha in rows:  # a redelivered message, or the other beat's
            place_reports.build(report_id)
        assert [(r.id, r.pdf_sha256) for r in db.session.scalars(select(PlaceReport))] == rows
        assert {r.attempts for r in db.session.scalars(select(PlaceReport))} == {1}


def test_the_report_day_comes_from_the_district_policy_profile(app, history):
    with app.app_context():
        d1 = db.session.get(Place, history["D1"])
        assert report_rules_for(d1) == DEFAULT_REPORT_RULES
        policy = db.session.scalar(select(PolicyProfile).where(PolicyProfile.district_id == d1.id))
        policy.report_rules = {"report_day": 20}
        db.session.commit()
        assert report_rules_for(d1) == {**DEFAULT_REPORT_RULES, "report_day": 20}
        assert place_reports.generate_monthly(date(2026, 6, 2))["created"] == 0  # before D2's day 3
        assert place_reports.generate_monthly(JUNE_15)["created"] == 3  # D2 and its sub-districts
        assert place_reports.generate_monthly(date(2026, 6, 20))["created"] == 3  # now D1's
        assert place_reports.generate_monthly(date(2026, 6, 30))["created"] == 0


def test_the_policy_form_sets_the_report_rules(app, client, history, make_user):
    login(client, make_user(Role.district_staff, "D1"))
    url = f"/planners/policy/{history['D1']}"
    page = client.get(url)
    assert page.status_code == 200 and 'name="report_day"' in page.get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(page.data), "term_months": 24, "appointing_level": "subdistrict",
            "allowed_planner_types": "firm", "max_communities_per_lead": 3, "accept_days": 2, "reply_days": 15,
            "max_photos": 4, "hide_after_reports": 3, "hide_proposal_after_reports": 5, "auto_close_days": 14,
            "public_notice_min_days": 7, "report_day": 9, "team_due_day": 8, "remind_days_before": 3}
    assert client.post(url, data=form).status_code == 302
    with app.app_context():
        district = db.session.get(Place, history["D1"])
        assert report_rules_for(district) == {"report_day": 9, "team_due_day": 8, "remind_days_before": 3}
        # The team reports read the same rules: May's report is due on 8 June.
        assert team_reports.due_on(db.session.get(Place, history["D1S1"]), MAY).isoformat() == "2026-06-08"


def test_the_pdf_has_an_embedded_cjk_font_chinese_headings_and_a_first_page_that_is_not_blank(app, history,
                                                                                             tmp_path):
    started = time.perf_counter()
    report_id = build_monthly(app, history["D1"])
    elapsed = time.perf_counter() - started
    pdf = _file(app, report_id, "pdf")
    assert pdf.startswith(b"%PDF")
    fonts = _run(["pdffonts"], pdf, tmp_path).replace("-", "")
    cjk = [line for line in fonts.splitlines() if "NotoSansCJK" in line]
    assert cjk and all(" yes " in f" {line} " for line in cjk), fonts  # embedded (and subset)
    text = _run(["pdftotext", "-layout"], pdf, tmp_path)
    with app.app_context(), force_locale("zh_CN"):
        headings = [str(label) for label in SECTIONS.values()] + ["活动", "月度"]
    assert "D1区" in text and "2026-05" in text
    for heading in headings:
        assert heading in text, heading
    assert "D1街道" in text and "D1第二街道" in text  # its sub-districts compared
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", "-singlefile", str(tmp_path / "report.pdf"),
                    str(tmp_path / "page")], check=True, timeout=60)
    image = Image.open(tmp_path / "page.png").convert("L")
    dark = sum(1 for value in image.get_flattened_data() if value < 160)
    assert dark > image.width * image.height * 0.01, "the first page is blank"
    assert elapsed < 30


def test_the_xlsx_holds_the_indicator_modules_figures(app, history):
    report_id = build_monthly(app, history["D1S2"])
    book = load_workbook(io.BytesIO(_file(app, report_id, "xlsx")))
    with app.app_context(), force_locale("zh_CN"):
        place = db.session.get(Place, history["D1S2"])
        units, total, by_unit = queries.dashboard_totals(place, Period("month", MAY, MAY))
        shown = 0
        for key, label in SECTIONS.items():
            indicators = [i for i in INDICATORS if i.section == key and applies(i, "subdistrict")]
            if not indicators:
                continue
            sheet = list(book[str(label)].iter_rows(values_only=True))
            assert sheet[0][2:] == (place.name, *(unit.name for unit in units))
            rows = {row[0]: row for row in sheet[1:]}
            assert list(rows) == [str(i.name) for i in indicators]
            for indicator in indicators:
                expected = [cell(indicator, indicator.value(total)),
                            *(cell(indicator, indicator.value(by_unit[u.id])) if applies(indicator, "community")
                              else "" for u in units)]
                found = rows[str(indicator.name)][2:]
                assert len(found) == len(expected)
                for want, got in zip(expected, found):
                    if want == "":
                        assert got is None, indicator.key
                    else:
                        # Numbers are numbers (money in yuan, rates in percent), equal to the module's.
                        assert isinstance(got, (int, float)) and Decimal(str(got)) == Decimal(str(want)), \
                            (indicator.key, want, got)
                shown += 1
        assert shown >= 20
        types = list(book[gettext("Activities by type")].iter_rows(values_only=True))
        assert {name: (held, people) for name, held, people in types[1:]} == {
            name: tuple(counts) for name, counts in total.types.items()}


def test_reports_are_read_by_the_staff_over_the_place_only(app, client, history, make_user):
    report_id = build_monthly(app, history["D1S1"])
    listing, pdf = f"/reports/places/{history['D1S1']}", f"/reports/places/report/{report_id}/file.pdf"
    login(client, make_user(Role.subdistrict_staff, "D1S1"))
    page = client.get(listing).get_data(as_text=True)
    assert 'data-month="2026-05"' in page and f"/reports/places/report/{report_id}/file.xlsx" in page
    assert client.get(f"{listing}?month=2026-04").get_data(as_text=True).count('data-month=') == 0
    response = client.get(pdf)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "report-D1S1-2026-05.pdf" in response.headers["Content-Disposition"]
    district = app.test_client()
    login(district, make_user(Role.district_staff, "D1"))
    assert district.get(pdf).status_code == 200
    assert f"/reports/places/{history['D1S1']}" in district.get(f"/reports/places/{history['D1']}").get_data(
        as_text=True)
    other = app.test_client()
    login(other, make_user(Role.district_staff, "D2"))
    assert other.get(listing).status_code == 403
    assert other.get(pdf).status_code == 403
    assert other.get(f"/reports/places/report/{report_id}").status_code == 403
    resident = app.test_client()
    login(resident, make_user(Role.resident, "D1S1C1"))
    assert resident.get(listing).status_code == 403 and resident.get(pdf).status_code == 403
    assert resident.get("/reports/places/").status_code == 403
    assert app.test_client().get(pdf).status_code in (302, 401)
    assert client.get(f"/reports/places/{history['D1S1C1']}").status_code == 404  # communities have none


def test_a_failing_build_is_retried_then_marked_failed_and_shown_on_the_operations_page(app, client, history,
                                                                                        make_user, monkeypatch):
    real = place_reports.write_pdf
    calls = []

    def flaky(html, path):
        calls.append(path)
        with open(path, "wb") as handle:
            handle.write(b"%PDF-half")  # a partial file that must not survive
        if len(calls) == 1:
            raise OSError("disk full")
        real(html, path)

    monkeypatch.setattr(place_reports, "write_pdf", flaky)
    report_id = build_monthly(app, history["D2"])
    report = reports_of(app)[0]
    assert (report.id, report.state, report.attempts, report.error) == (report_id, PlaceReportState.ready, 2, "")
    assert _file(app, report_id, "pdf").startswith(b"%PDF-1")

    def broken(html, path):
        raise RuntimeError("WeasyPrint crashed")

    monkeypatch.setattr(place_reports, "write_pdf", broken)
    before = set(os.listdir(app.config["REPORT_FOLDER"]))
    failed_id = build_monthly(app, history["D2S1"])
    with app.app_context():
        failed = db.session.get(PlaceReport, failed_id)
        assert (failed.state, failed.attempts, failed.pdf_name, failed.xlsx_name) == (
            PlaceReportState.failed, MAX_ATTEMPTS, None, None)
        assert "WeasyPrint crashed" in failed.error and failed.exhausted
    assert set(os.listdir(app.config["REPORT_FOLDER"])) == before  # nothing half-written is left
    login(client, make_user(Role.admin, "C"))
    page = client.get("/notifications/operations").get_data(as_text=True)
    assert 'data-operations="place-reports"' in page and "WeasyPrint crashed" in page
    assert f"/reports/places/report/{failed_id}" in page
    # Built again on request, once whatever broke is fixed.
    monkeypatch.setattr(place_reports, "write_pdf", real)
    detail = client.get(f"/reports/places/report/{failed_id}")
    assert client.post(f"/reports/places/report/{failed_id}/retry",
                       data={"csrf_token": csrf_token_from(detail.data)}).status_code == 302
    with app.app_context():
        assert db.session.get(PlaceReport, failed_id).state is PlaceReportState.ready
    assert "WeasyPrint crashed" not in client.get("/notifications/operations").get_data(as_text=True)


def test_a_custom_period_is_built_in_the_background_for_its_requester_until_the_link_expires(app, client, history,
                                                                                            make_user):
    staff = make_user(Role.district_staff, "D1")
    login(client, staff)
    listing = f"/reports/places/{history['D1']}"
    page = client.get(listing)
    response = client.post(f"{listing}/custom", data={"csrf_token": csrf_token_from(page.data),
                                                       "first": "2026-01", "last": "2026-03"})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    detail = response.headers["Location"]
    report_id = int(detail.rsplit("/", 1)[1])
    body = client.get(detail).get_data(as_text=True)
    assert 'data-state="ready"' in body and 'data-sha256="pdf"' in body
    assert client.get(f"{detail}/file.xlsx").status_code == 200
    assert f"/reports/places/report/{report_id}" in client.get(listing).get_data(as_text=True)
    with app.app_context():
        report = db.session.get(PlaceReport, report_id)
        assert (report.scheduled, report.period_kind, report.first_month, report.last_month) == (
            False, "custom", date(2026, 1, 1), date(2026, 3, 1))
        assert report.expires_at - report.finished_at == timedelta(hours=app.config["REPORT_LINK_HOURS"])
        pdf_path = place_reports.file_path(report, "pdf")
    colleague = app.test_client()
    login(colleague, make_user(Role.district_staff, "D1"))
    assert colleague.get(detail).status_code == 404 and colleague.get(f"{detail}/file.pdf").status_code == 404
    assert f"/reports/places/report/{report_id}" not in colleague.get(listing).get_data(as_text=True)
    # The link expires: 410, and the sweep deletes the files.
    with app.app_context():  # (moving the clock a day on would end the login session too)
        db.session.get(PlaceReport, report_id).expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert client.get(f"{detail}/file.pdf").status_code == 410
    with app.app_context():
        assert place_reports.sweep()["expired"] == 1
        assert db.session.get(PlaceReport, report_id).state is PlaceReportState.expired
    assert not os.path.exists(pdf_path)
    assert client.get(f"{detail}/file.pdf").status_code == 410


def test_the_sweep_fails_a_build_whose_worker_stopped_and_sends_it_again(app, history):
    with app.app_context():
        long_ago = utcnow() - place_reports.STALE_AFTER - timedelta(minutes=1)
        stopped = PlaceReport(place_id=history["D1"], scheduled=True, period_kind="month", first_month=MAY,
                              last_month=MAY, locale="zh_CN", state=PlaceReportState.running, attempts=1,
                              updated_at=long_ago, created_at=long_ago)
        lost = PlaceReport(place_id=history["D2"], scheduled=True, period_kind="month", first_month=MAY,
                           last_month=MAY, locale="zh_CN", created_at=long_ago, updated_at=long_ago)
        db.session.add_all([stopped, lost])
        db.session.commit()
        assert place_reports.sweep() == {"expired": 0, "failed": 1, "republished": 2}
        assert [(r.state, r.attempts) for r in db.session.scalars(select(PlaceReport).order_by(PlaceReport.id))] == [
            (PlaceReportState.ready, 2), (PlaceReportState.ready, 1)]


def test_a_bad_custom_period_is_refused_on_the_form(app, client, history, make_user):
    login(client, make_user(Role.district_staff, "D1"))
    listing = f"/reports/places/{history['D1']}"
    token = csrf_token_from(client.get(listing).data)
    response = client.post(f"{listing}/custom", data={"csrf_token": token, "first": "2026-05", "last": "2026-02"})
    assert response.status_code in (400, 422)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PlaceReport)) == 0


def test_the_menu_offers_reports_to_monitoring_staff_only(app, history, make_user):
    staff, resident = make_user(Role.subdistrict_staff, "D1S1"), make_user(Role.resident, "D1S1C1")
    with app.app_context():
        assert REPORTS in navigation_for(actor_of(db.session.get(User, staff.id)))
        assert REPORTS not in navigation_for(actor_of(db.session.get(User, resident.id)))


def test_the_svg_charts_draw_labels_as_text_and_no_script():
    bars = svg.render({"key": "types", "kind": "bar", "title": "按类型的活动", "labels": ["工作坊", "社区漫步"],
                       "series": [{"name": "已举办", "values": [3, 0]}, {"name": "参与人数", "values": [40, 7]}]})
    assert bars.startswith("<svg") and "<script" not in bars and ">工作坊</text>" in bars
    assert bars.count("<rect") == 2 + 4 and ">按类型的活动</text>" in bars  # legend + bars
    line = svg.render({"key": "trend", "kind": "line", "title": "近十二个月", "labels": ["2026-04", "2026-05"],
                       "series": [{"name": "收到的提案", "values": [2, 5]}]})
    assert "<polyline" in line and ">2026-05</text>" in line and "Noto Sans CJK SC" in line
    assert svg.nice_ceiling(0) == 1 and svg.nice_ceiling(7) == 10 and svg.nice_ceiling(41) == 50
    empty = svg.render({"key": "x", "kind": "bar", "title": "<b>", "labels": [], "series": []})
    assert "&lt;b&gt;" in empty


@pytest.mark.parametrize("day, expected", [(3, 3), (31, 30)])
def test_a_report_day_past_the_end_of_the_month_is_its_last_day(day, expected):
    assert place_reports._report_day({"report_day": day}, date(2026, 6, 1)) == expected
