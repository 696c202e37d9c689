"""Extension instances, unbound until create_app() calls init_app."""
from celery import Celery, Task
from celery.app.amqp import AMQP
from flask import Flask
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
    """Celery bound to the Flask app so every task runs inside an app context (Flask docs pattern)."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask, amqp=_Amqp)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
