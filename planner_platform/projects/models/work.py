"""The work on a project: milestones with due dates and owners, and its documents (design scheme versions, review
opinions, contracts) stored outside static/ through core.media."""
import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner_platform.accounts.models import User
from planner_platform.core.db import Base, TimestampMixin, UTCDateTime, string_enum

MILESTONE_TITLE_MAX = 120
DOCUMENT_TITLE_MAX = 120


class Milestone(TimestampMixin, Base):
    """A step of the work with a due date and an owner (the lead planner, a serving planner or the implementer)."""

    __tablename__ = "project_milestones"
    __table_args__ = (
        Index("ix_project_milestones_project", "project_id", "due_on"),
        #: The beat's scan: undone milestones past due that were not reminded yet.
        Index("ix_project_milestones_due", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(MILESTONE_TITLE_MAX))
    due_on: Mapped[date] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    done_on: Mapped[date | None] = mapped_column(Date)
    #: When the beat told the owner and the lead that it is overdue: it does so once.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    owner: Mapped[User | None] = relationship()

    def is_overdue(self, today: date) -> bool:
        return self.done_on is None and self.due_on < today

    @classmethod
    def overdue_on(cls, today: date):
        """The SQL condition of is_overdue(): one definition for the page, the boards and the reminders."""
        return and_(cls.done_on.is_(None), cls.due_on < today)


class DocumentKind(enum.Enum):
    design_scheme = "design_scheme"
    review_opinion = "review_opinion"
    contract = "contract"
    other = "other"

    @property
    def label(self):
        return DOCUMENT_KIND_LABELS[self]


DOCUMENT_KIND_LABELS = {
    DocumentKind.design_scheme: _l("Design scheme"), DocumentKind.review_opinion: _l("Review opinion"),
    DocumentKind.contract: _l("Contract"), DocumentKind.other: _l("Other document"),
}


class ProjectDocument(TimestampMixin, Base):
    """One version of a document: a PDF (checked by its bytes) or a re-encoded image. A new upload of the same kind
    and title is the next version; public ones are on the public page, the others for those working on it."""

    __tablename__ = "project_documents"
    __table_args__ = (
        UniqueConstraint("project_id", "kind", "title", "version", name="uq_project_documents_version"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("kind <> 'contract' OR NOT public", name="contract_never_public"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
        Index("ix_project_documents_project", "project_id", "kind", "title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[DocumentKind] = mapped_column(string_enum(DocumentKind, "project_document_kind"))
    title: Mapped[str] = mapped_column(String(DOCUMENT_TITLE_MAX))
    version: Mapped[int] = mapped_column(Integer)
    #: Shown on the public project page to everyone (design schemes by default; contracts never).
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    #: "pdf" or "jpg": the stored file's extension, which fixes the type it is served as.
    extension: Mapped[str] = mapped_column(String(8))
    size_bytes: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    uploaded_by: Mapped[User | None] = relationship()
