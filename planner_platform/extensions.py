"""Extension instances, unbound until create_app() calls init_app."""
from celery import Celery, Task
from celery import shared_task as celery_shared_task
from celery.app.amqp import AMQP
from celery.local import Proxy
from flask import Flask, current_app
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from kombu import Connection

from planner_platform.core.after_commit import Session as AfterCommitSession
from planner_platform.core.db import Base

db = SQLAlchemy(model_class=Base, session_options={"class_": AfterCommitSession})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
compress = Compress()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


class _PromptlyReconnecting(Connection):
    """A broker connection that, once Redis is gone, tries again every 2 s.

    The worker's consumer and beat reconnect through `ensure_connection` with kombu's default wait, which grows
    by 2 s per attempt up to 30 s: after a long outage they would stay away that long after Redis is back,
    and notifications with them (issue 11.2). Publishing does not go through here (it fails fast, see config).
    """

    def ensure_connection(self, *args, **kwargs):
        return super().ensure_connection(*args, **{"interval_start": 1, "interval_step": 1, "interval_max": 2,
                                                   **kwargs})


class _Amqp(AMQP):
    Connection = _PromptlyReconnecting


def celery_init_app(app: Flask) -> Celery:
    """Celery bound to the Flask app so every task runs inside an app context (Flask docs pattern).

    Each Flask app has its own Celery app and none becomes the process's default: with the Flask docs'
    `set_default()`, the newest app (a second app in the tests, a CLI) took every shared task of the older ones,
    so a message sent by app A's in-process task landed in app B. Tasks are found through the Flask app in
    charge instead (`shared_task` below); the worker, one app per process, sets its own default (worker.py).
    """

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask, amqp=_Amqp, set_as_current=False)
    celery_app.config_from_object(app.config["CELERY"])
    app.extensions["celery"] = celery_app
    return celery_app


def shared_task(*, name: str, **options):
    """Celery's `shared_task` (registered on every Celery app), but calling the task object, `.apply()` or
    `.apply_async()` goes to the Celery app of the Flask app whose context is active: the task runs in that app,
    and a task started by another task stays in its app. Outside an app context it raises, as there is no app
    to pick (Celery's own proxy would pick the newest one)."""

    def register(fun):
        celery_shared_task(name=name, **options)(fun)
        return Proxy(lambda: current_app.extensions["celery"].tasks[name])

    return register
