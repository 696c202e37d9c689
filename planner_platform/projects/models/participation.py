"""What residents add to a project: public-notice comments (the proposals' comment columns and reports) and the
post-evaluation survey, answered once per resident."""
import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner_platform.core.db import Base, TimestampMixin, string_enum
from planner_platform.projects.models.core import Project
from planner_platform.proposals.models import CommentColumns, CommentReportColumns

SURVEY_COMMENT_MAX = 500


class ProjectComment(CommentColumns, Base):
    """A resident's comment on a project in public notice (公示意见); reported and moderated as proposals' are."""

    __tablename__ = "project_comments"
    __table_args__ = (Index("ix_project_comments_thread", "project_id", "id"),)

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))

    project: Mapped[Project] = relationship()


class ProjectCommentReport(CommentReportColumns, Base):
    __tablename__ = "project_comment_reports"
    comments_table = "project_comments"


class NeedMet(enum.Enum):
    yes = "yes"
    partly = "partly"
    no = "no"

    @property
    def label(self):
        return {NeedMet.yes: _l("Yes"), NeedMet.partly: _l("Partly"), NeedMet.no: _l("No")}[self]


class SurveyResponse(TimestampMixin, Base):
    """A resident's answer to the post-evaluation survey (后评估满意度): once per resident per project."""

    __tablename__ = "project_survey_responses"
    __table_args__ = (
        UniqueConstraint("project_id", "user_id", name="uq_project_survey_responses_once"),
        CheckConstraint("satisfaction BETWEEN 1 AND 5", name="satisfaction_range"),
        CheckConstraint(f"length(comment) <= {SURVEY_COMMENT_MAX}", name="comment_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: Overall satisfaction, 1 (very unsatisfied) to 5 (very satisfied).
    satisfaction: Mapped[int] = mapped_column(Integer)
    #: Does the result meet the need the project was for?
    need_met: Mapped[NeedMet] = mapped_column(string_enum(NeedMet, "survey_need_met"))
    comment: Mapped[str] = mapped_column(String(SURVEY_COMMENT_MAX), default="")

