"""Report fixtures: the monitoring's test city and generated history, a team with a term in it, and helpers to
build one place report."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from planner_platform.accounts.models import Role
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.extensions import db
from planner_platform.planners.models import (Assignment, AssignmentRole, AssignmentState, PlannerProfile,
                                              PlannerType, Team, TeamMember, TeamMemberRole)
from planner_platform.reports import place_reports
from planner_platform.reports.place_models import PlaceReport
from tests.monitoring.conftest import TODAY, city, frozen, generate_history, history  # noqa: F401  (fixtures)

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


@pytest.fixture
def team_city(app, city, make_user):  # noqa: F811  (the imported fixtures)
    """A new community of D1S1 with its generated history (the generator appoints its lead planner), which a team
    (lead + member) has served as assistant planners since last year."""
    lead, member = make_user(Role.planner, "D1"), make_user(Role.planner, "D1")
    with app.app_context():
        sub = db.session.get(Place, city["D1S1"])
        community = Place(code="D1S1T", name="东湖社区", level=PlaceLevel.community, parent=sub)
        db.session.add(community)
        db.session.flush()
        community.path, community_id = f"{sub.path}{community.id}/", community.id
        district = db.session.get(Place, city["D1"])
        profiles = [PlannerProfile(name=user.display_name, planner_type=PlannerType.firm, district_id=district.id,
                                   user_id=user.id) for user in (lead, member)]
        db.session.add_all(profiles)
        db.session.flush()
        team = Team(name="东湖规划团队", district_id=district.id, lead_id=profiles[0].id)
        team.members = [TeamMember(planner_id=profiles[0].id, member_role=TeamMemberRole.lead),
                        TeamMember(planner_id=profiles[1].id, member_role=TeamMemberRole.core)]
        db.session.add(team)
        db.session.flush()
        team_id = team.id
        db.session.commit()
    generate_history(app, 11, proposals=150, activities=60, logs=60)
    with app.app_context():
        db.session.add(Assignment(community_id=community_id, team_id=team_id, role=AssignmentRole.assistant,
                                  state=AssignmentState.active, start_on=TODAY - timedelta(days=300),
                                  end_on=TODAY + timedelta(days=300), occupied_until=TODAY + timedelta(days=300),
                                  appointing_body="东湖街道办事处"))
        db.session.commit()
    return {**city, "team": team_id, "team_community": community_id, "lead": lead, "member": member}
