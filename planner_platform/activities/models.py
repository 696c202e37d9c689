"""Participation activities (参与活动), their registrations, files and outputs, and planners' work logs."""
import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner_platform.accounts.models import User
from planner_platform.areas.models import Place
from planner_platform.core.db import Base, TimestampMixin, UTCDateTime, string_enum, utcnow
from planner_platform.proposals.models import Proposal

TITLE_MAX = 80
DESCRIPTION_MAX = 2000
MINUTES_MAX = 5000
#: A sane ceiling for one activity's capacity and for one group's head count (a typo, not a crowd, beyond it).
HEADCOUNT_MAX = 5000
HOURS_MAX = 24
SUMMARY_MAX = 500


class ActivityState(enum.Enum):
    planned = "planned"
    closed = "closed"
    returned = "returned"
    verified = "verified"

    @property
    def label(self):
        return {ActivityState.planned: _l("Planned"), ActivityState.closed: _l("Held, awaiting verification"),
                ActivityState.returned: _l("Returned for correction"),
                ActivityState.verified: _l("Verified")}[self]


#: The lifecycle (DOMAIN.md §6, planned → held → verified): which state may follow which (None: a new activity).
#: Closing records that it was held; the office verifies the record or returns it for correction.
TRANSITIONS = {
    None: {ActivityState.planned},
    ActivityState.planned: {ActivityState.closed},
    ActivityState.closed: {ActivityState.verified, ActivityState.returned},
    ActivityState.returned: {ActivityState.closed},
    ActivityState.verified: set(),
}
#: States in which the organiser still owes a closing record.
TO_CLOSE = tuple(state for state in ActivityState if ActivityState.closed in TRANSITIONS[state])
#: States of an activity that took place (its closing record exists).
HELD = (ActivityState.closed, ActivityState.verified)

#: Stakeholder groups counted at closing (DOMAIN.md §6): (column, label), in the order of the form and exports.
ATTENDANCE_GROUPS = [
    ("att_residents", _l("Residents")),
    ("att_committee", _l("Residents' committee")),
    ("att_property", _l("Property management")),
    ("att_business", _l("Businesses")),
    ("att_social_org", _l("Social organisations")),
    ("att_government", _l("Government departments")),
    ("att_experts", _l("Experts and students")),
]


class Activity(TimestampMixin, Base):
    __tablename__ = "activities"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity > 0 AND capacity <= 5000", name="capacity_range"),
        CheckConstraint("(lat IS NULL) = (lng IS NULL)", name="point_complete"),
        *(CheckConstraint(f"{column} >= 0 AND {column} <= 5000", name=f"{column}_range")
          for column, _label in ATTENDANCE_GROUPS),
        Index("ix_activities_community_starts", "community_id", "starts_at"),
        Index("ix_activities_public_starts", "public", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    #: One of the district profile's activity types, as it read when the activity was planned.
    activity_type: Mapped[str] = mapped_column(String(40))
    community_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="RESTRICT"))
    venue: Mapped[str] = mapped_column(String(100))
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: Public: on the community page and the calendar, open to residents' registration. Internal: staff only.
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    capacity: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: Shown by the organiser on site (digits and as a QR code); valid from an hour before the start to the end.
    checkin_code: Mapped[str] = mapped_column(String(8))
    state: Mapped[ActivityState] = mapped_column(string_enum(ActivityState, "activity_state"),
                                                 default=ActivityState.planned, index=True)
    att_residents: Mapped[int] = mapped_column(Integer, default=0)
    att_committee: Mapped[int] = mapped_column(Integer, default=0)
    att_property: Mapped[int] = mapped_column(Integer, default=0)
    att_business: Mapped[int] = mapped_column(Integer, default=0)
    att_social_org: Mapped[int] = mapped_column(Integer, default=0)
    att_government: Mapped[int] = mapped_column(Integer, default=0)
    att_experts: Mapped[int] = mapped_column(Integer, default=0)
    minutes: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Why sub-district staff sent the closing record back.
    return_comment: Mapped[str] = mapped_column(Text, default="")
    #: When the registered residents were reminded (once), and the organiser told to close (3 and 7 days after).
    reminded_registrants_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_3_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_7_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Optimistic lock: closing, verifying and returning at once give one success and one conflict.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    community: Mapped[Place] = relationship()
    organiser: Mapped[User | None] = relationship(foreign_keys=[organiser_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    files: Mapped[list["ActivityFile"]] = relationship(order_by="ActivityFile.id", back_populates="activity")
    outputs: Mapped[list["ActivityProposal"]] = relationship(order_by="ActivityProposal.id",
                                                             back_populates="activity")
    history: Mapped[list["ActivityEvent"]] = relationship(order_by="ActivityEvent.id", back_populates="activity")

    @property
    def attendance(self) -> dict[str, int]:
        return {column: getattr(self, column) for column, _label in ATTENDANCE_GROUPS}

    @property
    def attendance_total(self) -> int:
        return sum(self.attendance.values())

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


class ActivityEvent(Base):
    """Every state change of an activity: who, when, from what to what, and the comment that went with it."""

    __tablename__ = "activity_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[ActivityState | None] = mapped_column(string_enum(ActivityState, "activity_from_state"))
    to_state: Mapped[ActivityState] = mapped_column(string_enum(ActivityState, "activity_to_state"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Why the office returned the closing record (empty for the other steps).
    comment: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    activity: Mapped[Activity] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship()


class Registration(Base):
    """A resident's seat at a public activity; one per resident per activity."""

    __tablename__ = "activity_registrations"
    __table_args__ = (UniqueConstraint("activity_id", "user_id", name="uq_activity_registrations_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class FileKind(enum.Enum):
    photo = "photo"
    sign_in_sheet = "sign_in_sheet"


class ActivityFile(TimestampMixin, Base):
    """A photo of the activity or a scan of its paper sign-in sheet, re-encoded and stored outside static/."""

    __tablename__ = "activity_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    kind: Mapped[FileKind] = mapped_column(string_enum(FileKind, "activity_file_kind"))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)

    activity: Mapped[Activity] = relationship(back_populates="files")


class ActivityProposal(Base):
    """An output: a proposal born in the activity (created_here) or an existing one discussed there."""

    __tablename__ = "activity_proposals"
    __table_args__ = (UniqueConstraint("activity_id", "proposal_id", name="uq_activity_proposals_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    created_here: Mapped[bool] = mapped_column(Boolean, default=False)

    activity: Mapped[Activity] = relationship(back_populates="outputs")
    proposal: Mapped[Proposal] = relationship()


class WorkLogKind(enum.Enum):
    on_site = "on_site"
    survey = "survey"
    meeting = "meeting"
    review = "review"
    activity = "activity"

    @property
    def label(self):
        return {WorkLogKind.on_site: _l("On-site"), WorkLogKind.survey: _l("Survey"),
                WorkLogKind.meeting: _l("Meeting"), WorkLogKind.review: _l("Review"),
                WorkLogKind.activity: _l("Activity")}[self]


class WorkLog(TimestampMixin, Base):
    """A planner's record of one piece of work on one day (工作日志)."""

    __tablename__ = "work_logs"
    __table_args__ = (
        CheckConstraint("hours > 0 AND hours <= 24", name="hours_range"),
        Index("ix_work_logs_author_day", "author_id", "work_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="RESTRICT"), index=True)
    work_date: Mapped[date] = mapped_column(Date)
    hours: Mapped[float] = mapped_column(Float)
    kind: Mapped[WorkLogKind] = mapped_column(string_enum(WorkLogKind, "work_log_kind"))
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX))
    #: The activity this work was for; its time then counts once, as the activity (queries.onsite_summary).
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id", ondelete="SET NULL"), index=True)

    author: Mapped[User] = relationship()
    community: Mapped[Place] = relationship()
    activity: Mapped[Activity | None] = relationship()
