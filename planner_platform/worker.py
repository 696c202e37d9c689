"""Celery entry point: `celery -A planner_platform.worker worker` (and exactly one `... beat`)."""
from celery.signals import worker_process_init
from sqlalchemy.orm import configure_mappers

from planner_platform import create_app
from planner_platform.extensions import db

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
# The one app of a worker or beat process: Celery's own fallbacks (results, threads without an app) use it.
celery_app.set_default()
# The mappers are set up once here (inherited by prefork children), not by the first task to touch a model: a
# tenth of a second of the first job's time otherwise, such as an export its requester waits for.
configure_mappers()


@worker_process_init.connect
def _fresh_connections_after_fork(**kwargs):
    # Prefork children must not share the parent's pooled database connections (SQLAlchemy docs on fork).
    with flask_app.app_context():
        db.engine.dispose(close=False)
