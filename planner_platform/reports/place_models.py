"""Monthly reports of a sub-district or a district: the period they cover, how far their build has come and their two
files (a PDF to print, an XLSX to reuse the figures), each with its size and content hash.

A scheduled report (beat, on the district's report day) is one per place and month: a partial unique index makes a
second beat, or the job run twice, insert nothing. A report asked for a custom period (requested_by) is built the
same way but only its requester downloads it, until it expires.
"""
import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner_platform.accounts.models import User
from planner_platform.areas.models import Place
from planner_platform.core.db import Base, BigId, UTCDateTime, string_enum, utcnow


class PlaceReportState(enum.Enum):
    queued = "queued"
    running = "running"
    ready = "ready"
    failed = "failed"
    #: An on-demand report whose link is over: its files are deleted.
    expired = "expired"


FILE_KINDS = ("pdf", "xlsx")
#: Builds of one report, the first included: the task retries a failed one until then.
MAX_ATTEMPTS = 3


class PlaceReport(Base):
    """One report of a place over whole months, and its files once both are written."""

    __tablename__ = "place_reports"
    __table_args__ = (
        # The scheduled report of a place and month exists once, however many beats or reruns ask for it.
        Index("uq_place_reports_monthly", "place_id", "first_month", unique=True,
              postgresql_where=text("scheduled"), sqlite_where=text("scheduled")),
        Index("ix_place_reports_place_month", "place_id", "first_month"),
        CheckConstraint("last_month >= first_month", name="period_order"),
        CheckConstraint("NOT scheduled OR (period_kind = 'month' AND first_month = last_month)",
                        name="scheduled_is_monthly"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"))
    #: True for the beat's monthly report; False for one asked for a custom period (requested_by).
    scheduled: Mapped[bool] = mapped_column(Boolean, default=False)
    period_kind: Mapped[str] = mapped_column(String(16))
    #: The first days of the period's first and last months.
    first_month: Mapped[date] = mapped_column(Date)
    last_month: Mapped[date] = mapped_column(Date)
    state: Mapped[PlaceReportState] = mapped_column(string_enum(PlaceReportState, "place_report_state"),
                                                    default=PlaceReportState.queued)
    #: Percent of the build done (figures, charts, PDF, XLSX), for the progress page.
    progress: Mapped[int] = mapped_column(Integer, default=0)
    #: The language the report is written in (the requester's, or the platform's default for scheduled ones).
    locale: Mapped[str] = mapped_column(String(10))
    #: The files' random names in REPORT_FOLDER, their sizes and their SHA-256 (hex): set only once both are whole.
    pdf_name: Mapped[str | None] = mapped_column(String(64))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_bytes: Mapped[int | None] = mapped_column(BigInteger)
    xlsx_name: Mapped[str | None] = mapped_column(String(64))
    xlsx_sha256: Mapped[str | None] = mapped_column(String(64))
    xlsx_bytes: Mapped[int | None] = mapped_column(BigInteger)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Moves with every step of the build: a running report that stops moving has lost its worker (the sweep).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: On-demand reports only: the link stops working then, and the sweep deletes the files.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str] = mapped_column(String(500), default="")
    #: Builds started (a claim counts one): bounded by MAX_ATTEMPTS.
    attempts: Mapped[int] = mapped_column(Integer, default=0)

    place: Mapped[Place] = relationship()
    requested_by: Mapped[User | None] = relationship()

    @property
    def exhausted(self) -> bool:
        """Failed on every attempt: no retry will come unless someone asks for one."""
        return self.state is PlaceReportState.failed and self.attempts >= MAX_ATTEMPTS

    def stored_name(self, kind: str) -> str | None:
        return self.pdf_name if kind == "pdf" else self.xlsx_name

    def size(self, kind: str) -> int | None:
        return self.pdf_bytes if kind == "pdf" else self.xlsx_bytes

    def sha256(self, kind: str) -> str | None:
        return self.pdf_sha256 if kind == "pdf" else self.xlsx_sha256
