"""The demo city's team reports: the last two months in both districts, accepted, returned with a comment, waiting
for the office and overdue, and the dashboards show them."""
import re

from sqlalchemy import select

from planner_platform.accounts.models import User
from planner_platform.extensions import db
from planner_platform.reports.models import ReportState, TeamReport
from tests.conftest import login


def test_the_demo_has_team_reports_at_every_step_in_both_districts(demo_app):
    first, again = demo_app.config["DEMO_SEED_OUTPUTS"]
    assert "team monthly reports" in first and first.split("team monthly reports")[0].split()[-1] == \
        again.split("team monthly reports")[0].split()[-1]  # idempotent
    with demo_app.app_context():
        reports = db.session.scalars(select(TeamReport)).all()
        steps = {(r.subdistrict.parent.name, r.state) for r in reports}
        for district in ("东湖区", "西山区"):
            for state in ReportState:
                assert (district, state) in steps, (district, state)
        returned = next(r for r in reports if r.state is ReportState.returned)
        assert returned.history[-1].comment and returned.plan
        assert all(r.figures["communities"] for r in reports)


def test_the_district_dashboard_shows_the_overdue_reports(demo_app):
    client = demo_app.test_client()
    with demo_app.app_context():
        staff = db.session.scalar(select(User).where(User.phone == "13900000003"))
        db.session.expunge(staff)
    login(client, staff, "Demo-Planner-2026")
    page = client.get("/monitoring/", follow_redirects=True).get_data(as_text=True)
    assert re.search(r'overdue=1[^"]*">[1-9]\d*</a>', page)  # last month's but one, never submitted
