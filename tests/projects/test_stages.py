"""A project's way through its stages: the district's line, the gates, the conflict of two officers."""
from datetime import timedelta

import pytest

from planner_platform.core.errors import DomainError
from planner_platform.extensions import db
from planner_platform.projects import services
from planner_platform.projects.models import Project, ProjectOrigin, Stage
from tests.projects.conftest import adopted_proposal, load, make_project, move


def test_a_project_grows_from_an_adopted_proposal_and_its_author_follows_it(app, cast):
    proposal_id = adopted_proposal(app, cast)
    project_id = make_project(app, cast, origins=[proposal_id])
    project = load(app, project_id)
    assert project.state is Stage.listed and project.owner_id == cast.community.parent_id
    with app.app_context():
        assert db.session.scalar(db.select(ProjectOrigin.project_id).where(
            ProjectOrigin.proposal_id == proposal_id)) == project_id
        assert cast.resident.id in services.followers_of(db.session.get(Project, project_id))


def test_public_notice_cannot_end_before_its_minimum_days(app, cast, clock):
    project_id = make_project(app, cast)
    move(app, cast, project_id, Stage.co_design, Stage.public_notice)
    with pytest.raises(DomainError, match="at least 7 days"):
        move(app, cast, project_id, Stage.review)
    assert load(app, project_id).state is Stage.public_notice
    clock(services.utcnow() + timedelta(days=8)) if hasattr(services, "utcnow") else None
