"""The demo city's projects: every stage, both districts, several planners, built through the services."""
from sqlalchemy import func, select

from planner_platform.areas.models import Place
from planner_platform.extensions import db
from planner_platform.projects.models import PhotoKind, Project, ProjectOrigin, ProjectPhoto, ReviewOpinion, Stage
from planner_platform.proposals.models import Proposal
from planner_platform.shell.seed import seed_demo_command


def test_the_demo_seed_has_projects_in_every_stage_in_both_districts(app):
    result = app.test_cli_runner().invoke(seed_demo_command)
    assert result.exit_code == 0, result.output
    assert "14 projects" in result.output
    with app.app_context():
        projects = db.session.scalars(select(Project)).all()
        assert {project.state for project in projects} == set(Stage)
        districts = {project.community.parent.parent.name for project in projects}
        assert districts == {"东湖区", "西山区"}
        assert len({project.community_id for project in projects}) >= 10
        assert len({project.lead_planner_id for project in projects}) >= 4
        by_title = {project.state: project for project in projects}
        assert by_title[Stage.suspended].history[-1].reason and by_title[Stage.cancelled].history[-1].reason
        sent_back = next(p for p in projects if [e.to_state for e in p.history][-2:] == [Stage.review,
                                                                                       Stage.co_design])
        assert db.session.scalar(select(ReviewOpinion.verdict).where(ReviewOpinion.project_id == sent_back.id)
                                 ).value == "disagree"
        notice = by_title[Stage.public_notice]
        assert (notice.stage_since - notice.history[-2].occurred_at.date()).days > 0  # history spread in time
        for project in projects:
            if project.completed_on:
                kinds = set(db.session.scalars(select(ProjectPhoto.kind).where(ProjectPhoto.project_id == project.id)))
                assert kinds == {PhotoKind.before, PhotoKind.after}
        # The demo resident's adopted proposal grew into a project she follows.
        resident_origin = db.session.scalar(select(func.count()).select_from(ProjectOrigin).join(
            Proposal, Proposal.id == ProjectOrigin.proposal_id).where(Proposal.author.has(phone="13900000007")))
        assert resident_origin == 1
        assert db.session.scalar(select(func.count()).select_from(Place)) == 39
    again = app.test_cli_runner().invoke(seed_demo_command)
    assert again.exit_code == 0 and "14 projects" in again.output  # idempotent
