"""Monitoring's only write: the audit entry of an export (who took which numbers or records, and when). Callers
commit."""
from flask_babel import gettext as _

from planner_platform.access import actor_of
from planner_platform.accounts.models import User
from planner_platform.areas.models import Place
from planner_platform.core.audit import record_audit
from planner_platform.core.errors import DomainError, NotAllowed
from planner_platform.extensions import db
from planner_platform.monitoring import permissions as can
from planner_platform.monitoring.exports import EXPORT_MAX_ROWS
from planner_platform.monitoring.periods import Period


def record_export(actor: User, place: Place, table: str, kind: str, period: Period, rows: int) -> None:
    """Audit an export of `table` (the comparison, or a list's kind) of `place`; refuse one too long to build."""
    if not can.can_monitor(actor_of(actor), place):
        raise NotAllowed(_("Only staff over this place export its numbers."))
    if rows > EXPORT_MAX_ROWS:
        raise DomainError(_("This list has %(count)d records, more than one file holds (%(max)d): choose a shorter "
                            "period or a smaller place.", count=rows, max=EXPORT_MAX_ROWS))
    record_audit(db.session, "monitoring.exported", actor=actor, obj=place, table=table, format=kind,
                 period=period.label, rows=rows)
