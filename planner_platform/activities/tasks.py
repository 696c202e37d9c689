"""Beat task of the activities: remind registered residents the day before, and organisers to close."""
from planner_platform.activities.services import remind_registrants, remind_to_close
from planner_platform.extensions import db, shared_task


@shared_task(name="activities.daily_reminders")
def daily_reminders_task() -> dict:
    """Daily: tomorrow's registrants, and organisers 3 and 7 days after an unclosed activity (idempotent)."""
    counts = {"registrants": remind_registrants(), "close": remind_to_close()}
    db.session.commit()
    return counts
