"""Beat task of the proposals: deadlines and automatic closing."""
from planner_platform.extensions import db, shared_task
from planner_platform.proposals.deadlines import auto_close, flag_overdue


@shared_task(name="proposals.daily_deadlines")
def daily_deadlines_task() -> dict:
    """Daily: remind and escalate overdue proposals, close unrated decided ones (idempotent)."""
    counts = {"overdue": flag_overdue(), "closed": auto_close()}
    db.session.commit()
    return counts
