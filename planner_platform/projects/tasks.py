"""Beat tasks of the renewal projects."""
from celery import shared_task

from planner_platform.extensions import db
from planner_platform.projects.survey import remind_evaluations_due


@shared_task(name="projects.evaluation_reminders")
def evaluation_reminders_task() -> dict:
    """Daily: post-evaluations that fell due, once per project (idempotent)."""
    counts = {"evaluations": remind_evaluations_due()}
    db.session.commit()
    return counts
