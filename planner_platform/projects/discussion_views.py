"""What residents post on a project's page: public-notice comments and their reports, the post-evaluation survey.
Each post goes back to the project's page (projects.detail) with a flash."""
from flask import Blueprint
from flask_babel import gettext as _
from flask_login import current_user, login_required

from planner_platform.core.forms import act
from planner_platform.core.refusals import back_to
from planner_platform.extensions import db
from planner_platform.projects import discussion, survey
from planner_platform.projects.models import NeedMet, Project, ProjectComment
from planner_platform.projects.survey_forms import SurveyForm
from planner_platform.proposals.forms import ActionForm
from planner_platform.proposals.views import throttled

bp = Blueprint("project_public", __name__, url_prefix="/projects")


def _back(project_id: int, anchor: str):
    return back_to("projects.detail", anchor, project_id=project_id)


@bp.route("/<int:project_id>/comments", methods=["POST"])
@login_required
@throttled
def comment(project_id: int):
    project = db.get_or_404(Project, project_id)
    form = discussion.comment_form()
    act(form, lambda: discussion.add_comment(current_user, project, form.body.data), _("Your comment is published."))
    return _back(project.id, "discussion")


@bp.route("/comments/<int:comment_id>/report", methods=["POST"])
@login_required
@throttled
def report(comment_id: int):
    comment = db.get_or_404(ProjectComment, comment_id)
    act(ActionForm(), lambda: discussion.report(current_user, comment),
        _("Thank you. A moderator will look at this comment."))
    return _back(comment.project_id, "discussion")


@bp.route("/<int:project_id>/survey", methods=["POST"])
@login_required
@throttled
def answer_survey(project_id: int):
    project = db.get_or_404(Project, project_id)
    form = SurveyForm()
    act(form, lambda: survey.answer(current_user, project, form.satisfaction.data, NeedMet(form.need_met.data),
                                    form.survey_comment.data or ""),
        _("Thank you for answering the survey."))
    return _back(project.id, "survey")
