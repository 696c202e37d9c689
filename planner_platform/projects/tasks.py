"""Beat tasks of the renewal projects."""
from planner_platform.extensions import db, shared_task
from planner_platform.projects.survey import remind_evaluations_due
from planner_platform.projects.work import remind_overdue_milestones


@shared_task(name="projects.milestone_reminders")
def milestone_reminders_task() -> int:
    """Daily: the owner and the lead planner hear of each overdue milestone once (idempotent)."""
    sent = remind_overdue_milestones()
    db.session.commit()
    return sent


@shared_task(name="projects.evaluation_reminders")
def evaluation_reminders_task() -> dict:
    """Daily: post-evaluations that fell due, once per project (idempotent)."""
    counts = {"evaluations": remind_evaluations_due()}
    db.session.commit()
    return counts
