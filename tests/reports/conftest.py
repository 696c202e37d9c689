"""Place report fixtures: the monitoring's test city and generated history, and helpers to build one report."""
from datetime import date

import pytest  # noqa: F401
from sqlalchemy import select

from planner_platform.extensions import db
from planner_platform.reports import place_reports
from planner_platform.reports.place_models import PlaceReport
from tests.monitoring.conftest import city, frozen, generate_history, history  # noqa: F401  (fixtures)

#: The month the scheduled reports of the frozen "today" (2026-06-15) cover.
MAY = date(2026, 5, 1)


def build_monthly(app, place_id: int, month: date = MAY) -> int:
    """A scheduled report of one place and month, built at once; its id."""
    with app.app_context():
        report = PlaceReport(place_id=place_id, scheduled=True, period_kind="month", first_month=month,
                             last_month=month, locale=app.config["BABEL_DEFAULT_LOCALE"])
        db.session.add(report)
        db.session.commit()
        report_id = report.id
    with app.app_context():
        place_reports.publish(report_id)
    return report_id


def reports_of(app) -> list[PlaceReport]:
    with app.app_context():
        reports = db.session.scalars(select(PlaceReport).order_by(PlaceReport.id)).all()
        db.session.expunge_all()
        return reports
