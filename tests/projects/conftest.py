"""Project fixtures: the proposals' cast plus an expert planner serving D1S1C1, an adopted proposal, and a helper
that creates a project and walks it to a stage through the services (gates included)."""
from datetime import timedelta

import pytest

from planner_platform.accounts.models import Role, User
from planner_platform.areas.models import Place
from planner_platform.core.calendar import local_today
from planner_platform.extensions import db
from planner_platform.planners.models import Assignment, AssignmentRole, AssignmentState, PlannerProfile, PlannerType
from planner_platform.projects import services
from planner_platform.projects.models import Project, Stage
from planner_platform.proposals import services as proposal_services
from planner_platform.proposals.models import Proposal, ProposalState
from tests.conftest import fresh_copy
from tests.proposals.conftest import cast, make_proposal  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def english(app, monkeypatch):
    """Services called outside a request speak the default language; these tests read English messages."""
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_LOCALE", "en")


@pytest.fixture
def expert(app, cast, make_user) -> User:  # noqa: F811  (the imported fixture)
    """An expert planner (planner_type expert) with an assistant term in D1S1C1."""
    user = make_user(Role.planner, "D1", display_name="钱专家")
    with app.app_context():
        district_id = db.session.get(Place, cast.community.id).parent.parent_id
        profile = PlannerProfile(name="钱专家", planner_type=PlannerType.expert, district_id=district_id,
                                 user_id=user.id)
        db.session.add(profile)
        db.session.flush()
        today = local_today()
        db.session.add(Assignment(community_id=cast.community.id, planner_id=profile.id,
                                  role=AssignmentRole.assistant, state=AssignmentState.active,
                                  start_on=today - timedelta(days=10), end_on=today + timedelta(days=300),
                                  occupied_until=today + timedelta(days=300), appointing_body="水果湖街道办事处"))
        db.session.commit()
    return user


def adopted_proposal(app, people, title="口袋公园改造") -> int:
    """A proposal by the cast's resident, walked to adopted by the street office and the planner."""
    proposal_id = make_proposal(app, people.resident, title=title)
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        street = db.session.get(User, people.street.id)
        proposal_services.advance(street, proposal, ProposalState.accepted)
        proposal_services.advance(street, proposal, ProposalState.assessing)
        proposal_services.advance(street, proposal, ProposalState.adopted, "采纳，纳入微更新项目。")
        db.session.commit()
    return proposal_id


def make_project(app, people, *, origins=(), start=Stage.listed, title="口袋公园微更新", **fields) -> int:
    """A project in D1S1C1 created by the street office, led by the cast's planner; its id."""
    with app.app_context():
        data = services.ProjectInput(
            title=title, community=db.session.get(Place, people.community.id),
            lead_planner=db.session.get(User, people.planner.id), start_stage=start,
            origins=[db.session.get(Proposal, pid) for pid in origins], **fields)
        project = services.create(db.session.get(User, people.street.id), data)
        db.session.commit()
        return project.id


def move(app, people, project_id: int, *stages: Stage, actor: User | None = None, reason: str = "") -> None:
    """Change the stage step by step as the street office (or `actor`), committing each step."""
    for stage in stages:
        with app.app_context():
            services.change_stage(db.session.get(User, (actor or people.street).id),
                                  db.session.get(Project, project_id), stage, reason=reason)
            db.session.commit()


def load(app, project_id: int) -> Project:
    return fresh_copy(app, Project, project_id)


@pytest.fixture
def detail_page(app):
    """Page tests post back to the project page (projects.detail); they are skipped on a branch without it."""
    if "projects.detail" not in app.view_functions:
        pytest.skip("needs the project page (projects.detail)")
