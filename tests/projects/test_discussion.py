"""Public-notice comments on a project, through the proposals' comment and moderation machinery: residents comment
only during public notice, reports hide a comment at the district's threshold, the hidden comment waits in the
one moderation queue, a verdict restores the counter; the hourly allowance counts both kinds of comment."""
import pytest
from sqlalchemy import func, select

from planner_platform.access import actor_of
from planner_platform.accounts.models import Role, User
from planner_platform.core.audit import AuditEntry
from planner_platform.core.errors import DomainError, NotAllowed, OverLimit
from planner_platform.core.outbox import OutboxEvent
from planner_platform.extensions import db
from planner_platform.projects import discussion
from planner_platform.projects.models import Project, ProjectComment, Stage
from planner_platform.proposals import participation
from planner_platform.proposals.models import Comment, Proposal
from planner_platform.proposals.moderation import moderation_queue
from tests.conftest import login, submit
from tests.projects.conftest import adopted_proposal, load, make_project, move
from tests.proposals.conftest import make_proposal, says


def _in_notice(app, cast) -> int:
    project_id = make_project(app, cast)
    move(app, cast, project_id, Stage.co_design, Stage.public_notice)
    return project_id


def _comment(app, user, project_id, body="建议保留大树") -> int:
    with app.app_context():
        comment = discussion.add_comment(db.session.get(User, user.id), db.session.get(Project, project_id), body)
        db.session.commit()
        return comment.id


def _report(app, user, comment_id) -> bool:
    with app.app_context():
        added = discussion.report(db.session.get(User, user.id), db.session.get(ProjectComment, comment_id))
        db.session.commit()
        return added


def _comment_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProjectComment))


def test_residents_comment_only_while_the_project_is_in_public_notice(app, cast):
    project_id = make_project(app, cast)
    with pytest.raises(DomainError, match="while the project is in public notice"):
        _comment(app, cast.resident, project_id)
    move(app, cast, project_id, Stage.co_design, Stage.public_notice)
    for outsider in (cast.street, cast.planner):  # staff speak through the project, not in the residents' thread
        with pytest.raises(NotAllowed):
            _comment(app, outsider, project_id)
    _comment(app, cast.resident, project_id)
    _comment(app, cast.third, project_id, "另一社区居民也可以提意见")  # like proposals: any resident
    assert load(app, project_id).comment_count == 2
    move(app, cast, project_id, Stage.co_design)  # the notice is over: readable, closed to new comments
    with pytest.raises(DomainError):
        _comment(app, cast.neighbour, project_id)
    assert _comment_rows(app) == 2 and load(app, project_id).comment_count == 2
    with app.app_context():
        project = db.session.get(Project, project_id)
        thread = discussion.thread_of(project, actor_of(db.session.get(User, cast.neighbour.id)))
        assert [c.body for c in thread.comments] == ["建议保留大树", "另一社区居民也可以提意见"]
        assert not thread.is_open and not thread.can_comment and thread.form is None


def test_reports_hide_a_comment_into_the_shared_queue_and_a_verdict_restores_the_counter(app, cast):
    project_id = _in_notice(app, cast)
    comment_id = _comment(app, cast.neighbour, project_id, "广告：低价装修")
    _comment(app, cast.resident, project_id)
    with pytest.raises(DomainError, match="your own comment"):
        _report(app, cast.neighbour, comment_id)
    assert _report(app, cast.resident, comment_id) and not _report(app, cast.resident, comment_id)  # once each
    assert load(app, project_id).comment_count == 2
    _report(app, cast.third, comment_id)  # the district hides at 2 reports
    assert fresh_comment(app, comment_id).hidden_at is not None
    assert load(app, project_id).comment_count == 1
    with app.test_request_context():  # the thread carries the comment form
        project = db.session.get(Project, project_id)
        shown = discussion.thread_of(project, actor_of(db.session.get(User, cast.third.id))).comments
        assert comment_id not in [c.id for c in shown]
        street = actor_of(db.session.get(User, cast.street.id))
        [entry] = moderation_queue(street)
        assert entry.source.name == "project" and entry.comment.id == comment_id and entry.thread.id == project_id
        assert moderation_queue(actor_of(db.session.get(User, cast.other_street.id))) == []
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.object_type == "project_comments")) \
            == "project.hidden_by_reports"
    with app.app_context(), pytest.raises(NotAllowed):
        participation.moderate_comment(db.session.get(User, cast.other_street.id), discussion.PROJECT_COMMENTS,
                                       db.session.get(ProjectComment, comment_id), hide=False)
    for _twice in range(2):  # a second click changes nothing
        with app.app_context():
            participation.moderate_comment(db.session.get(User, cast.street.id), discussion.PROJECT_COMMENTS,
                                           db.session.get(ProjectComment, comment_id), hide=False)
            db.session.commit()
    assert fresh_comment(app, comment_id).hidden_at is None and load(app, project_id).comment_count == 2
    with app.app_context():
        assert moderation_queue(actor_of(db.session.get(User, cast.street.id))) == []
    with app.app_context():  # hide for good after all: the counter follows once
        participation.moderate_comment(db.session.get(User, cast.street.id), discussion.PROJECT_COMMENTS,
                                       db.session.get(ProjectComment, comment_id), hide=True)
        db.session.commit()
    assert load(app, project_id).comment_count == 1


def fresh_comment(app, comment_id: int) -> ProjectComment:
    with app.app_context():
        comment = db.session.get(ProjectComment, comment_id)
        db.session.expunge(comment)
        return comment


def test_the_office_is_told_when_reports_hide_a_project_comment(app, cast):
    project_id = _in_notice(app, cast)
    comment_id = _comment(app, cast.neighbour, project_id, "广告")
    for reporter in (cast.resident, cast.third):
        _report(app, reporter, comment_id)
    with app.app_context():
        [event] = db.session.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type == "proposals.hidden_by_reports")).all()
        assert event.payload["kind"] == "comment" and event.payload["project_id"] == project_id
        assert event.payload["recipients"] == {"roles": ["subdistrict_staff"], "place_id": cast.community.id,
                                               "scope": "covering"}


def test_the_hourly_allowance_counts_proposal_and_project_comments_together(app, cast, monkeypatch):
    monkeypatch.setitem(app.config, "COMMENTS_PER_USER_PER_HOUR", 2)
    project_id = _in_notice(app, cast)
    proposal_id = make_proposal(app, cast.resident)
    with app.app_context():
        participation.add_comment(db.session.get(User, cast.neighbour.id), db.session.get(Proposal, proposal_id),
                                  "同意")
        db.session.commit()
    _comment(app, cast.neighbour, project_id)
    with pytest.raises(OverLimit):
        _comment(app, cast.neighbour, project_id, "第三条")
    with app.app_context(), pytest.raises(OverLimit):
        participation.add_comment(db.session.get(User, cast.neighbour.id), db.session.get(Proposal, proposal_id),
                                  "第三条")
    assert _comment_rows(app) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 1


def test_a_stranger_is_refused_by_every_discussion_service_and_nothing_changes(app, cast, make_user):
    stranger = make_user(None, None)
    project_id = _in_notice(app, cast)
    comment_id = _comment(app, cast.resident, project_id)
    with pytest.raises(NotAllowed):
        _comment(app, stranger, project_id)
    with pytest.raises(NotAllowed):
        _report(app, stranger, comment_id)
    with app.app_context(), pytest.raises(NotAllowed):
        participation.moderate_comment(db.session.get(User, stranger.id), discussion.PROJECT_COMMENTS,
                                       db.session.get(ProjectComment, comment_id), hide=True)
    assert _comment_rows(app) == 1 and fresh_comment(app, comment_id).report_count == 0


# Pages: they post back to the project page (projects.detail, the lead's), so they run where it exists.


def test_a_resident_comments_and_reports_on_the_page_and_the_moderator_decides_in_the_shared_queue(
        app, cast, make_user, detail_page):
    project_id = _in_notice(app, cast)
    page = f"/projects/{project_id}"
    resident = app.test_client()
    login(resident, cast.resident)
    answer = submit(resident, f"/projects/{project_id}/comments", {"notice-body": "入口处加坡道"}, form_url=page,
                    follow_redirects=True)
    assert says(app, answer.get_data(as_text=True), "Your comment is published.") and "入口处加坡道" in answer.text
    comment_id = _comment(app, cast.neighbour, project_id, "卖房广告")
    for reporter in (cast.resident, cast.third):
        reporter_client = app.test_client()
        login(reporter_client, reporter)
        submit(reporter_client, f"/projects/comments/{comment_id}/report", {}, form_url=page)
    assert "卖房广告" not in app.test_client().get(page).text
    staff = app.test_client()
    login(staff, cast.street)
    queue = staff.get("/workspace/moderation").text
    assert "卖房广告" in queue and f"/workspace/moderation/comments/project/{comment_id}" in queue
    other = app.test_client()
    login(other, cast.other_street)
    assert submit(other, f"/workspace/moderation/comments/project/{comment_id}", {"verdict": "show"},
                  form_url="/workspace/moderation").status_code == 403
    submit(staff, f"/workspace/moderation/comments/project/{comment_id}", {"verdict": "show"},
           form_url="/workspace/moderation")
    assert "卖房广告" in app.test_client().get(page).text and load(app, project_id).comment_count == 2


def test_the_page_refuses_a_comment_after_the_notice_with_its_message(app, cast, detail_page):
    project_id = _in_notice(app, cast)
    resident = app.test_client()
    login(resident, cast.resident)
    move(app, cast, project_id, Stage.co_design)
    answer = submit(resident, f"/projects/{project_id}/comments", {"notice-body": "晚了"},
                    form_url=f"/projects/{project_id}")
    assert answer.status_code == 422 and _comment_rows(app) == 0


def test_residents_only_is_the_rule_of_the_role(app, cast, make_user):
    """A resident account of any community may comment, as on proposals; a community worker may not."""
    project_id = _in_notice(app, cast)
    with pytest.raises(NotAllowed):
        _comment(app, cast.worker, project_id)
    _comment(app, make_user(Role.resident, "D2S1C1"), project_id)
    assert load(app, project_id).comment_count == 1


def test_an_origin_proposal_shows_the_project_it_grew_into(app, cast, detail_page):
    proposal_id = adopted_proposal(app, cast)
    other_id = adopted_proposal(app, cast, title="另一个提案")
    project_id = make_project(app, cast, origins=[proposal_id])
    page = app.test_client().get(f"/proposals/{proposal_id}").text
    assert f'href="/projects/{project_id}"' in page and "口袋公园微更新" in page
    assert says(app, page, "This proposal grew into a renewal project:")
    assert "/projects/" not in app.test_client().get(f"/proposals/{other_id}").text.split("<main")[-1]
