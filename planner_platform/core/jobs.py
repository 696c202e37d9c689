"""Handing a job kept as a row (an export, a report) to a worker without ever failing the caller: the row is the
record of the work, the message only a wake-up call, so a broker that is away costs a delay (the job's sweep sends
it again), never the job."""
import logging

from flask import current_app
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)
#: What publishing raises when Redis is down or hung (TOOLING.md: timeouts instead of a hang).
BROKER_ERRORS = (OperationalError, RuntimeError, OSError)


def wake(task_name: str, job_id: int) -> bool:
    """Send the task by name for the job (run it in this process when there is no broker); False when the broker
    could not take it."""
    try:
        current_app.extensions["celery"].tasks[task_name].apply_async((job_id,), ignore_result=True)
    except BROKER_ERRORS as error:
        logger.warning("%s for job %s could not be published, its sweep will send it again: %s", task_name, job_id,
                       error)
        return False
    return True
