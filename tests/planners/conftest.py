"""Roster fixtures: organisations, planners with accounts, a team."""
import pytest

from planner_platform.accounts.models import Role, User
from planner_platform.extensions import db
from planner_platform.planners.models import (Organisation, OrganisationType, PlannerProfile, PlannerType, Team,
                                              TeamMember, TeamMemberRole)


@pytest.fixture
def roster(app, places, make_user):
    """Two planners with accounts in D1 (one leads a team with the other), one planner in D2."""

    def planner(name, district, user):
        return PlannerProfile(name=name, planner_type=PlannerType.institute, district_id=places[district].id,
                              user_id=user.id, phone="13700001111", email=f"{name}@example.com", expertise=["适老化"])

    accounts = {key: make_user(Role.planner, district) for key, district in
                (("lead", "D1"), ("member", "D1"), ("other", "D2"))}
    with app.app_context():
        org = Organisation(name="江城规划设计研究院", org_type=OrganisationType.design_institute,
                           district_id=places["D1"].id)
        lead, member = planner("李规划", "D1", accounts["lead"]), planner("王助理", "D1", accounts["member"])
        other = planner("赵规划", "D2", accounts["other"])
        lead.organisation = org
        db.session.add_all([org, lead, member, other])
        db.session.flush()
        team = Team(name="东湖一队", district_id=places["D1"].id, lead_id=lead.id,
                    members=[TeamMember(planner_id=lead.id, member_role=TeamMemberRole.lead),
                             TeamMember(planner_id=member.id, member_role=TeamMemberRole.assistant)])
        db.session.add(team)
        db.session.commit()
        ids = {"lead": lead.id, "member": member.id, "other": other.id, "team": team.id, "org": org.id}
    return {**ids, "accounts": accounts}


def load(model, id_):
    return db.session.get(model, id_)


def actor(user_id) -> User:
    return db.session.get(User, user_id)
