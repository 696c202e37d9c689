"""The project page: what the public sees, and a number of SQL statements that does not grow with the project."""
from datetime import timedelta

from planner_platform.activities.models import Activity, ActivityState
from planner_platform.core.calendar import local_today
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from planner_platform.projects.models import (Project, ProjectActivity, ProjectEvent, ProjectOrigin, ReviewOpinion,
                                              Stage, Verdict)
from planner_platform.proposals.models import Proposal, ProposalState
from tests.conftest import csrf_token_from, login
from tests.projects.conftest import make_project
from tests.test_query_counts import count_queries


def grow(app, cast, project_id: int, count: int) -> None:
    """Give the project `count` of everything its page lists: stage events, origins, opinions, activities."""
    with app.app_context():
        project = db.session.get(Project, project_id)
        for n in range(count):
            project.history.append(ProjectEvent(to_state=Stage.review, actor_id=cast.street.id))
            proposal = Proposal(title=f"提案{n}", description="d", category="适老化", community_id=cast.community.id,
                                author_id=cast.resident.id, state=ProposalState.adopted)
            db.session.add(proposal)
            activity = Activity(title=f"工作坊{n}", activity_type="工作坊", community_id=cast.community.id,
                                venue="活动中心", starts_at=utcnow(),
                                ends_at=utcnow() + timedelta(hours=2), public=True, capacity=10,
                                checkin_code="123456", state=ActivityState.closed)
            db.session.add(activity)
            db.session.flush()
            db.session.add_all([ProjectOrigin(project_id=project_id, proposal_id=proposal.id),
                                ProjectActivity(project_id=project_id, activity_id=activity.id)])
            db.session.flush()
            db.session.add(ReviewOpinion(project_id=project_id, signer_id=cast.planner.id, verdict=Verdict.agree,
                                         body="同意", review_event_id=project.history[-1].id))
        project.stage_since = local_today()
        db.session.commit()


def statements_for(app, client, url: str) -> int:
    with count_queries(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_the_project_page_costs_the_same_for_2_or_20_of_everything(app, cast, client):
    small, large = make_project(app, cast, title="小项目"), make_project(app, cast, title="大项目")
    grow(app, cast, small, 2)
    grow(app, cast, large, 20)
    login(client, cast.street)
    statements_for(app, client, f"/projects/{small}")  # warm up: the first request loads what is cached
    assert statements_for(app, client, f"/projects/{small}") == statements_for(app, client, f"/projects/{large}")


def test_anyone_reads_the_public_page_but_only_the_office_sees_the_stage_form(app, cast, client):
    project_id = make_project(app, cast, title="口袋公园微更新")
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "口袋公园微更新" in page and 'id="stage-form"' not in page
    login(client, cast.street)
    assert 'id="stage-form"' in client.get(f"/projects/{project_id}").get_data(as_text=True)


def test_an_activity_held_for_the_project_links_both_ways(app, cast, client):
    project_id = make_project(app, cast, title="口袋公园微更新")
    with app.app_context():
        activity = Activity(title="口袋公园共同设计工作坊", activity_type="工作坊", community_id=cast.community.id,
                            venue="活动中心", starts_at=utcnow(),
                                ends_at=utcnow() + timedelta(hours=2), public=True, capacity=10,
                            checkin_code="123456", state=ActivityState.closed, minutes="讨论了方案。")
        db.session.add(activity)
        db.session.commit()
        activity_id = activity.id
    login(client, cast.planner)  # the lead planner links it
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "口袋公园共同设计工作坊" in page
    response = client.post(f"/projects/{project_id}/activities",
                           data={"csrf_token": csrf_token_from(page.encode()), "activity": str(activity_id)})
    assert response.status_code == 302
    assert "口袋公园共同设计工作坊" in client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "口袋公园微更新" in client.get(f"/activities/{activity_id}").get_data(as_text=True)
