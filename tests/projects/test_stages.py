"""A project's way through its stages: the district's line, the gates, review opinions, the race of two officers."""
import io
from datetime import timedelta

import pytest

from planner_platform.accounts.models import User
from planner_platform.core import media
from planner_platform.core.db import utcnow
from planner_platform.core.errors import DomainError, InvalidTransition, NotAllowed
from planner_platform.extensions import db
from planner_platform.notifications.models import Notification
from planner_platform.activities.models import Activity
from planner_platform.planners.models import Assignment, AssignmentState, PolicyProfile
from planner_platform.projects import services
from planner_platform.projects.models import PhotoKind, Project, ProjectOrigin, ProjectPhoto, Stage, Verdict
from planner_platform.projects.stages import read_rules
from tests.conftest import csrf_token_from, login, submit
from tests.projects.conftest import adopted_proposal, load, make_project, move
from tests.activities.conftest import make_activity
from tests.proposals.conftest import image_bytes, says


def days_later(clock, days: int) -> None:
    clock(utcnow() + timedelta(days=days))


def add_photo(app, project_id: int, kind: PhotoKind) -> None:
    with app.app_context():
        photo = media.clean_photo(io.BytesIO(image_bytes()))
        db.session.add(ProjectPhoto(project_id=project_id, kind=kind, storage_key=media.write("projects", photo),
                                    width=photo.width, height=photo.height, size_bytes=len(photo.data)))
        db.session.commit()


def sign(app, user: User, project_id: int, verdict: Verdict, body="方案可行，注意无障碍坡道坡度。"):
    with app.app_context():
        services.sign_opinion(db.session.get(User, user.id), db.session.get(Project, project_id), verdict, body)
        db.session.commit()


def test_a_project_grows_from_an_adopted_proposal_and_its_author_follows_it(app, cast):
    proposal_id = adopted_proposal(app, cast)
    project_id = make_project(app, cast, origins=[proposal_id])
    project = load(app, project_id)
    assert project.state is Stage.listed and project.owner_id == cast.community.parent_id
    with app.app_context():
        assert db.session.scalar(db.select(ProjectOrigin.project_id).where(
            ProjectOrigin.proposal_id == proposal_id)) == project_id
        assert cast.resident.id in services.followers_of(db.session.get(Project, project_id))
    with pytest.raises(DomainError, match="already grew into a project"):
        make_project(app, cast, origins=[proposal_id])


def test_only_the_office_creates_and_only_with_a_serving_lead(app, cast):
    with pytest.raises(NotAllowed):
        with app.app_context():
            services.create(db.session.get(User, cast.other_street.id), services.ProjectInput(
                title="x", community=db.session.get(type(cast.community), cast.community.id),
                lead_planner=db.session.get(User, cast.planner.id), start_stage=Stage.listed))
    with pytest.raises(DomainError, match="must hold a term serving"):
        _create_with_lead(app, cast, cast.idle_planner)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Project.id))) == 0


def _create_with_lead(app, cast, lead):
    with app.app_context():
        services.create(db.session.get(User, cast.street.id), services.ProjectInput(
            title="口袋公园", community=db.session.get(type(cast.community), cast.community.id),
            lead_planner=db.session.get(User, lead.id), start_stage=Stage.listed))


def test_public_notice_ends_only_after_its_minimum_days(app, cast, clock):
    project_id = make_project(app, cast)
    move(app, cast, project_id, Stage.co_design, Stage.public_notice)
    with pytest.raises(DomainError, match="at least 7 days"):
        move(app, cast, project_id, Stage.review)
    assert load(app, project_id).state is Stage.public_notice
    move(app, cast, project_id, Stage.co_design)  # going back for changes does not wait
    move(app, cast, project_id, Stage.public_notice)
    days_later(clock, 7)
    move(app, cast, project_id, Stage.review)
    assert load(app, project_id).state is Stage.review


def test_the_district_profile_sets_the_minimum_days(app, cast, places, clock):
    with app.app_context():
        profile = db.session.scalar(db.select(PolicyProfile).where(PolicyProfile.district_id == places["D1"].id))
        profile.project_stage_rules = {"public_notice_min_days": 3}
        db.session.commit()
    project_id = make_project(app, cast, start=Stage.listed)
    move(app, cast, project_id, Stage.co_design, Stage.public_notice)
    days_later(clock, 3)
    move(app, cast, project_id, Stage.review)
    assert load(app, project_id).state is Stage.review


def _to_review(app, cast, clock) -> int:
    project_id = make_project(app, cast)
    move(app, cast, project_id, Stage.co_design, Stage.public_notice)
    days_later(clock, 7)
    move(app, cast, project_id, Stage.review)
    return project_id


def test_review_needs_a_signed_opinion_and_a_disagree_sends_it_back(app, cast, expert, clock):
    project_id = _to_review(app, cast, clock)
    with pytest.raises(DomainError, match="needs a signed opinion"):
        move(app, cast, project_id, Stage.approved_funded)
    with pytest.raises(NotAllowed):
        sign(app, cast.idle_planner, project_id, Verdict.agree)
    sign(app, expert, project_id, Verdict.disagree, "消防通道宽度不足，需调整方案。")
    with app.app_context():
        project = db.session.get(Project, project_id)
        assert project.state is Stage.co_design and project.history[-1].reason.startswith("消防通道")
    # The next review round needs its own opinion: the old one does not count.
    move(app, cast, project_id, Stage.public_notice)
    days_later(clock, 15)
    move(app, cast, project_id, Stage.review)
    with pytest.raises(DomainError, match="needs a signed opinion"):
        move(app, cast, project_id, Stage.approved_funded)
    sign(app, cast.planner, project_id, Verdict.agree_with_changes)
    move(app, cast, project_id, Stage.approved_funded)
    assert load(app, project_id).state is Stage.approved_funded


def test_completion_needs_before_and_after_photos_and_sets_the_evaluation_date(app, cast, clock):
    project_id = make_project(app, cast)
    with app.app_context():  # straight to construction: the gates before it have their own tests
        project = db.session.get(Project, project_id)
        project.state = Stage.construction
        db.session.commit()
    add_photo(app, project_id, PhotoKind.before)
    with pytest.raises(DomainError, match="one from after"):
        move(app, cast, project_id, Stage.completed)
    add_photo(app, project_id, PhotoKind.after)
    move(app, cast, project_id, Stage.completed)
    project = load(app, project_id)
    assert project.completed_on and project.evaluation_due_on.year == project.completed_on.year + 1
    with pytest.raises(DomainError, match="falls due"):
        move(app, cast, project_id, Stage.post_evaluation)
    with pytest.raises(DomainError, match="reason"):
        move(app, cast, project_id, Stage.suspended)


def test_suspension_needs_a_reason_and_resumes_where_it_was(app, cast):
    project_id = make_project(app, cast)
    move(app, cast, project_id, Stage.co_design)
    with pytest.raises(DomainError, match="reason"):
        move(app, cast, project_id, Stage.suspended)
    move(app, cast, project_id, Stage.suspended, reason="居民意见分歧较大，暂缓。")
    assert load(app, project_id).resume_state is Stage.co_design
    with pytest.raises(DomainError, match="resumes the stage"):
        move(app, cast, project_id, Stage.listed)
    move(app, cast, project_id, Stage.co_design)
    assert load(app, project_id).state is Stage.co_design
    with pytest.raises(InvalidTransition):
        move(app, cast, project_id, Stage.construction)


def test_a_broken_profile_line_falls_back_to_the_default():
    assert read_rules({"stages": ["review", "co_design"]}).line[0] is Stage.need_collection
    rules = read_rules({"stages": [s.value for s in read_rules({}).line if s is not Stage.operation]})
    assert Stage.operation not in rules.line and rules.forward(Stage.completed) == [Stage.post_evaluation]


def test_two_officers_changing_the_stage_at_once_give_one_winner(app, cast):
    second = cast.district
    project_id = make_project(app, cast)
    first_client, second_client = app.test_client(), app.test_client()
    login(first_client, cast.street)
    login(second_client, second)
    url = f"/projects/{project_id}"
    page = first_client.get(url).data  # both see version 1
    other = second_client.get(url).data
    assert b'name="version"' in page and b'name="version"' in other
    won = submit(first_client, f"{url}/stage", {"to_stage": "co_design"}, form_url=url)
    assert won.status_code == 302
    lost = second_client.post(f"{url}/stage", data={"csrf_token": csrf_token_from(other), "version": "1",
                                                     "to_stage": "cancelled", "reason": "预算不足"})
    assert lost.status_code == 409
    assert says(app, lost.get_data(as_text=True), "Someone else changed this while you were looking at it. Reload "
                "the page to see what they did, then try again.")
    with app.app_context():
        project = db.session.get(Project, project_id)
        assert project.state is Stage.co_design and len(project.history) == 2


def test_a_gate_refused_on_the_page_changes_nothing(app, cast, client):
    project_id = make_project(app, cast)
    move(app, cast, project_id, Stage.co_design, Stage.public_notice)
    login(client, cast.street)
    response = submit(client, f"/projects/{project_id}/stage", {"to_stage": "review"},
                      form_url=f"/projects/{project_id}")
    assert response.status_code == 422
    assert load(app, project_id).state is Stage.public_notice


def _inbox(app, user) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(Notification.title).where(
            Notification.recipient_id == user.id, Notification.channel == "in_app").order_by(Notification.id)))


def test_authors_and_supporters_of_the_origin_hear_of_every_stage_change(app, cast, client):
    proposal_id = adopted_proposal(app, cast)
    login(client, cast.neighbour)
    assert submit(client, f"/proposals/{proposal_id}/support", {}, form_url=f"/proposals/{proposal_id}"
                  ).status_code == 302
    project_id = make_project(app, cast, origins=[proposal_id], title="口袋公园微更新")
    move(app, cast, project_id, Stage.co_design)
    for follower in (cast.resident, cast.neighbour):
        titles = [t for t in _inbox(app, follower) if "口袋公园微更新" in t]
        assert len(titles) == 2 and "共同设计" in titles[-1]
    assert not [t for t in _inbox(app, cast.third) if "口袋公园微更新" in t]


def test_the_office_starts_a_project_from_the_adopted_proposal_page(app, cast, client):
    proposal_id = adopted_proposal(app, cast, title="口袋公园改造")
    login(client, cast.street)
    page = client.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    assert f"/projects/new?proposal={proposal_id}" in page
    form = client.get(f"/projects/new?proposal={proposal_id}").get_data(as_text=True)
    assert "口袋公园改造" in form  # title and origin prefilled
    response = client.post(f"/projects/new?proposal={proposal_id}", data={
        "csrf_token": csrf_token_from(form.encode()), "title": "口袋公园改造", "origins": str(proposal_id),
        "lead_planner": str(cast.planner.id), "start_stage": "listed", "budget_estimate": "12,500.50"})
    assert response.status_code == 302
    project_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert load(app, project_id).budget_estimate_fen == 1250050
    assert "口袋公园改造" in client.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    assert f"/projects/new?proposal={proposal_id}" not in client.get(f"/proposals/{proposal_id}").get_data(as_text=True)


def test_an_unknown_stage_posted_is_refused_not_a_server_error(app, cast, client):
    project_id = make_project(app, cast)
    login(client, cast.street)
    response = submit(client, f"/projects/{project_id}/stage", {"to_stage": "demolished"},
                      form_url=f"/projects/{project_id}")
    assert response.status_code == 422 and load(app, project_id).state is Stage.listed


def test_a_stage_the_district_dropped_from_its_line_still_moves_on(app, cast, places, client):
    project_id = make_project(app, cast, start=Stage.listed)
    with app.app_context():
        profile = db.session.scalar(db.select(PolicyProfile).where(PolicyProfile.district_id == places["D1"].id))
        profile.project_stage_rules = {"stages": [s.value for s in read_rules({}).line if s is not Stage.listed]}
        db.session.commit()
    login(client, cast.street)
    assert "co_design" in client.get(f"/projects/{project_id}").get_data(as_text=True)
    move(app, cast, project_id, Stage.co_design)
    assert load(app, project_id).state is Stage.co_design


def test_a_planner_whose_term_is_suspended_cannot_be_chosen_as_lead(app, cast):
    with app.app_context():
        term = db.session.scalar(db.select(Assignment).where(Assignment.community_id == cast.community.id))
        term.state = AssignmentState.suspended
        db.session.commit()
    with pytest.raises(DomainError, match="must hold a term serving"):
        make_project(app, cast)


def test_only_an_activity_that_was_held_is_linked(app, cast):
    project_id = make_project(app, cast)
    activity_id = make_activity(app, cast.planner)  # planned, in two days
    with pytest.raises(DomainError, match="has been held"):
        with app.app_context():
            services.link_activity(db.session.get(User, cast.planner.id), db.session.get(Project, project_id),
                                   db.session.get(Activity, activity_id))


def test_the_implementer_named_by_phone_posts_progress(app, cast, client, make_user):
    builder = make_user(None, None, display_name="江城建工")
    proposal_id = adopted_proposal(app, cast)
    login(client, cast.street)
    form = client.get(f"/projects/new?proposal={proposal_id}").data
    data = {"csrf_token": csrf_token_from(form), "title": "口袋公园改造", "lead_planner": str(cast.planner.id),
            "start_stage": "listed", "implementer": "江城建工集团"}
    unknown = client.post(f"/projects/new?proposal={proposal_id}", data={**data, "implementer_phone": "13000000000"})
    assert unknown.status_code == 422
    created = client.post(f"/projects/new?proposal={proposal_id}", data={**data, "implementer_phone": builder.phone})
    project_id = int(created.headers["Location"].rsplit("/", 1)[1])
    assert load(app, project_id).implementer_account_id == builder.id
    implementer = app.test_client()
    login(implementer, builder)
    assert 'id="update-form"' in implementer.get(f"/projects/{project_id}").get_data(as_text=True)
