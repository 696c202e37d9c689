"""A renewal project (更新项目), its stage history, origin proposals, review opinions, photos and linked activities."""
import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner_platform.accounts.models import User
from planner_platform.activities.models import Activity
from planner_platform.areas.models import Place
from planner_platform.core.db import Base, TimestampMixin, UTCDateTime, string_enum, utcnow
from planner_platform.proposals.models import Proposal

TITLE_MAX = 80
DESCRIPTION_MAX = 4000
REASON_MAX = 1000
OPINION_MAX = 4000


class Stage(enum.Enum):
    """Every stage a project can be in (DOMAIN.md §7). Which ones a district uses, in which order, which are
    optional and how long each lasts at least is data: the district's policy profile (projects.stages)."""

    need_collection = "need_collection"
    diagnosis = "diagnosis"
    listed = "listed"
    co_design = "co_design"
    public_notice = "public_notice"
    review = "review"
    approved_funded = "approved_funded"
    construction = "construction"
    completed = "completed"
    operation = "operation"
    post_evaluation = "post_evaluation"
    suspended = "suspended"
    cancelled = "cancelled"

    @property
    def label(self):
        return STAGE_LABELS[self]


STAGE_LABELS = {
    Stage.need_collection: _l("Collecting needs"), Stage.diagnosis: _l("Diagnosis"),
    Stage.listed: _l("Listed"), Stage.co_design: _l("Co-design"), Stage.public_notice: _l("Public notice"),
    Stage.review: _l("Planner review"), Stage.approved_funded: _l("Approved and funded"),
    Stage.construction: _l("Under construction"), Stage.completed: _l("Completed and accepted"),
    Stage.operation: _l("In operation"), Stage.post_evaluation: _l("Post-evaluation"),
    Stage.suspended: _l("Suspended"), Stage.cancelled: _l("Cancelled"),
}
#: Stages after which a project can no longer be suspended or cancelled: money is being spent or has been.
CONSTRUCTION_ONWARDS = (Stage.construction, Stage.completed, Stage.operation, Stage.post_evaluation)
#: Stages off the main line: a project there is paused or over.
SIDE_STAGES = (Stage.suspended, Stage.cancelled)


class Project(TimestampMixin, Base):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("budget_estimate_fen >= 0", name="estimate_non_negative"),
        CheckConstraint("state <> 'suspended' OR resume_state IS NOT NULL", name="suspended_knows_where_it_was"),
        CheckConstraint("comment_count >= 0", name="comment_count_non_negative"),
        Index("ix_projects_community_state", "community_id", "state"),
        Index("ix_projects_owner_state", "owner_id", "state", "id"),
        Index("ix_projects_lead_state", "lead_planner_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    community_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="RESTRICT"))
    #: A housing estate, courtyard, pocket park… inside the community (optional).
    site: Mapped[str] = mapped_column(String(100), default="")
    #: The planner account leading the project; it held a serving term in the community when it was chosen.
    lead_planner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    #: The sub-district (street office) that owns the project.
    owner_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="RESTRICT"))
    #: Who builds it (a company, the property management…), and their account if they post progress themselves.
    implementer: Mapped[str] = mapped_column(String(120), default="")
    implementer_account_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[Stage] = mapped_column(string_enum(Stage, "project_stage"), index=True)
    #: When the current stage began: its minimum duration counts from this local date.
    stage_since: Mapped[date] = mapped_column(Date)
    #: The stage a suspended project resumes.
    resume_state: Mapped[Stage | None] = mapped_column(string_enum(Stage, "project_resume_stage"))
    completed_on: Mapped[date | None] = mapped_column(Date)
    #: The profile's months after completion; the beat reminds the lead and the office once when it is reached.
    evaluation_due_on: Mapped[date | None] = mapped_column(Date, index=True)
    evaluation_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    budget_estimate_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Visible public-notice comments (the thread reuses the proposals' comment machinery).
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Optimistic lock: two officers changing the stage at once give one success and one conflict.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    community: Mapped[Place] = relationship(foreign_keys=[community_id])
    owner: Mapped[Place] = relationship(foreign_keys=[owner_id])
    lead_planner: Mapped[User] = relationship(foreign_keys=[lead_planner_id])
    implementer_account: Mapped[User | None] = relationship(foreign_keys=[implementer_account_id])
    history: Mapped[list["ProjectEvent"]] = relationship(order_by="ProjectEvent.id", back_populates="project")
    origins: Mapped[list["ProjectOrigin"]] = relationship(order_by="ProjectOrigin.id", back_populates="project")


class ProjectEvent(Base):
    """One stage change: who, when, from which stage to which, and why (a suspension or cancellation reason)."""

    __tablename__ = "project_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[Stage | None] = mapped_column(string_enum(Stage, "project_from_stage"))
    to_state: Mapped[Stage] = mapped_column(string_enum(Stage, "project_to_stage"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship()


class ProjectOrigin(Base):
    """An adopted proposal the project grew from; a proposal grows into one project at most."""

    __tablename__ = "project_origins"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="RESTRICT"), unique=True)

    project: Mapped[Project] = relationship(back_populates="origins")
    proposal: Mapped[Proposal] = relationship()


class Verdict(enum.Enum):
    agree = "agree"
    agree_with_changes = "agree_with_changes"
    disagree = "disagree"

    @property
    def label(self):
        return {Verdict.agree: _l("Agree"), Verdict.agree_with_changes: _l("Agree with changes"),
                Verdict.disagree: _l("Disagree")}[self]


class ReviewOpinion(Base):
    """A planner's signed review opinion (把关意见) on the scheme in review. Signed rows are never changed."""

    __tablename__ = "project_review_opinions"
    __table_args__ = (CheckConstraint("length(body) > 0", name="opinion_has_text"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    verdict: Mapped[Verdict] = mapped_column(string_enum(Verdict, "review_verdict"))
    body: Mapped[str] = mapped_column(Text)
    #: The stage event that opened the review this opinion answers: an opinion counts for that round only.
    review_event_id: Mapped[int] = mapped_column(ForeignKey("project_events.id", ondelete="RESTRICT"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    signer: Mapped[User] = relationship()


class PhotoKind(enum.Enum):
    cover = "cover"
    before = "before"
    after = "after"
    update = "update"


class ProjectPhoto(TimestampMixin, Base):
    """A re-encoded photo (core.media), stored outside static/: the cover, before and after photos, or one of a
    progress update's."""

    __tablename__ = "project_photos"
    __table_args__ = (CheckConstraint("(kind = 'update') = (update_id IS NOT NULL)", name="update_photo_has_update"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PhotoKind] = mapped_column(string_enum(PhotoKind, "project_photo_kind"))
    update_id: Mapped[int | None] = mapped_column(ForeignKey("project_updates.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ProjectUpdate(TimestampMixin, Base):
    """A progress update (text and photos) by the lead planner, a serving planner or the implementer."""

    __tablename__ = "project_updates"
    __table_args__ = (Index("ix_project_updates_project", "project_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User | None] = relationship()
    photos: Mapped[list[ProjectPhoto]] = relationship(order_by="ProjectPhoto.id")


class ProjectActivity(Base):
    """A participation activity held for the project (a co-design workshop, a hearing on the notice…)."""

    __tablename__ = "project_activities"
    __table_args__ = (UniqueConstraint("project_id", "activity_id", name="uq_project_activities_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)

    activity: Mapped[Activity] = relationship()
