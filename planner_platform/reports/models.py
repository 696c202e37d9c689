"""The planner team's monthly report (规划师团队月报): drafted from the record on the 1st, completed and submitted by
the team, accepted or returned by the street office. One report per holder (a team, or a planner holding a term in
their own name), sub-district and month; the history keeps every step."""
import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner_platform.accounts.models import User
from planner_platform.areas.models import Place
from planner_platform.core.db import Base, TimestampMixin, UTCDateTime, string_enum
from planner_platform.planners.models import PlannerProfile, Team


class ReportState(enum.Enum):
    draft = "draft"
    submitted = "submitted"
    returned = "returned"
    accepted = "accepted"

    @property
    def label(self):
        return {ReportState.draft: _l("Draft"), ReportState.submitted: _l("Submitted"),
                ReportState.returned: _l("Returned"), ReportState.accepted: _l("Accepted")}[self]


#: Which state may follow which (core.transitions). An accepted report is final.
TRANSITIONS = {
    None: {ReportState.draft},
    ReportState.draft: {ReportState.submitted},
    ReportState.submitted: {ReportState.accepted, ReportState.returned},
    ReportState.returned: {ReportState.submitted},
    ReportState.accepted: set(),
}
#: States in which the team may still change the text and refresh the figures.
EDITABLE = (ReportState.draft, ReportState.returned)
#: The sections of the figures, each with a note the team may add.
SECTIONS = {"onsite": _l("On-site time"), "activities": _l("Participation activities"),
            "proposals": _l("Residents' proposals"), "projects": _l("Renewal projects")}


class TeamReport(TimestampMixin, Base):
    __tablename__ = "team_reports"
    __table_args__ = (
        CheckConstraint("(team_id IS NULL) <> (planner_id IS NULL)", name="team_or_planner"),
        UniqueConstraint("team_id", "subdistrict_id", "month", name="uq_team_reports_team_month"),
        UniqueConstraint("planner_id", "subdistrict_id", "month", name="uq_team_reports_planner_month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="RESTRICT"), index=True)
    planner_id: Mapped[int | None] = mapped_column(ForeignKey("planner_profiles.id", ondelete="RESTRICT"),
                                                   index=True)
    #: The street office the report goes to: the communities served there are the report's.
    subdistrict_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="RESTRICT"), index=True)
    #: The first day of the month reported on.
    month: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[ReportState] = mapped_column(string_enum(ReportState, "report_state"), default=ReportState.draft)
    #: The figures as read from the monitoring's summaries (reports.figures), kept as they were read.
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    figures_at: Mapped[datetime] = mapped_column(UTCDateTime)
    plan: Mapped[str] = mapped_column(Text, default="")
    escalations: Mapped[str] = mapped_column(Text, default="")
    #: The team's note on each section of figures: {section: text}.
    notes: Mapped[dict] = mapped_column(JSON, default=dict)
    due_on: Mapped[date] = mapped_column(Date)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The last deadline reminder sent, so a reminder goes once per day at most.
    reminded_on: Mapped[date | None] = mapped_column(Date)
    #: Optimistic lock: the team saving and the office deciding at once get one success and one conflict.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    team: Mapped[Team | None] = relationship()
    planner: Mapped[PlannerProfile | None] = relationship()
    subdistrict: Mapped[Place] = relationship()
    history: Mapped[list["TeamReportEvent"]] = relationship(order_by="TeamReportEvent.id", back_populates="report",
                                                            cascade="all, delete-orphan")

    @property
    def holder_name(self) -> str:
        return self.team.name if self.team else self.planner.name


class TeamReportEvent(Base):
    """One step of a report: drafted, submitted, returned (with the office's comment), accepted."""

    __tablename__ = "team_report_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("team_reports.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[ReportState | None] = mapped_column(string_enum(ReportState, "report_from_state"))
    to_state: Mapped[ReportState] = mapped_column(string_enum(ReportState, "report_to_state"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    comment: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)

    report: Mapped[TeamReport] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship()
