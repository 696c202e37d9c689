"""Demo data of the place reports: last month's report of both demo districts and of their sub-districts, PDF and
XLSX, built in this process (the seed must not wait for a worker). Idempotent: a month already reported is left."""
from sqlalchemy import select

from planner_platform.areas.models import Place
from planner_platform.extensions import db
from planner_platform.reports import place_reports
from planner_platform.reports.place_models import PlaceReport, PlaceReportState


def seed_place_reports() -> int:
    """Make the previous month's reports of every district and sub-district; how many are ready. (Each build
    brings the summary rows up to date first.)"""
    month = place_reports.previous_month()
    places = db.session.scalars(select(Place.id).where(Place.level.in_(place_reports.REPORTED_LEVELS))).all()
    place_reports.insert_monthly(places, month)
    waiting = db.session.scalars(select(PlaceReport.id).where(
        PlaceReport.scheduled.is_(True), PlaceReport.first_month == month, PlaceReport.place_id.in_(places),
        PlaceReport.state.in_([PlaceReportState.queued, PlaceReportState.failed]))).all()
    db.session.commit()
    for report_id in waiting:
        try:
            place_reports.build(report_id)
        except place_reports.BuildFailed:
            pass  # marked failed: the operations page shows it, and the seed's next run tries it again
    return db.session.scalar(select(db.func.count()).select_from(PlaceReport).where(
        PlaceReport.scheduled.is_(True), PlaceReport.first_month == month,
        PlaceReport.state == PlaceReportState.ready))
