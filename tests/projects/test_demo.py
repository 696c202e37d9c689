"""The demo city's projects: every stage, both districts, several planners, built through the services."""
from sqlalchemy import func, select

from planner_platform.areas.models import Place
from planner_platform.extensions import db
from planner_platform.core.calendar import local_today
from planner_platform.projects.models import (Milestone, PhotoKind, Project, ProjectFunding, ProjectOrigin,
                                              ProjectPhoto, ReviewOpinion, Stage, SurveyResponse)
from planner_platform.proposals.models import Proposal


def test_the_demo_seed_has_projects_in_every_stage_in_both_districts(demo_app):
    first, again = demo_app.config["DEMO_SEED_OUTPUTS"]
    assert "19 projects" in first and "19 projects" in again  # idempotent
    with demo_app.app_context():
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
        # The parts beyond the stages: an overdue milestone, money spent, residents' answers in post-evaluation.
        assert db.session.scalar(select(func.count()).select_from(Milestone).where(
            Milestone.overdue_on(local_today())))
        assert db.session.scalar(select(func.sum(ProjectFunding.spent_fen))) > 0
        evaluated = by_title[Stage.post_evaluation]
        assert db.session.scalar(select(func.count()).select_from(SurveyResponse).where(
            SurveyResponse.project_id == evaluated.id)) >= 2
