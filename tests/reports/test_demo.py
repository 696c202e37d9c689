"""The demo city has last month's reports: both districts and their six sub-districts, PDF and XLSX."""
import hashlib

from sqlalchemy import func, select

from planner_platform.areas.models import PlaceLevel
from planner_platform.extensions import db
from planner_platform.reports import place_reports
from planner_platform.reports.place_models import PlaceReport, PlaceReportState


def test_the_demo_seed_makes_last_months_reports_of_every_district_and_sub_district_once(demo_app):
    first, again = demo_app.config["DEMO_SEED_OUTPUTS"]
    assert "8 monthly reports of last month" in first and "8 monthly reports of last month" in again
    with demo_app.app_context():
        reports = db.session.scalars(select(PlaceReport)).all()
        assert len(reports) == 8 and {r.state for r in reports} == {PlaceReportState.ready}
        assert {r.first_month for r in reports} == {place_reports.previous_month()}
        levels = {r.place.level for r in reports}
        assert levels == {PlaceLevel.district, PlaceLevel.subdistrict}
        assert {r.place.name for r in reports if r.place.level is PlaceLevel.district} == {"东湖区", "西山区"}
        for report in reports:
            for kind in ("pdf", "xlsx"):
                with open(place_reports.file_path(report, kind), "rb") as handle:
                    assert hashlib.sha256(handle.read()).hexdigest() == report.sha256(kind)
        assert db.session.scalar(select(func.count()).select_from(PlaceReport).where(
            PlaceReport.scheduled.is_(False))) == 0
