"""W5: the monthly report of the busiest district, built as the worker builds it (reports/place_reports.py), each
step timed and its peak RSS measured in this process; prints one JSON object.

    .venv/bin/python -m benchmarks.harness.place_report   (DATABASE_URL names the benchmark database)
"""
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from flask_babel import force_locale
from sqlalchemy import func, select

from planner_platform import create_app
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.calendar import add_months, local_today
from planner_platform.extensions import db
from planner_platform.monitoring.refresh import refresh_pending
from planner_platform.proposals.models import Proposal
from planner_platform.reports import place_reports
from planner_platform.reports.place_models import PlaceReport


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _timed(step) -> tuple[object, dict]:
    _reset_peak()
    started = time.perf_counter()
    value = step()
    return value, {"seconds": round(time.perf_counter() - started, 3), "peak_rss_mb": _peak_mb()}


def main() -> dict:
    app = create_app()
    folder = Path(tempfile.mkdtemp(prefix="planner-bench-report-"))
    with app.app_context(), app.test_request_context():
        refresh_pending()
        db.session.commit()
        district = _busiest_district()
        month = add_months(local_today().replace(day=1), -1)
        report = PlaceReport(place_id=district.id, scheduled=True, period_kind="month", first_month=month,
                             last_month=month, locale="zh_CN")
        report.place = district
        period = place_reports.period_of_report(report)
        with force_locale("zh_CN"):
            figures, collect = _timed(lambda: place_reports.collect(district, period))
            _none, xlsx = _timed(lambda: place_reports.write_xlsx(figures, str(folder / "r.xlsx")))
            html, render = _timed(lambda: place_reports.render_html(report, figures))
            _none, pdf = _timed(lambda: place_reports.write_pdf(html, str(folder / "r.pdf")))
        place_id = district.id
        db.session.rollback()
    result = {"place_id": place_id, "month": month.isoformat(), "collect": collect, "xlsx": xlsx,
              "render_html": render, "pdf": pdf, "xlsx_bytes": os.path.getsize(folder / "r.xlsx"),
              "pdf_bytes": os.path.getsize(folder / "r.pdf")}
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    return result


def _busiest_district() -> Place:
    counts = {}
    for path, count in db.session.execute(select(Place.path, func.count(Proposal.id)).join(
            Proposal, Proposal.community_id == Place.id).group_by(Place.path)):
        top = "/".join(path.split("/")[:3]) + "/"  # /city/district/
        counts[top] = counts.get(top, 0) + count
    districts = db.session.scalars(select(Place).where(Place.level == PlaceLevel.district)).all()
    return max(districts, key=lambda d: counts.get(d.path, 0))


if __name__ == "__main__":
    json.dump(main(), sys.stdout)
