"""Beat task of the roster: move terms along the calendar and send the end-of-term reminders."""
from planner_platform.extensions import db, shared_task
from planner_platform.planners.assignments import advance_terms


@shared_task(name="planners.advance_terms")
def advance_terms_task() -> dict:
    """Daily: activate starting terms, expire ended ones, remind 90 and 30 days before the end (idempotent)."""
    counts = advance_terms()
    db.session.commit()
    return counts
