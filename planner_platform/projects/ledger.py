"""The budget and funding ledger of a project: the estimate, funding sources with approved amounts, spending entries,
the execution rate. Amounts are integer fen; the database keeps each source's spent total and refuses to let it pass
the approved amount (see models.ledger), these services check first and say why.

The street office keeps the ledger (can_change_stage); every entry is audited. Callers commit."""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from planner_platform.access import actor_of
from planner_platform.accounts.models import User
from planner_platform.core.audit import record_audit
from planner_platform.core.calendar import local_today
from planner_platform.core.concurrency import check_version, flush_or_conflict
from planner_platform.core.errors import Conflict, DomainError, NotAllowed
from planner_platform.extensions import db
from planner_platform.projects import permissions as can
from planner_platform.projects.models import FundingSource, Project, ProjectFunding, Spending
from planner_platform.projects.models.ledger import NOTE_MAX, PURPOSE_MAX

#: A bound far above any neighbourhood project (ten billion yuan) and far below BIGINT: a typo, not a budget.
FEN_MAX = 10**12


def yuan(fen: int | None) -> str:
    """1250050 fen as "¥12,500.50" (integer arithmetic, no float on the way)."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def rate(spent_fen: int, approved_fen: int) -> Decimal | None:
    """The execution rate spent / approved as a percentage with one decimal (None when nothing is approved)."""
    if not approved_fen:
        return None
    return (Decimal(spent_fen) * 100 / Decimal(approved_fen)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class SourceLine:
    funding: ProjectFunding
    source: FundingSource
    approved_fen: int
    spent_fen: int
    rate: Decimal | None


@dataclass
class Disclosure:
    """What the public page shows of the money."""
    estimate_fen: int
    sources: list[SourceLine]
    approved_fen: int
    spent_fen: int
    rate: Decimal | None
    spendings: list[Spending]


def fundings_of(project: Project) -> list[ProjectFunding]:
    order = {source: index for index, source in enumerate(FundingSource)}
    rows = db.session.scalars(select(ProjectFunding).where(ProjectFunding.project_id == project.id)
                              .execution_options(populate_existing=True)).all()
    return sorted(rows, key=lambda row: order[row.source])


def disclosure(project: Project) -> Disclosure:
    """Sources with approved and spent amounts, totals, the execution rate, and the spending entries (newest first).
    Two queries whatever the number of rows."""
    lines = [SourceLine(row, row.source, row.approved_fen, row.spent_fen, rate(row.spent_fen, row.approved_fen))
             for row in fundings_of(project)]
    approved = sum(line.approved_fen for line in lines)
    spent = sum(line.spent_fen for line in lines)
    spendings = db.session.scalars(select(Spending).where(Spending.project_id == project.id)
                                   .options(joinedload(Spending.funding))
                                   .order_by(Spending.spent_on.desc(), Spending.id.desc())).all()
    return Disclosure(project.budget_estimate_fen, lines, approved, spent, rate(spent, approved), spendings)


def _require_keeper(actor: User, project: Project) -> None:
    if not can.can_change_stage(actor_of(actor), project):
        raise NotAllowed(_("Only the sub-district office keeps the ledger of this project."))


def _check_amount(fen: int | None, field: str, *, positive: bool = False) -> int:
    if positive and isinstance(fen, int) and fen <= 0:
        raise DomainError(_("The amount must be more than ¥0.00."), field=field)
    if fen is None or not isinstance(fen, int) or not 0 <= fen <= FEN_MAX:
        raise DomainError(_("Enter an amount from ¥0.00 to %(max)s.", max=yuan(FEN_MAX)), field=field)
    return fen


def set_estimate(actor: User, project: Project, estimate_fen: int, *, version: int | None = None) -> None:
    _require_keeper(actor, project)
    check_version(project, version)
    estimate_fen = _check_amount(estimate_fen, "estimate")
    before = project.budget_estimate_fen
    project.budget_estimate_fen = estimate_fen
    flush_or_conflict()
    record_audit(db.session, "project.estimate_set", actor=actor, obj=project, before_fen=before,
                 after_fen=estimate_fen)


def set_funding(actor: User, project: Project, source: FundingSource, approved_fen: int, note: str = "", *,
                version: int | None = None, adding: bool = False) -> ProjectFunding:
    """Add a funding source with its approved amount, or change the amount of one the project has. An amount below
    what was already spent from it is refused; `adding` (the "add a source" form) refuses a source it has."""
    _require_keeper(actor, project)
    approved_fen = _check_amount(approved_fen, "approved")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(_("The note is too long (at most %(max)d characters).", max=NOTE_MAX), field="note")
    funding = db.session.scalar(select(ProjectFunding).where(
        ProjectFunding.project_id == project.id, ProjectFunding.source == source).with_for_update()
        .execution_options(populate_existing=True))
    before = None
    if funding is None:
        funding = ProjectFunding(project_id=project.id, source=source, approved_fen=approved_fen, note=note)
        db.session.add(funding)
    else:
        if adding:  # the "add a source" form must not overwrite the row someone may be reading
            raise Conflict(_("%(source)s is already among this project's sources: change its amount in its row.",
                             source=source.label))
        check_version(funding, version)
        if approved_fen < funding.spent_fen:
            raise DomainError(_("%(amount)s has already been spent from %(source)s: the approved amount cannot be "
                                "lower.", amount=yuan(funding.spent_fen), source=source.label), field="approved")
        before = funding.approved_fen
        funding.approved_fen, funding.note = approved_fen, note
    try:
        with db.session.begin_nested():
            flush_or_conflict()
    except IntegrityError:  # another source row was added at once, or spending grew meanwhile
        raise DomainError(_("The ledger changed meanwhile. Reload the page and try again.")) from None
    record_audit(db.session, "project.funding_set", actor=actor, obj=project, source=source.value,
                 before_fen=before, approved_fen=approved_fen)
    return funding


@dataclass
class SpendingInput:
    funding: ProjectFunding
    spent_on: date
    purpose: str
    amount_fen: int


def record_spending(actor: User, project: Project, data: SpendingInput) -> Spending:
    """Money spent from one of the project's funding sources. Refused, changing nothing, when it would take the
    source past its approved amount (checked under the funding row's lock; the database refuses it anyway)."""
    _require_keeper(actor, project)
    if data.funding.project_id != project.id:
        raise DomainError(_("Choose one of this project's funding sources."), field="funding")
    amount = _check_amount(data.amount_fen, "amount", positive=True)
    purpose = (data.purpose or "").strip()
    if not purpose or len(purpose) > PURPOSE_MAX:
        raise DomainError(_("Say what the money was spent on (at most %(max)d characters).", max=PURPOSE_MAX),
                          field="purpose")
    today = local_today()
    if data.spent_on is None or data.spent_on > today or data.spent_on < today - timedelta(days=3660):
        raise DomainError(_("Enter the date it was spent: not in the future."), field="spent_on")
    funding = db.session.scalar(select(ProjectFunding).where(ProjectFunding.id == data.funding.id)
                                .with_for_update().execution_options(populate_existing=True))
    left = funding.approved_fen - funding.spent_fen
    if amount > left:
        raise DomainError(_("%(source)s has %(left)s left of %(approved)s approved: %(amount)s would exceed it.",
                            source=funding.source.label, left=yuan(left), approved=yuan(funding.approved_fen),
                            amount=yuan(amount)), field="amount")
    entry = Spending(project_id=project.id, funding_id=funding.id, spent_on=data.spent_on, purpose=purpose,
                     amount_fen=amount, recorded_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
    except IntegrityError:  # the database's check: the approved amount would be exceeded
        raise DomainError(_("%(source)s has not enough left for %(amount)s.", source=funding.source.label,
                            amount=yuan(amount)), field="amount") from None
    db.session.refresh(funding)
    record_audit(db.session, "project.spending_recorded", actor=actor, obj=project, funding=funding.id,
                 source=funding.source.value, amount_fen=amount, spent_on=data.spent_on.isoformat(),
                 purpose=purpose)
    return entry

