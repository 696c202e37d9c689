"""The post-evaluation survey (residents of the community, once each, while in post-evaluation; the result is
public) and the daily reminder that the evaluation is due (once per project)."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from planner_platform.access import ANONYMOUS, actor_of
from planner_platform.accounts.models import Role, User
from planner_platform.core.calendar import local_today
from planner_platform.core.errors import DomainError, NotAllowed
from planner_platform.core.outbox import OutboxEvent
from planner_platform.extensions import db
from planner_platform.projects import survey
from planner_platform.projects.models import NeedMet, Project, Stage, SurveyResponse
from planner_platform.projects.tasks import evaluation_reminders_task
from tests.conftest import login, submit
from tests.projects.conftest import load, make_project
from tests.proposals.conftest import says
from tests.test_query_counts import count_queries


def _at(app, project_id: int, stage: Stage, **values) -> None:
    """Put the project at `stage` directly (the gates on the way are the stage tests' business)."""
    with app.app_context():
        db.session.execute(update(Project).where(Project.id == project_id).values(state=stage, **values))
        db.session.commit()


def _answer(app, user, project_id, satisfaction=4, need_met=NeedMet.yes, comment=""):
    with app.app_context():
        survey.answer(db.session.get(User, user.id), db.session.get(Project, project_id), satisfaction, need_met,
                      comment)
        db.session.commit()


def _answers(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SurveyResponse))


def _summary(app, project_id, user=None):
    with app.test_request_context():  # the summary carries the form
        actor = actor_of(db.session.get(User, user.id)) if user else ANONYMOUS
        return survey.summary_of(db.session.get(Project, project_id), actor)


def test_residents_of_the_community_answer_once_each_while_in_post_evaluation(app, cast, make_user):
    project_id = make_project(app, cast)
    with pytest.raises(DomainError, match="while the project is in post-evaluation"):
        _answer(app, cast.resident, project_id)
    _at(app, project_id, Stage.post_evaluation)
    _answer(app, cast.resident, project_id, 5, NeedMet.yes, "  孩子们很喜欢  ")
    with pytest.raises(DomainError, match="already answered"):
        _answer(app, cast.resident, project_id, 1, NeedMet.no)
    _answer(app, cast.neighbour, project_id, 2, NeedMet.partly)
    for outsider in (cast.third, cast.worker, cast.street, make_user(Role.resident, "D2S1C1")):
        with pytest.raises(NotAllowed, match="for residents of"):
            _answer(app, outsider, project_id)
    assert _answers(app) == 2
    result = _summary(app, project_id)
    assert (result.count, result.mean) == (2, 3.5)
    assert result.distribution == {5: 1, 4: 0, 3: 0, 2: 1, 1: 0}
    assert result.need_met == {NeedMet.yes: 1, NeedMet.partly: 1, NeedMet.no: 0}
    assert not result.may_answer and result.form is None  # anonymous readers see the result only
    mine = _summary(app, project_id, cast.resident)
    assert mine.has_answered and not mine.may_answer
    with app.app_context():
        assert db.session.scalar(select(SurveyResponse.comment).where(
            SurveyResponse.user_id == cast.resident.id)) == "孩子们很喜欢"


def test_the_summary_is_one_query(app, cast):
    project_id = make_project(app, cast)
    _at(app, project_id, Stage.post_evaluation)
    _answer(app, cast.resident, project_id)
    with app.test_request_context():
        project = db.session.get(Project, project_id)
        actor = actor_of(db.session.get(User, cast.neighbour.id))
        actor.served  # noqa: B018  (the actor's own query, computed once per transaction)
        with count_queries(app) as queries:
            result = survey.summary_of(project, actor)
    assert len(queries) == 1 and result.may_answer and result.count == 1


def test_the_database_backs_the_survey_rules(app, cast):
    project_id = make_project(app, cast)
    with app.app_context():
        for row in ({"satisfaction": 6}, {"satisfaction": 3, "comment": "长" * 501}):
            with pytest.raises(Exception), db.session.begin_nested():  # noqa: B017  (IntegrityError/DataError)
                db.session.add(SurveyResponse(project_id=project_id, user_id=cast.resident.id,
                                              need_met=NeedMet.yes, **{"comment": "", **row}))
                db.session.flush()
        db.session.add(SurveyResponse(project_id=project_id, user_id=cast.resident.id, satisfaction=3,
                                      need_met=NeedMet.no))
        db.session.flush()
        with pytest.raises(Exception), db.session.begin_nested():  # noqa: B017  (the UNIQUE: once each)
            db.session.add(SurveyResponse(project_id=project_id, user_id=cast.resident.id, satisfaction=4,
                                          need_met=NeedMet.yes))
            db.session.flush()
        db.session.rollback()


def test_the_evaluation_reminder_goes_once_to_the_lead_and_the_office(app, cast):
    due_id = make_project(app, cast, title="已竣工的项目")
    later_id = make_project(app, cast, title="尚未到期")
    today = local_today_of(app)
    _at(app, due_id, Stage.completed, completed_on=today - timedelta(days=400),
        evaluation_due_on=today - timedelta(days=35))
    _at(app, later_id, Stage.operation, completed_on=today, evaluation_due_on=today + timedelta(days=1))
    version = load(app, due_id).version
    with app.app_context():
        assert evaluation_reminders_task.apply().get() == {"evaluations": 1}
        assert evaluation_reminders_task.apply().get() == {"evaluations": 0}  # once
        db.session.remove()
    assert load(app, due_id).evaluation_reminded_at is not None and load(app, later_id).evaluation_reminded_at is None
    assert load(app, due_id).version == version  # no officer's open form turns stale because of the stamp
    with app.app_context():
        events = db.session.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type == "projects.evaluation_due")).all()
        assert sorted(str(e.payload["recipients"]) for e in events) == sorted([
            str({"users": [cast.planner.id]}),
            str({"roles": ["subdistrict_staff"], "place_id": cast.community.id, "scope": "covering"})])
        assert {e.payload["project_id"] for e in events} == {due_id}


def local_today_of(app):
    with app.app_context():
        return local_today()


def test_a_stranger_may_not_answer_and_nothing_changes(app, cast, make_user):
    project_id = make_project(app, cast)
    _at(app, project_id, Stage.post_evaluation)
    with pytest.raises(NotAllowed):
        _answer(app, make_user(None, None), project_id)
    assert _answers(app) == 0



def test_a_resident_answers_on_the_page_and_a_second_answer_is_refused_not_a_500(app, cast, detail_page):
    project_id = make_project(app, cast)
    _at(app, project_id, Stage.post_evaluation)
    page = f"/projects/{project_id}"
    resident = app.test_client()
    login(resident, cast.resident)
    data = {"satisfaction": "4", "need_met": "partly", "survey_comment": "还可以"}
    answer = submit(resident, f"/projects/{project_id}/survey", data, form_url=page, follow_redirects=True)
    assert says(app, answer.text, "Thank you for answering the survey.")
    token = submit(resident, f"/projects/{project_id}/survey", data, form_url=page)  # a double submit
    assert token.status_code == 422 and says(app, token.text,
                                             "You have already answered this survey; each resident answers once.")
    assert _answers(app) == 1
    outsider = app.test_client()
    login(outsider, cast.third)
    assert submit(outsider, f"/projects/{project_id}/survey", data, form_url=page).status_code == 403
    assert _answers(app) == 1
