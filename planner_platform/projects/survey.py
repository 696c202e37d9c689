"""The post-evaluation satisfaction survey (后评估): residents of the project's community answer once each while the
project is in post-evaluation; the result is public. Callers commit."""
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import case, func, select, update

from planner_platform.access import Actor, actor_of, holds_role_over
from planner_platform.accounts.models import Role, User
from planner_platform.core.audit import record_audit
from planner_platform.core.calendar import local_today
from planner_platform.core.db import utcnow
from planner_platform.core.errors import DomainError, NotAllowed
from planner_platform.core.outbox import emit
from planner_platform.extensions import db
from planner_platform.projects import notifications as events
from planner_platform.projects import permissions as can
from planner_platform.projects.models import SURVEY_COMMENT_MAX, NeedMet, Project, Stage, SurveyResponse
from planner_platform.projects.survey_forms import SurveyForm
from planner_platform.proposals.participation import insert_once

SCORES = (5, 4, 3, 2, 1)
#: Where a project waits for its post-evaluation once it is built.
EVALUATION_WAITS = (Stage.completed, Stage.operation)


@dataclass
class Summary:
    """What templates/projects/_survey.html shows: the public result and the actor's part in it."""

    count: int
    #: Mean satisfaction to one decimal; None before the first answer.
    mean: float | None
    #: Answers per score, 5 first.
    distribution: dict[int, int]
    need_met: dict[NeedMet, int]
    is_open: bool
    may_answer: bool
    has_answered: bool
    form: SurveyForm | None = field(default=None)


def summary_of(project: Project, actor: Actor) -> Summary:
    """The result (count, mean, distribution, and whether the actor has answered) in one query."""
    answer = SurveyResponse
    columns = [func.count(answer.id), func.avg(answer.satisfaction),
               *[func.coalesce(func.sum(case((answer.satisfaction == n, 1), else_=0)), 0) for n in SCORES],
               *[func.coalesce(func.sum(case((answer.need_met == need, 1), else_=0)), 0) for need in NeedMet],
               func.coalesce(func.sum(case((answer.user_id == actor.id, 1), else_=0)), 0)]
    row = db.session.execute(select(*columns).where(answer.project_id == project.id)).one()
    count, mean, *rest = row
    by_score, by_need, mine = rest[:len(SCORES)], rest[len(SCORES):-1], rest[-1]
    has_answered = actor.id is not None and mine > 0
    may_answer = can.can_answer_survey(actor, project) and not has_answered
    return Summary(count=count, mean=round(float(mean), 1) if mean is not None else None,
                   distribution=dict(zip(SCORES, by_score)), need_met=dict(zip(NeedMet, by_need)),
                   is_open=project.state is Stage.post_evaluation, may_answer=may_answer,
                   has_answered=has_answered, form=SurveyForm() if may_answer else None)


def answer(user: User, project: Project, satisfaction: int, need_met: NeedMet, comment: str = "") -> None:
    """A resident of the community answers the survey, once; a second answer (or a double submit) is refused."""
    actor = actor_of(user)
    if not holds_role_over(actor, Role.resident, project.community):
        raise NotAllowed(_("The survey is for residents of %(community)s.", community=project.community.name))
    if not can.can_answer_survey(actor, project):
        raise DomainError(_("The survey is open while the project is in post-evaluation; it is now: %(stage)s.",
                            stage=project.state.label))
    comment = comment.strip()
    if satisfaction not in SCORES:
        raise DomainError(_("Choose from 1 to 5."), field="satisfaction")
    if len(comment) > SURVEY_COMMENT_MAX:
        raise DomainError(_("The text is too long."), field="survey_comment")
    # ON CONFLICT DO NOTHING on the UNIQUE (project, user): two tabs or a double click answer once, never a 500.
    if not insert_once(SurveyResponse, project_id=project.id, user_id=user.id, satisfaction=satisfaction,
                       need_met=need_met, comment=comment, created_at=utcnow()):
        raise DomainError(_("You have already answered this survey; each resident answers once."))
    record_audit(db.session, "project.survey_answered", actor=user, obj=project, satisfaction=satisfaction,
                 need_met=need_met.value)


def remind_evaluations_due() -> int:
    """Daily: tell the lead planner and the sub-district office, once per project, that a completed project's
    post-evaluation has fallen due. A conditional UPDATE stamps the reminder (two beats never send twice) without
    touching the project's version, so no officer's open form turns stale because of it."""
    rows = db.session.execute(update(Project).where(
        Project.state.in_(EVALUATION_WAITS), Project.evaluation_due_on <= local_today(),
        Project.evaluation_reminded_at.is_(None)).values(evaluation_reminded_at=utcnow())
        .returning(Project.id, Project.title, Project.lead_planner_id, Project.community_id),
        execution_options={"synchronize_session": False}).all()
    for project_id, title, lead_id, community_id in sorted(rows):
        payload = {"project_id": project_id, "title": title}
        emit(events.EVALUATION_DUE.name, payload=payload, recipients={"users": [lead_id]})
        emit(events.EVALUATION_DUE.name, payload=payload, recipients={
            "roles": [Role.subdistrict_staff.value], "place_id": community_id, "scope": "covering"})
    return len(rows)
