"""What projects hold about a person (their comments on projects in public notice, their survey answers), for
their own data export."""
from sqlalchemy import select

from planner_platform.accounts.models import User
from planner_platform.accounts.personal_data import Section, iso, register_section
from planner_platform.extensions import db
from planner_platform.projects.models import ProjectComment, SurveyResponse


def _comments(user: User) -> list[dict]:
    rows = db.session.scalars(select(ProjectComment).where(ProjectComment.author_id == user.id)
                              .order_by(ProjectComment.id))
    return [{"id": c.id, "project_id": c.project_id, "body": c.body, "created_at": iso(c.created_at),
             "hidden": c.hidden_at is not None} for c in rows]


def _survey_answers(user: User) -> list[dict]:
    rows = db.session.scalars(select(SurveyResponse).where(SurveyResponse.user_id == user.id)
                              .order_by(SurveyResponse.id))
    return [{"project_id": r.project_id, "satisfaction": r.satisfaction, "need_met": r.need_met.value,
             "comment": r.comment, "created_at": iso(r.created_at)} for r in rows]


register_section(Section("project_comments", ("id", "project_id", "body", "created_at", "hidden"), _comments))
register_section(Section("project_survey_answers", ("project_id", "satisfaction", "need_met", "comment",
                                                    "created_at"), _survey_answers))
