"""Celery entry point: `celery -A planner_platform.worker worker` (and exactly one `... beat`)."""
from celery.signals import worker_process_init

from planner_platform import create_app
from planner_platform.extensions import db

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
# The one app of a worker or beat process: Celery's own fallbacks (results, threads without an app) use it.
celery_app.set_default()


@worker_process_init.connect
def _fresh_connections_after_fork(**kwargs):
    # Prefork children must not share the parent's pooled database connections (SQLAlchemy docs on fork).
    with flask_app.app_context():
        db.engine.dispose(close=False)
