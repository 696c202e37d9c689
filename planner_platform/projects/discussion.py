"""Public comments on a project in public notice (公示意见), through the proposals' comment and moderation machinery:
the same columns (models.CommentColumns), the same report threshold (the district's `hide_after_reports`), the same
hourly allowance, the same moderation queue. Comments are taken during public notice and stay readable after it.
Callers commit."""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from planner_platform.access import Actor, actor_of
from planner_platform.accounts.models import Role, User
from planner_platform.core.errors import DomainError, NotAllowed
from planner_platform.extensions import db
from planner_platform.projects import permissions as can
from planner_platform.projects.models import Project, ProjectComment, ProjectCommentReport, Stage
from planner_platform.proposals import participation
from planner_platform.proposals.forms import CommentForm
from planner_platform.proposals.models import COMMENT_MAX
from planner_platform.proposals.moderation import CommentSource, register

#: Project comments in the shared moderation queue, reported and moderated by proposals.participation.
PROJECT_COMMENTS = register(CommentSource("project", ProjectComment, ProjectCommentReport, "project",
                                          "projects.detail", "project"))
MAX_SHOWN = 500
#: The project page holds several forms: the comment form's fields are named notice-body, id included.
FORM_PREFIX = "notice"


def comment_form() -> CommentForm:
    return CommentForm(prefix=FORM_PREFIX)


@dataclass
class Thread:
    """What templates/projects/_discussion.html shows."""

    comments: list[ProjectComment]
    #: Comments are taken now (the project is in public notice).
    is_open: bool
    can_comment: bool
    can_report: bool
    form: CommentForm | None


def visible_comments(project: Project) -> list[ProjectComment]:
    return db.session.scalars(select(ProjectComment).where(
        ProjectComment.project_id == project.id, ProjectComment.hidden_at.is_(None))
        .options(joinedload(ProjectComment.author)).order_by(ProjectComment.id).limit(MAX_SHOWN)).all()


def thread_of(project: Project, actor: Actor) -> Thread:
    """The visible comments (hidden ones wait in the moderation queue), and whether the actor may add one."""
    may_comment = can.can_comment(actor, project)
    return Thread(comments=visible_comments(project), is_open=project.state is Stage.public_notice,
                  can_comment=may_comment, can_report=Role.resident in actor.roles,
                  form=comment_form() if may_comment else None)


def add_comment(user: User, project: Project, body: str) -> ProjectComment:
    """A resident's comment on the notice; counted in the project's visible comments and the hourly allowance."""
    actor = actor_of(user)
    if Role.resident not in actor.roles:
        raise NotAllowed(_("Log in as a resident to comment."))
    if not can.can_comment(actor, project):
        raise DomainError(_("Comments are taken while the project is in public notice; it is now: %(stage)s.",
                            stage=project.state.label))
    body = body.strip()
    if not body or len(body) > COMMENT_MAX:
        raise DomainError(_("A comment has 1 to %(max)d characters.", max=COMMENT_MAX), field="body")
    participation.check_comment_limit(user)
    comment = ProjectComment(project_id=project.id, author_id=user.id, body=body)
    db.session.add(comment)
    db.session.flush()
    participation.bump(Project, project.id, "comment_count", +1)
    return comment


def report(user: User, comment: ProjectComment) -> bool:
    """Report a comment; at the district's threshold it is hidden until a moderator looks at it."""
    return participation.report_comment(user, PROJECT_COMMENTS, comment)
