"""Organisations, planners, teams, per-district policy profiles and assignments (聘任) of planners to communities."""
import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, text, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner_platform.accounts.models import User
from planner_platform.areas.models import Place
from planner_platform.core.db import Base, TimestampMixin, UTCDateTime, string_enum, utcnow


class OrganisationType(enum.Enum):
    design_institute = "design_institute"
    university = "university"
    firm = "firm"
    social_org = "social_org"

    @property
    def label(self):
        return {OrganisationType.design_institute: _l("Design institute"), OrganisationType.university: _l(
            "University"), OrganisationType.firm: _l("Firm"), OrganisationType.social_org: _l(
            "Social organisation")}[self]


class PlannerType(enum.Enum):
    institute = "institute"
    university = "university"
    firm = "firm"
    social_org = "social_org"
    volunteer = "volunteer"
    resident = "resident"
    expert = "expert"

    @property
    def label(self):
        return PLANNER_TYPE_LABELS[self]


PLANNER_TYPE_LABELS = {
    PlannerType.institute: _l("Design institute planner"), PlannerType.university: _l("University partner"),
    PlannerType.firm: _l("Firm planner"), PlannerType.social_org: _l("Social organisation"),
    PlannerType.volunteer: _l("Volunteer planner"), PlannerType.resident: _l("Resident planner"),
    PlannerType.expert: _l("Expert"),
}


class Organisation(TimestampMixin, Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    org_type: Mapped[OrganisationType] = mapped_column(string_enum(OrganisationType, "organisation_type"))
    #: The district whose roster lists it (organisations often serve several; this is who maintains the record).
    district_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="RESTRICT"), index=True)

    district: Mapped[Place] = relationship()


class PlannerProfile(TimestampMixin, Base):
    __tablename__ = "planner_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The planner's own login, when they have one; a profile can exist before the account does.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    planner_type: Mapped[PlannerType] = mapped_column(string_enum(PlannerType, "planner_type"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"),
                                                        index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="RESTRICT"), index=True)
    qualifications: Mapped[str] = mapped_column(Text, default="")
    #: Expertise tags, e.g. ["适老化", "公共空间"].
    expertise: Mapped[list] = mapped_column(JSON, default=list)
    full_time: Mapped[bool] = mapped_column(default=False)
    #: Contact shown to residents and most staff only masked.
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))

    user: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    district: Mapped[Place] = relationship()


class TeamMemberRole(enum.Enum):
    lead = "lead"
    core = "core"
    assistant = "assistant"
    mentor = "mentor"
    student = "student"

    @property
    def label(self):
        return {TeamMemberRole.lead: _l("Team lead"), TeamMemberRole.core: _l("Core member"),
                TeamMemberRole.assistant: _l("Assistant"), TeamMemberRole.mentor: _l("Mentor"),
                TeamMemberRole.student: _l("Student")}[self]


class Team(TimestampMixin, Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    district_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="RESTRICT"), index=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("planner_profiles.id", ondelete="RESTRICT"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))

    lead: Mapped[PlannerProfile] = relationship(foreign_keys=[lead_id])
    organisation: Mapped[Organisation | None] = relationship()
    district: Mapped[Place] = relationship()
    members: Mapped[list["TeamMember"]] = relationship(back_populates="team", cascade="all, delete-orphan",
                                                       order_by="TeamMember.id")
    __table_args__ = (UniqueConstraint("district_id", "name", name="uq_teams_district_name"),)


class TeamMember(Base):
    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("team_id", "planner_id", name="uq_team_members_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    planner_id: Mapped[int] = mapped_column(ForeignKey("planner_profiles.id", ondelete="RESTRICT"), index=True)
    member_role: Mapped[TeamMemberRole] = mapped_column(string_enum(TeamMemberRole, "team_member_role"))

    team: Mapped[Team] = relationship(back_populates="members")
    planner: Mapped[PlannerProfile] = relationship()


class AppointingLevel(enum.Enum):
    subdistrict = "subdistrict"
    district = "district"


class PolicyProfile(Base):
    """A district's rules: data edited by district staff, read by every feature (never constants in code)."""

    __tablename__ = "policy_profiles"
    __table_args__ = (
        CheckConstraint("term_months BETWEEN 1 AND 120", name="term_months_range"),
        CheckConstraint("max_communities_per_lead >= 1", name="max_communities_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"), unique=True)
    term_months: Mapped[int] = mapped_column(Integer, default=24)
    #: Who appoints planners: the street office ("subdistrict") or only the district.
    appointing_level: Mapped[AppointingLevel] = mapped_column(string_enum(AppointingLevel, "appointing_level"),
                                                              default=AppointingLevel.subdistrict)
    allowed_planner_types: Mapped[list] = mapped_column(JSON, default=lambda: [t.value for t in PlannerType])
    max_communities_per_lead: Mapped[int] = mapped_column(Integer, default=3)
    proposal_categories: Mapped[list] = mapped_column(JSON, default=list)
    activity_types: Mapped[list] = mapped_column(JSON, default=list)
    #: Working days per proposal step, e.g. {"accept": 3, "reply": 15}.
    response_deadlines: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Proposal rules, e.g. {"max_photos": 4, "hide_after_reports": 3, "hide_proposal_after_reports": 5,
    #: "auto_close_days": 14}.
    proposal_rules: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    #: Project rules, e.g. {"public_notice_min_days": 7, "post_evaluation_months": 12}.
    project_stage_rules: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Monthly report rules, e.g. {"report_day": 3, "team_due_day": 5, "remind_days_before": 2}: the day of the
    #: month the sub-district and district reports of the previous month are generated, the day team reports are
    #: due and how many days before it the teams are reminded (planners.services.report_rules_for).
    report_rules: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    district: Mapped[Place] = relationship()

    @classmethod
    def with_defaults(cls, district: Place) -> "PolicyProfile":
        """An unsaved profile holding the defaults, for a district that has not set its own rules yet."""
        return cls(district_id=district.id, district=district, term_months=24,
                   appointing_level=AppointingLevel.subdistrict,
                   allowed_planner_types=[t.value for t in PlannerType], max_communities_per_lead=3,
                   proposal_categories=[], activity_types=[], response_deadlines={}, proposal_rules={},
                   project_stage_rules={}, report_rules={})


class AssignmentRole(enum.Enum):
    lead = "lead"
    assistant = "assistant"

    @property
    def label(self):
        return _l("Lead planner") if self is AssignmentRole.lead else _l("Assistant planner")


class AssignmentState(enum.Enum):
    appointed = "appointed"
    active = "active"
    suspended = "suspended"
    expired = "expired"
    renewed = "renewed"
    terminated = "terminated"

    @property
    def label(self):
        return ASSIGNMENT_STATE_LABELS[self]


ASSIGNMENT_STATE_LABELS = {
    AssignmentState.appointed: _l("Appointed"), AssignmentState.active: _l("Serving"),
    AssignmentState.suspended: _l("Suspended (rectification)"), AssignmentState.expired: _l("Expired"),
    AssignmentState.renewed: _l("Renewed"), AssignmentState.terminated: _l("Terminated"),
}

#: The lifecycle (DOMAIN.md §4): which state may follow which (None: a new term).
TRANSITIONS = {
    None: {AssignmentState.appointed},
    AssignmentState.appointed: {AssignmentState.active, AssignmentState.terminated},
    AssignmentState.active: {AssignmentState.expired, AssignmentState.renewed, AssignmentState.terminated,
                             AssignmentState.suspended},
    AssignmentState.suspended: {AssignmentState.active, AssignmentState.terminated},
    AssignmentState.expired: {AssignmentState.renewed},
    AssignmentState.renewed: set(),
    AssignmentState.terminated: set(),
}
HOLDING_STATES = (AssignmentState.appointed, AssignmentState.active, AssignmentState.suspended)


class Assignment(TimestampMixin, Base):
    """One term of a planner or team in one community. Never overwritten: a renewal is a new row.

    At most one lead per community at any moment: the lead rows of a community may not have overlapping
    [start_on, occupied_until) periods. PostgreSQL enforces it with an exclusion constraint, SQLite with
    triggers (both in the migration), so even raw SQL cannot break it.
    """

    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint("(planner_id IS NULL) <> (team_id IS NULL)", name="planner_or_team"),
        CheckConstraint("end_on > start_on", name="term_ends_after_start"),
        CheckConstraint("occupied_until >= start_on AND occupied_until <= end_on", name="occupied_within_term"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="RESTRICT"), index=True)
    planner_id: Mapped[int | None] = mapped_column(ForeignKey("planner_profiles.id", ondelete="RESTRICT"),
                                                   index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="RESTRICT"), index=True)
    role: Mapped[AssignmentRole] = mapped_column(string_enum(AssignmentRole, "assignment_role"))
    state: Mapped[AssignmentState] = mapped_column(string_enum(AssignmentState, "assignment_state"), index=True)
    start_on: Mapped[date] = mapped_column(Date)
    #: The end of the term as appointed.
    end_on: Mapped[date] = mapped_column(Date)
    #: The end of the period the post is held: end_on, or the termination date if it ended early.
    occupied_until: Mapped[date] = mapped_column(Date)
    appointing_body: Mapped[str] = mapped_column(String(120))
    contract_ref: Mapped[str] = mapped_column(String(64), default="")
    #: The term this one renews.
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="RESTRICT"), unique=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    #: Rectification deadline while suspended.
    rectify_by: Mapped[date | None] = mapped_column(Date)
    appointed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reminded_90_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_30_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Optimistic lock: two officers acting on the same term at once get one success and one conflict.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    community: Mapped[Place] = relationship()
    planner: Mapped[PlannerProfile | None] = relationship()
    team: Mapped[Team | None] = relationship()
    previous: Mapped["Assignment | None"] = relationship(remote_side=[id])
    history: Mapped[list["AssignmentEvent"]] = relationship(order_by="AssignmentEvent.id",
                                                            back_populates="assignment")

    @property
    def holder_name(self) -> str:
        return self.planner.name if self.planner else self.team.name


class AssignmentEvent(Base):
    """Every state change of an assignment: who, when, from what to what, and why."""

    __tablename__ = "assignment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[AssignmentState | None] = mapped_column(string_enum(AssignmentState, "from_state"))
    to_state: Mapped[AssignmentState] = mapped_column(string_enum(AssignmentState, "to_state"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assignment: Mapped[Assignment] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship()
