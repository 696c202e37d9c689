"""Summary tables of the monitoring dashboards, and the marks that say which of their rows are stale.

Every summary row belongs to one community (or, for on-site time, one planner) and holds counts and sums only, so
that a sub-district, a district or the city is the SUM of the rows of the communities inside it (`places.path`)
and every rate is computed from summed numerators and denominators (monitoring.indicators). The rows are derived
data: `flask stats rebuild` recomputes all of them from the base tables, `monitoring.refresh` (beat, every
minute) recomputes those of the communities and planners marked dirty by the transactions that changed them
(monitoring.marks). Nothing here is ever edited by hand.

Beside them, ExportJob: a list too long to download at once, built into a file by a worker for the one who asked.
"""
import enum
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner_platform.areas.models import Place
from planner_platform.core.db import Base, BigId, UTCDateTime, string_enum, utcnow
from planner_platform.projects.models import Stage

#: The attendance columns of an activity, summed per community and month (activities.models.ATTENDANCE_GROUPS).
ATTENDANCE_COLUMNS = ("att_residents", "att_committee", "att_property", "att_business", "att_social_org",
                      "att_government", "att_experts")
#: The response-time histogram stops here: a bucket of this many working days holds "this many or more".
RESPONSE_DAYS_CAP = 30


def _community_fk():
    return mapped_column(ForeignKey("places.id", ondelete="CASCADE"), primary_key=True)


class CommunityMonth(Base):
    """What happened in one community in one local month (Asia/Shanghai): one row per (community, month) with
    anything to count. The month each count falls in is the indicator's period rule (monitoring.indicators)."""

    __tablename__ = "stats_community_month"

    community_id: Mapped[int] = _community_fk()
    #: The first day of the local month.
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    received: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    decided: Mapped[int] = mapped_column(Integer, default=0)
    adopted: Mapped[int] = mapped_column(Integer, default=0)
    #: Decisions that take the need up: adopted or referred to the department that owns it.
    resolved: Mapped[int] = mapped_column(Integer, default=0)
    rated: Mapped[int] = mapped_column(Integer, default=0)
    #: Ratings of 4 or 5 stars.
    satisfied: Mapped[int] = mapped_column(Integer, default=0)
    #: First responses on or before the acceptance deadline, by the month of the deadline.
    responded_in_time: Mapped[int] = mapped_column(Integer, default=0)
    responded_late: Mapped[int] = mapped_column(Integer, default=0)
    activities_held: Mapped[int] = mapped_column(Integer, default=0)
    att_residents: Mapped[int] = mapped_column(Integer, default=0)
    att_committee: Mapped[int] = mapped_column(Integer, default=0)
    att_property: Mapped[int] = mapped_column(Integer, default=0)
    att_business: Mapped[int] = mapped_column(Integer, default=0)
    att_social_org: Mapped[int] = mapped_column(Integer, default=0)
    att_government: Mapped[int] = mapped_column(Integer, default=0)
    att_experts: Mapped[int] = mapped_column(Integer, default=0)
    reviews_signed: Mapped[int] = mapped_column(Integer, default=0)
    #: Sum over the signed opinions of (signed_at − the review round's start), whole seconds.
    review_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Spending entries of the community's projects by the month of their spent_on (a date), in fen.
    spent_fen: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class ActivityTypeMonth(Base):
    """Activities held per community, local month of their start, and type (the district's own type names)."""

    __tablename__ = "stats_activity_type_month"

    community_id: Mapped[int] = _community_fk()
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    activity_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    activities: Mapped[int] = mapped_column(Integer, default=0)
    participants: Mapped[int] = mapped_column(Integer, default=0)


class CategoryMonth(Base):
    """Proposals per community, local month and category (the district's own category names): received by the
    month of submission, decided and adopted by the month of the decision, as in stats_community_month."""

    __tablename__ = "stats_category_month"

    community_id: Mapped[int] = _community_fk()
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    received: Mapped[int] = mapped_column(Integer, default=0)
    decided: Mapped[int] = mapped_column(Integer, default=0)
    adopted: Mapped[int] = mapped_column(Integer, default=0)


class ResponseDays(Base):
    """A histogram: proposals first answered in the month, by working days from receipt to the first answer
    (capped at RESPONSE_DAYS_CAP). Medians over any set of places and months come from the summed histogram."""

    __tablename__ = "stats_response_days"

    community_id: Mapped[int] = _community_fk()
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    working_days: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposals: Mapped[int] = mapped_column(Integer, default=0)


class OpenDue(Base):
    """Proposals waiting for the office now, per community, deadline day and step ("accept": not answered yet;
    "reply": accepted, being assessed or consulted). Overdue as of any day is the sum over earlier deadlines,
    so the count moves on at midnight without any row changing."""

    __tablename__ = "stats_open_due"

    community_id: Mapped[int] = _community_fk()
    due_on: Mapped[date] = mapped_column(Date, primary_key=True)
    step: Mapped[str] = mapped_column(String(8), primary_key=True)
    proposals: Mapped[int] = mapped_column(Integer, default=0)


class ProjectStage(Base):
    """Projects per community by their current stage; the sum of their stage_since days (days since 1970-01-01)
    gives the mean time in stage on any day: today − sum / projects."""

    __tablename__ = "stats_project_stage"

    community_id: Mapped[int] = _community_fk()
    stage: Mapped[Stage] = mapped_column(string_enum(Stage, "stats_project_stage"), primary_key=True)
    projects: Mapped[int] = mapped_column(Integer, default=0)
    since_day_sum: Mapped[int] = mapped_column(BigInteger, default=0)


class CommunityBudget(Base):
    """The money of a community's projects today: approved by their funding sources and spent to date (the
    funding rows' spent_fen, which the database keeps equal to the sum of the spending entries), in fen."""

    __tablename__ = "stats_budget"

    community_id: Mapped[int] = _community_fk()
    approved_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    spent_fen: Mapped[int] = mapped_column(BigInteger, default=0)


class MilestoneDue(Base):
    """Milestones not done, per community of their project and due day. Overdue as of any day is the sum over
    earlier due days (projects.models.Milestone.overdue_on), so the count moves on at midnight by itself."""

    __tablename__ = "stats_milestone_due"

    community_id: Mapped[int] = _community_fk()
    due_on: Mapped[date] = mapped_column(Date, primary_key=True)
    milestones: Mapped[int] = mapped_column(Integer, default=0)


class CommunityCoverage(Base):
    """Every community's planners today: a serving lead (0/1), serving assistants, appointments not yet begun.
    Terms begin and end by the calendar, so the refresh recomputes all rows once a day as well."""

    __tablename__ = "stats_coverage"

    community_id: Mapped[int] = _community_fk()
    has_lead: Mapped[int] = mapped_column(Integer, default=0)
    assistants: Mapped[int] = mapped_column(Integer, default=0)
    pending_appointments: Mapped[int] = mapped_column(Integer, default=0)


class PlannerMonth(Base):
    """A planner's on-site days and hours in a local month, as activities.queries.onsite_summary defines them.
    Planner time is not split between communities: it counts for the district whose roster holds the planner
    (read from the planner profile at query time, so a move to another roster needs no recomputation)."""

    __tablename__ = "stats_planner_month"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    onsite_days: Mapped[int] = mapped_column(Integer, default=0)
    hours: Mapped[float] = mapped_column(Float, default=0)


class ResponseFact(Base):
    """One answered proposal: its acceptance deadline and the working days it took (computed in Python from the
    working calendar, which SQL cannot do portably), the input of the response indicators."""

    __tablename__ = "stats_proposal_response"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"), index=True)
    deadline_on: Mapped[date] = mapped_column(Date)
    responded_on: Mapped[date] = mapped_column(Date)
    working_days: Mapped[int] = mapped_column(Integer)


class DirtyCommunity(Base):
    """A community whose summary rows are stale. `version` grows with every new mark, so the refresh removes
    only the marks it has seen (a change committed meanwhile keeps its mark for the next run)."""

    __tablename__ = "stats_dirty_communities"

    community_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)


class DirtyPlannerMonth(Base):
    """A planner's month whose on-site time is stale."""

    __tablename__ = "stats_dirty_planner_months"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)


class StatsState(Base):
    """Small facts about the refresh itself, e.g. the local day the coverage rows were last computed for."""

    __tablename__ = "stats_state"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(100))


class ExportState(enum.Enum):
    queued = "queued"
    running = "running"
    ready = "ready"
    failed = "failed"
    #: The download period is over and the file is deleted.
    expired = "expired"


#: States of a job still being worked on: one such job per requester and list (the partial unique index).
ACTIVE_EXPORT_STATES = (ExportState.queued, ExportState.running)


class ExportJob(Base):
    """A list of records exported in the background: what was asked (the place, the list and its filters, the
    period), how far the worker has come, and the file, which only the requester may download until it expires."""

    __tablename__ = "export_jobs"
    __table_args__ = (
        # A second click while the first file is being built joins it instead of building it twice.
        Index("uq_export_jobs_active", "requester_id", "fingerprint", unique=True,
              postgresql_where=text("state IN ('queued', 'running')"),
              sqlite_where=text("state IN ('queued', 'running')")),
        CheckConstraint("file_kind IN ('csv', 'xlsx')", name="file_kind"),
        CheckConstraint("rows_done >= 0 AND rows_done <= rows_total", name="progress_range"),
        CheckConstraint("last_month >= first_month", name="period_order"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"))
    #: The list (monitoring.records kinds), its own filters ({"activity_type": ..., "stage": ...}) and the period.
    list_kind: Mapped[str] = mapped_column(String(40))
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    period_kind: Mapped[str] = mapped_column(String(16))
    first_month: Mapped[date] = mapped_column(Date)
    last_month: Mapped[date] = mapped_column(Date)
    file_kind: Mapped[str] = mapped_column(String(8))
    #: The requester's language when asking: the file's headings and labels are written in it.
    locale: Mapped[str] = mapped_column(String(10))
    #: What was asked, hashed: the same list of the same place, period and format asked twice is the same job.
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[ExportState] = mapped_column(string_enum(ExportState, "export_state"), default=ExportState.queued)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    #: The file's random name in EXPORT_FOLDER (never derived from the request) and its size.
    stored_name: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Moves with every batch written: a running job that stops moving has lost its worker (tasks.sweep_exports).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    place: Mapped[Place] = relationship()

    @property
    def percent(self) -> int:
        return 100 if self.rows_total == 0 else self.rows_done * 100 // self.rows_total
