"""Resident renewal proposals (居民提案): the proposal, its history, supports, comments, notes and photos."""
import enum
from datetime import date, datetime
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import (BigInteger, CheckConstraint, Date, Float, ForeignKey, ForeignKeyConstraint, Index, Integer,
                        PrimaryKeyConstraint, SmallInteger, String, Text, UniqueConstraint, and_, event, inspect,
                        literal_column, select, text)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, query_expression, relationship

from planner_platform.accounts.models import User
from planner_platform.areas.models import Place
from planner_platform.core.db import Base, TimestampMixin, UTCDateTime, string_enum, utcnow

TITLE_MAX = 60
DESCRIPTION_MAX = 2000
REPLY_MAX = 2000
COMMENT_MAX = 500


class ProposalState(enum.Enum):
    draft = "draft"
    submitted = "submitted"
    accepted = "accepted"
    assessing = "assessing"
    consulting = "consulting"
    not_accepted = "not_accepted"
    adopted = "adopted"
    merged = "merged"
    referred = "referred"
    declined = "declined"
    withdrawn = "withdrawn"
    closed = "closed"

    @property
    def label(self):
        return STATE_LABELS[self]

    @property
    def is_decision(self) -> bool:
        return self in DECISIONS

    @property
    def is_open(self) -> bool:
        """Waiting for the office: a deadline runs."""
        return self in OPEN_STATES


STATE_LABELS = {
    ProposalState.draft: _l("Draft"), ProposalState.submitted: _l("Submitted"),
    ProposalState.accepted: _l("Accepted for handling"), ProposalState.assessing: _l("Being assessed"),
    ProposalState.consulting: _l("Public consultation"), ProposalState.not_accepted: _l("Not accepted"),
    ProposalState.adopted: _l("Adopted"), ProposalState.merged: _l("Merged"),
    ProposalState.referred: _l("Referred"), ProposalState.declined: _l("Declined"),
    ProposalState.withdrawn: _l("Withdrawn"), ProposalState.closed: _l("Closed"),
}
OPEN_STATES = (ProposalState.submitted, ProposalState.accepted, ProposalState.assessing, ProposalState.consulting)
DECISIONS = (ProposalState.not_accepted, ProposalState.adopted, ProposalState.merged, ProposalState.referred,
             ProposalState.declined)

#: The lifecycle (DOMAIN.md §5): which state may follow which. A duplicate is merged from any open state (it is
#: often spotted on arrival), by the office's own action (services.merge).
TRANSITIONS = {
    ProposalState.draft: {ProposalState.submitted},
    ProposalState.submitted: {ProposalState.accepted, ProposalState.not_accepted, ProposalState.withdrawn,
                              ProposalState.merged},
    ProposalState.accepted: {ProposalState.assessing, ProposalState.withdrawn, ProposalState.merged},
    ProposalState.assessing: {ProposalState.consulting, ProposalState.adopted, ProposalState.referred,
                              ProposalState.declined, ProposalState.withdrawn, ProposalState.merged},
    ProposalState.consulting: {ProposalState.adopted, ProposalState.referred, ProposalState.declined,
                               ProposalState.merged},
    **{decision: {ProposalState.closed} for decision in DECISIONS},
    ProposalState.withdrawn: set(),
    ProposalState.closed: set(),
}
#: Steps that must carry a public reply.
REPLY_REQUIRED = set(DECISIONS)


class Channel(enum.Enum):
    online = "online"
    offline = "offline"
    hotline = "hotline"
    council = "council"
    activity = "activity"

    @property
    def label(self):
        return {Channel.online: _l("Online"), Channel.offline: _l("Received in person"),
                Channel.hotline: _l("Hotline"), Channel.council: _l("Residents' council"),
                Channel.activity: _l("Participation activity")}[self]


def place_ancestry(path: str) -> tuple[int, int]:
    """(sub-district id, district id) of the community whose path is "/city/district/sub-district/community/"."""
    ids = [int(part) for part in path.strip("/").split("/")]
    return ids[-2], ids[-3]


class Proposal(TimestampMixin, Base):
    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint("(lat IS NULL) = (lng IS NULL)", name="point_complete"),
        CheckConstraint("support_count >= 0 AND comment_count >= 0", name="counters_non_negative"),
        CheckConstraint("report_count >= 0", name="report_count_non_negative"),
        CheckConstraint("satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="satisfaction_range"),
        CheckConstraint("on_behalf_name IS NULL OR consent_recorded_at IS NOT NULL", name="offline_has_consent"),
        CheckConstraint("author_id IS NOT NULL OR on_behalf_name IS NOT NULL", name="has_a_proposer"),
        CheckConstraint("state <> 'merged' OR merged_into_id IS NOT NULL", name="merged_has_target"),
        # Copies of the community's ancestors, kept true by the database: the community's parent is the
        # sub-district, whose parent is the district. The lists filter on them instead of matching place paths.
        ForeignKeyConstraint(["community_id", "subdistrict_id"], ["places.id", "places.parent_id"],
                             name="fk_proposals_community_in_subdistrict"),
        ForeignKeyConstraint(["subdistrict_id", "district_id"], ["places.id", "places.parent_id"],
                             name="fk_proposals_subdistrict_in_district"),
        Index("ix_proposals_submitted_order", "submitted_at", "id"),
        Index("ix_proposals_point", "lat", "lng"),
        Index("ix_proposals_community_state", "community_id", "state"),
        # The bigrams as a tsvector, for search (proposals.search); SQLite has no such index type.
        Index("ix_proposals_search", text("(search_text::tsvector)"), postgresql_using="gin").ddl_if(
            dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text)
    #: One of the district profile's categories, as it read when the proposal was made.
    category: Mapped[str] = mapped_column(String(40), active_history=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="RESTRICT"))
    #: The community's sub-district and district (see place_ancestry): set with the community, never alone.
    subdistrict_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="RESTRICT"), active_history=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="RESTRICT"))
    site: Mapped[str] = mapped_column(String(100), default="")
    lat: Mapped[float | None] = mapped_column(Float, active_history=True)
    lng: Mapped[float | None] = mapped_column(Float, active_history=True)
    channel: Mapped[Channel] = mapped_column(string_enum(Channel, "proposal_channel"), default=Channel.online)
    state: Mapped[ProposalState] = mapped_column(string_enum(ProposalState, "proposal_state"),
                                                 default=ProposalState.draft, index=True, active_history=True)
    #: The resident's account; empty for an offline entry by a resident without one.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: The community worker who typed in a proposal received offline.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    on_behalf_name: Mapped[str | None] = mapped_column(String(50))
    on_behalf_phone: Mapped[str | None] = mapped_column(String(20))
    consent_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The planner account working on it.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The deadline of the current step (working days from the district profile); None when nothing is due.
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    #: When the overdue reminder and escalation for the current step went out (once per step).
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="RESTRICT"), index=True)
    support_count: Mapped[int] = mapped_column(Integer, default=0)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    #: Residents' reports; at the district's threshold the proposal leaves the public pages until a moderator
    #: looks at it (its author and the staff of its community still see it).
    report_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime, active_history=True)
    #: Set when a moderator has looked at it: shown again, or hidden for good.
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    satisfaction_comment: Mapped[str] = mapped_column(String(COMMENT_MAX), default="")
    #: The columns marked active_history are the map cells' key (proposals.clusters): their old value is loaded
    #: before a change, so that the proposal leaves the cell it was counted in.
    #: Bigrams of the title and description (CJK text has no spaces); PostgreSQL indexes them with GIN.
    search_text: Mapped[str] = mapped_column(Text, default="")
    #: Optimistic lock: two conflicting decisions at once give one success and one conflict.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    community: Mapped[Place] = relationship(foreign_keys=[community_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    merged_into: Mapped["Proposal | None"] = relationship(remote_side=[id])
    history: Mapped[list["ProposalEvent"]] = relationship(order_by="ProposalEvent.id", back_populates="proposal")
    photos: Mapped[list["ProposalPhoto"]] = relationship(order_by="ProposalPhoto.id", back_populates="proposal")
    #: The first photo's id, loaded by the lists with the row itself (see queries._for_list); else None.
    cover_photo_id: Mapped[int | None] = query_expression()
    #: Whether the viewer supports it, loaded by the proposal's page with the row (see queries.proposal_with_thread).
    supported: Mapped[bool | None] = query_expression()

    @property
    def proposer(self) -> str:
        """The proposer's name (pages show it masked, see the mask_name filter)."""
        return self.author.display_name if self.author else (self.on_behalf_name or "")

    def is_overdue(self, today: date) -> bool:
        return self.state.is_open and self.due_on is not None and self.due_on < today

    @classmethod
    def public(cls):
        """The SQL condition "the public list and the map show it": no drafts, none hidden by reports. The
        constant is written inline so that the planner matches it to the partial indexes below even in a
        prepared statement."""
        return and_(cls.state != literal_column(f"'{ProposalState.draft.value}'"), cls.hidden_at.is_(None))

    @classmethod
    def overdue_on(cls, today: date):
        """The SQL condition of is_overdue(): one definition for every list, digest and reminder."""
        return and_(cls.state.in_(OPEN_STATES), cls.due_on < today)


def _public_index(name: str, *columns) -> Index:
    """An index over the public rows only, so that the drafts (no submission date yet) never sit in front."""
    return Index(name, *columns, postgresql_where=Proposal.public(), sqlite_where=Proposal.public())


# The public list's orders, in the whole city and in each area: a page reads its rows off one index.
_public_index("ix_proposals_public_supported", Proposal.support_count, Proposal.id)
_public_index("ix_proposals_public_commented", Proposal.comment_count, Proposal.id)
_public_index("ix_proposals_public_newest", Proposal.submitted_at, Proposal.id)
_public_index("ix_proposals_district_newest", Proposal.district_id, Proposal.submitted_at, Proposal.id)
_public_index("ix_proposals_subdistrict_newest", Proposal.subdistrict_id, Proposal.submitted_at, Proposal.id)
_public_index("ix_proposals_community_newest", Proposal.community_id, Proposal.submitted_at, Proposal.id)


@event.listens_for(Proposal, "before_insert")
@event.listens_for(Proposal, "before_update")
def _copy_ancestry(_mapper, connection, proposal: Proposal) -> None:
    """Set the sub-district and district from the community, however the community was set (the composite
    foreign keys refuse a wrong pair; bulk writers such as seed-scale fill the columns themselves)."""
    if proposal.subdistrict_id is not None and not inspect(proposal).attrs.community_id.history.has_changes():
        return
    path = connection.scalar(select(Place.path).where(Place.id == proposal.community_id))
    proposal.subdistrict_id, proposal.district_id = place_ancestry(path)


class ProposalEvent(Base):
    """One step in a proposal's life: who, when, from what to what, and the public reply that went with it."""

    __tablename__ = "proposal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[ProposalState | None] = mapped_column(string_enum(ProposalState, "proposal_from_state"))
    to_state: Mapped[ProposalState] = mapped_column(string_enum(ProposalState, "proposal_to_state"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reply: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship()


class Support(Base):
    """A resident's 'me too' (附议): one per resident per proposal."""

    __tablename__ = "proposal_supports"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id", name="uq_proposal_supports_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommentColumns(TimestampMixin):
    """The columns of a public comment, whatever it is on (a proposal, a project in public notice): the counters
    and stamps the reporting and moderation in proposals.participation work on. Hidden ones stay in the table for
    the moderation queue and the record."""

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(String(COMMENT_MAX))
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set when a moderator has looked at it: kept visible, or hidden for good.
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @declared_attr
    def author(cls) -> Mapped[User | None]:
        return relationship(User, foreign_keys=lambda: [cls.author_id])


class CommentReportColumns:
    """A resident's report of a comment, one per resident per comment; `comments_table` names the comments' table."""

    comments_table: ClassVar[str]

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @declared_attr
    def comment_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey(f"{cls.comments_table}.id", ondelete="CASCADE"))

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (UniqueConstraint("comment_id", "reporter_id", name=f"uq_{cls.__tablename__}_once"),)


class Comment(CommentColumns, Base):
    """A public comment on a proposal."""

    __tablename__ = "proposal_comments"
    __table_args__ = (Index("ix_proposal_comments_thread", "proposal_id", "id"),)

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))

    proposal: Mapped[Proposal] = relationship()


class CommentReport(CommentReportColumns, Base):
    __tablename__ = "proposal_comment_reports"
    comments_table = "proposal_comments"


class ProposalReport(Base):
    """A resident's report of a proposal (spam, abuse, personal data): one per resident per proposal."""

    __tablename__ = "proposal_reports"
    __table_args__ = (UniqueConstraint("proposal_id", "reporter_id", name="uq_proposal_reports_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InternalNote(TimestampMixin, Base):
    """Staff-only notes on a proposal; never shown to residents."""

    __tablename__ = "proposal_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User | None] = relationship()


class ProposalPhoto(TimestampMixin, Base):
    """A re-encoded photo, stored outside static/ under a random name."""

    __tablename__ = "proposal_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)

    proposal: Mapped[Proposal] = relationship(back_populates="photos")


class MapSums:
    """A square of the map's grid at one zoom level: how many public proposals with a point lie in it, and the
    sums of their coordinates and ids (derived data, kept by proposals.clusters). A square holding one proposal
    has that proposal's id as its sum."""

    zoom: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    col: Mapped[int] = mapped_column(Integer, primary_key=True)
    row: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    sum_lat: Mapped[float] = mapped_column(Float)
    sum_lng: Mapped[float] = mapped_column(Float)
    sum_id: Mapped[int] = mapped_column(BigInteger)


class MapTotal(MapSums, Base):
    """Every public proposal of the square: the unfiltered map reads a few hundred of these."""

    __tablename__ = "proposal_map_totals"


class MapCell(MapSums, Base):
    """The square's public proposals of one sub-district, state and category: what the map's filters read."""

    __tablename__ = "proposal_map_cells"
    __table_args__ = (PrimaryKeyConstraint("zoom", "col", "row", "subdistrict_id", "state", "category"),)

    subdistrict_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[ProposalState] = mapped_column(string_enum(ProposalState, "map_cell_state"), primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
