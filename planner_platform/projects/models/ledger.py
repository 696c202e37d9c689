"""The budget and funding ledger: funding sources with their approved amounts, and spending entries against them.
Amounts are integer fen (BigInteger), never floats.

The database keeps the totals: `spent_fen` of a funding row is maintained by triggers on the spending table (see the
migration) and CHECKed to stay within the approved amount, so no write, raw SQL included, can spend more than a
source approved. A spending entry's project is its funding row's project (a composite foreign key)."""
import enum
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import (BigInteger, CheckConstraint, Date, ForeignKey, ForeignKeyConstraint, Index, Integer, String,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from planner_platform.accounts.models import User
from planner_platform.core.db import Base, TimestampMixin, string_enum

NOTE_MAX = 200
PURPOSE_MAX = 200


class FundingSource(enum.Enum):
    self_governance_fund = "self_governance_fund"
    special_renewal_fund = "special_renewal_fund"
    district_budget = "district_budget"
    subdistrict_budget = "subdistrict_budget"
    social_capital = "social_capital"
    other = "other"

    @property
    def label(self):
        return FUNDING_SOURCE_LABELS[self]


FUNDING_SOURCE_LABELS = {
    FundingSource.self_governance_fund: _l("Community self-governance fund"),
    FundingSource.special_renewal_fund: _l("Special renewal fund"),
    FundingSource.district_budget: _l("District budget"),
    FundingSource.subdistrict_budget: _l("Sub-district budget"),
    FundingSource.social_capital: _l("Social capital"),
    FundingSource.other: _l("Other funding"),
}


class ProjectFunding(TimestampMixin, Base):
    """One funding source of a project and the amount it approved; one row per source."""

    __tablename__ = "project_fundings"
    __table_args__ = (
        UniqueConstraint("project_id", "source", name="uq_project_fundings_source"),
        #: The target of the spending entries' composite foreign key.
        UniqueConstraint("id", "project_id", name="uq_project_fundings_id_project"),
        CheckConstraint("approved_fen >= 0", name="approved_non_negative"),
        CheckConstraint("spent_fen >= 0 AND spent_fen <= approved_fen", name="spent_within_approved"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    source: Mapped[FundingSource] = mapped_column(string_enum(FundingSource, "funding_source"))
    approved_fen: Mapped[int] = mapped_column(BigInteger)
    #: The sum of the spending entries, kept by the database's triggers (never written by the application).
    spent_fen: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    note: Mapped[str] = mapped_column(String(NOTE_MAX), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class Spending(TimestampMixin, Base):
    """Money spent from one funding source: when, on what, how much (fen > 0), recorded by whom."""

    __tablename__ = "project_spendings"
    __table_args__ = (
        ForeignKeyConstraint(["funding_id", "project_id"], ["project_fundings.id", "project_fundings.project_id"],
                             name="fk_project_spendings_funding", ondelete="RESTRICT"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        Index("ix_project_spendings_project", "project_id", "spent_on"),
        Index("ix_project_spendings_funding", "funding_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column()
    funding_id: Mapped[int] = mapped_column()
    spent_on: Mapped[date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(String(PURPOSE_MAX))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    funding: Mapped[ProjectFunding] = relationship()
    recorded_by: Mapped[User | None] = relationship()
