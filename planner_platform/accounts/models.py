"""Users, their place-scoped roles, server-side sessions, second factors, consents, their own data exports,
invitations, reset tokens, login throttles, verification codes and the log of staff looks at unmasked contact
details."""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import (JSON, BigInteger, CheckConstraint, Enum, ForeignKey, Index, Integer, String, UniqueConstraint,
                        text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.db import Base, BigId, TimestampMixin, UTCDateTime, string_enum, utcnow
from planner_platform.core.crypto import EncryptedString


class Role(enum.Enum):
    resident = "resident"
    community_worker = "community_worker"
    planner = "planner"
    subdistrict_staff = "subdistrict_staff"
    district_staff = "district_staff"
    city_observer = "city_observer"
    admin = "admin"

    @property
    def label(self):
        return ROLE_LABELS[self]

    @property
    def scope_level(self) -> PlaceLevel:
        """The level of place a grant of this role is scoped to."""
        return ROLE_SCOPE_LEVELS[self]

    @property
    def is_staff(self) -> bool:
        return self is not Role.resident


ROLE_LABELS = {
    Role.resident: _l("Resident"),
    Role.community_worker: _l("Community worker"),
    Role.planner: _l("Community planner"),
    Role.subdistrict_staff: _l("Sub-district staff"),
    Role.district_staff: _l("District staff"),
    Role.city_observer: _l("City observer"),
    Role.admin: _l("Administrator"),
}

ROLE_SCOPE_LEVELS = {
    Role.resident: PlaceLevel.community,
    Role.community_worker: PlaceLevel.community,
    # A planner's grant names the district they may work in; their communities come from assignments.
    Role.planner: PlaceLevel.district,
    Role.subdistrict_staff: PlaceLevel.subdistrict,
    Role.district_staff: PlaceLevel.district,
    Role.city_observer: PlaceLevel.city,
    Role.admin: PlaceLevel.city,
}

_role_enum = Enum(Role, name="role", native_enum=False, create_constraint=True, length=32)


#: The sizes of the interface a person may choose (the larger-text switch); the first is the default.
TEXT_SIZES = ("standard", "large")


class User(UserMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("text_size IN ('standard', 'large')", name="text_size_known"),
        # A deleted account keeps its row (its public proposals and the audit log point at it), without contacts.
        CheckConstraint("phone IS NOT NULL OR email IS NOT NULL OR deleted_at IS NOT NULL", name="has_phone_or_email"),
        CheckConstraint("deleted_at IS NULL OR NOT is_enabled", name="deleted_is_disabled"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Mainland mobile number, digits only (1[3-9]xxxxxxxxx). Shown masked to staff.
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    #: Stored lower-cased so uniqueness is case-insensitive.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    #: The interface's text size the person chose (one of TEXT_SIZES); None until they choose, and then the
    #: browser's own choice (a cookie) applies.
    text_size: Mapped[str | None] = mapped_column(String(10))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set when the person asked for the account to be deleted: the daily job deletes it then, unless cancelled.
    deletion_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set when the account was deleted: name and contacts are gone, pages say "Deleted user".
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    grants: Mapped[list["RoleGrant"]] = relationship(
        primaryjoin="and_(User.id == RoleGrant.user_id, RoleGrant.revoked_at.is_(None))",
        viewonly=True, lazy="selectin")
    #: Every grant the account ever held, ended ones too: a disabled former staff member stays in the jurisdiction
    #: of the offices that appointed them, so that they can find, enable and appoint the account again.
    held_grants: Mapped[list["RoleGrant"]] = relationship(primaryjoin="User.id == RoleGrant.user_id", viewonly=True,
                                                          lazy="select")

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled accounts cannot log in
        return self.is_enabled

    @property
    def roles(self) -> set[Role]:
        return {grant.role for grant in self.grants}

    @property
    def is_staff(self) -> bool:
        return any(role.is_staff for role in self.roles)

    @property
    def home_community(self) -> Place | None:
        """The community a resident registered in (their resident grant's place)."""
        return next((g.place for g in self.grants if g.role is Role.resident), None)

    def __repr__(self):
        return f"<User {self.id} {self.display_name}>"


class RoleGrant(TimestampMixin, Base):
    """A role held over one place; revoked grants are kept for the record."""

    __tablename__ = "role_grants"
    __table_args__ = (
        # One live grant of a role per user and place; revoked ones stay as history.
        Index("uq_role_grants_live", "user_id", "role", "place_id", unique=True,
              postgresql_where=text("revoked_at IS NULL"), sqlite_where=text("revoked_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(_role_enum)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="RESTRICT"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    place: Mapped[Place] = relationship(lazy="joined")


class UserSession(TimestampMixin, Base):
    """A server-side login session: logout or a password change revokes it, so a copied cookie dies too."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the random token kept in the signed session cookie.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When the password was last entered in this session (login or confirmation): sensitive changes need it recent.
    password_verified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship()


class MfaSettings(TimestampMixin, Base):
    """A user's authenticator (TOTP): its secret once enrolment began, when it was confirmed, the last time step
    accepted (a code works once), and the logins a staff member made before enrolling (the grace)."""

    __tablename__ = "mfa_settings"
    __table_args__ = (
        CheckConstraint("confirmed_at IS NULL OR secret IS NOT NULL", name="confirmed_has_secret"),
        CheckConstraint("grace_logins_used >= 0", name="grace_logins_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    #: Base32 TOTP secret, encrypted at rest (DATA_ENCRYPTION_KEYS); None until the user opens the enrolment page.
    secret: Mapped[str | None] = mapped_column(EncryptedString(64))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The TOTP time step (30 s) of the last code accepted: only later steps are accepted afterwards.
    last_counter: Mapped[int | None] = mapped_column(BigInteger)
    grace_logins_used: Mapped[int] = mapped_column(Integer, default=0)


class MfaRecoveryCode(TimestampMixin, Base):
    """A one-time recovery code, stored as an HMAC bound to its user; used codes keep their time of use."""

    __tablename__ = "mfa_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Consent(Base):
    """A versioned record of consent to a purpose (PIPL Art. 14–15); withdrawal is stamped, never deleted."""

    __tablename__ = "consents"
    __table_args__ = (
        CheckConstraint("purpose IN ('account', 'sms', 'name_publication', 'research')", name="known_purpose"),
        # One live consent per person and purpose; given again after a withdrawal, it is a new row.
        Index("uq_consents_live", "user_id", "purpose", unique=True, postgresql_where=text("withdrawn_at IS NULL"),
              sqlite_where=text("withdrawn_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: "account" (registration and privacy notice), "sms" (text-message notices), "name_publication" (the full
    #: name on one's proposals), "research" (anonymised research use): accounts.consents.PURPOSES.
    purpose: Mapped[str] = mapped_column(String(32))
    policy_version: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: How consent was given: "web", "invitation", "offline" (entered by a community worker), "seed" (demo data).
    channel: Mapped[str] = mapped_column(String(16))


class DataExportState(enum.Enum):
    queued = "queued"
    running = "running"
    ready = "ready"
    failed = "failed"
    #: The link's time is over and the file is deleted.
    expired = "expired"


class DataExport(Base):
    """A person's copy of their own data (PIPL Art. 45), built by a worker into a ZIP that only they may download,
    from the session that asked for it, until it expires."""

    __tablename__ = "data_exports"
    __table_args__ = (
        # A second click while the first copy is being built joins it.
        Index("uq_data_exports_active", "user_id", unique=True, postgresql_where=text("state IN ('queued', 'running')"),
              sqlite_where=text("state IN ('queued', 'running')")),
        CheckConstraint("sections_done >= 0 AND sections_done <= sections_total", name="progress_range"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The session that asked: the link works in it alone (a copied link or a stolen password on another device
    #: does not fetch the file). Cleared when the session row is purged, which ends the link too.
    session_id: Mapped[int | None] = mapped_column(ForeignKey("user_sessions.id", ondelete="SET NULL"))
    state: Mapped[DataExportState] = mapped_column(string_enum(DataExportState, "data_export_state"),
                                                   default=DataExportState.queued)
    sections_total: Mapped[int] = mapped_column(Integer, default=0)
    sections_done: Mapped[int] = mapped_column(Integer, default=0)
    #: The file's random name in EXPORT_FOLDER and its size.
    stored_name: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Moves with every section written: a running build that stops moving has lost its worker.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def percent(self) -> int:
        return 0 if self.sections_total == 0 else self.sections_done * 100 // self.sections_total


class Invitation(TimestampMixin, Base):
    """An expiring, single-use invitation that creates a staff account with one role grant."""

    __tablename__ = "invitations"
    __table_args__ = (CheckConstraint("phone IS NOT NULL OR email IS NOT NULL", name="has_phone_or_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(_role_enum)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="RESTRICT"))
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    place: Mapped[Place] = relationship()
    invited_by: Mapped[User] = relationship(foreign_keys=[invited_by_id])


class PasswordResetToken(TimestampMixin, Base):
    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class LoginThrottle(Base):
    """Failed logins per login identifier, whether or not an account uses it, so the lockout tells nothing apart."""

    __tablename__ = "login_throttles"
    __table_args__ = (CheckConstraint("failure_count >= 0", name="failure_count_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: HMAC of the normalised phone number or email address: the table holds no contact details.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    failure_count: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CodePurpose(enum.Enum):
    register = "register"
    phone = "phone"
    email = "email"


class VerificationCode(Base):
    """The one live code per purpose and address (a phone number or email): expiring, single use, attempts counted.

    Only HMACs are stored, of the address and of the code, so a copy of the table reveals neither.
    """

    __tablename__ = "verification_codes"
    __table_args__ = (
        UniqueConstraint("purpose", "target_hash", name="uq_verification_codes_target"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint("sends > 0", name="sends_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[CodePurpose] = mapped_column(string_enum(CodePurpose, "code_purpose"))
    target_hash: Mapped[str] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Codes sent to the address since sends_since (a day at most): the cap on messages to one number.
    sends: Mapped[int] = mapped_column(Integer, default=1)
    sends_since: Mapped[datetime] = mapped_column(UTCDateTime)


class PiiPurpose(enum.Enum):
    """Why a staff member needed a full phone number or email (PIPL Art. 6: a stated purpose for each use)."""
    handle_case = "handle_case"
    verify_identity = "verify_identity"
    roster_upkeep = "roster_upkeep"
    other = "other"

    @property
    def label(self):
        return PII_PURPOSE_LABELS[self]


PII_PURPOSE_LABELS = {
    PiiPurpose.handle_case: _l("Contact the person about their case"),
    PiiPurpose.verify_identity: _l("Verify the person's identity"),
    PiiPurpose.roster_upkeep: _l("Keep the roster up to date"),
    PiiPurpose.other: _l("Other (say which)"),
}


class PiiAccess(Base):
    """One look at a person's unmasked contact details by a staff member, with its purpose (SECURITY.md §3).

    Append-only (triggers in the migrations), except that deleting an account blanks `subject_name` in the rows
    about it. The subject is named as it was then, since a planner or a resident entered on a proposal may have no
    account; `place` is the record's area, which the log is listed by.
    """

    __tablename__ = "pii_accesses"
    __table_args__ = (
        CheckConstraint("purpose <> 'other' OR length(note) > 0", name="other_purpose_explained"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    #: The role through which the actor could see the record's area.
    actor_role: Mapped[Role] = mapped_column(Enum(Role, name="actor_role", native_enum=False,
                                                  create_constraint=True, length=32))
    #: The table and id of the record shown: "users", "planner_profiles", "proposals".
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(Integer)
    subject_name: Mapped[str] = mapped_column(String(50))
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="RESTRICT"), index=True)
    #: The fields shown in full, e.g. ["phone", "email"].
    fields: Mapped[list] = mapped_column(JSON)
    purpose: Mapped[PiiPurpose] = mapped_column(string_enum(PiiPurpose, "purpose"))
    note: Mapped[str] = mapped_column(String(200), default="")
    ip: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped[User] = relationship(foreign_keys=[actor_id])
    place: Mapped[Place] = relationship()
