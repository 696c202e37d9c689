"""Run side effects only after the surrounding transaction commits; drop them on rollback.

The callbacks run right after `commit()` returns (not inside SQLAlchemy's after_commit event, where the
session may not emit SQL), so a callback may itself read, write and commit, e.g. the outbox relay.
"""
import logging
from collections.abc import Callable

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

logger = logging.getLogger(__name__)
_KEY = "after_commit_callbacks"


def on_commit(session: OrmSession, fn: Callable, *args, **kwargs) -> None:
    """Queue fn(*args, **kwargs) to run once `session` has committed."""
    session.info.setdefault(_KEY, []).append((fn, args, kwargs))


class Session(FlaskSession):
    """The application's session class: commit() then runs what was queued with on_commit()."""

    def commit(self) -> None:
        super().commit()
        callbacks = self.info.pop(_KEY, [])
        for fn, args, kwargs in callbacks:
            try:
                fn(*args, **kwargs)
            except Exception:  # a failed side effect must never undo or break the committed change
                logger.exception("after-commit callback %s failed", getattr(fn, "__name__", fn))
                self.rollback()


@event.listens_for(OrmSession, "after_soft_rollback")
def _drop_callbacks(session: OrmSession, previous_transaction) -> None:
    if previous_transaction.parent is None:  # only a rollback of the outermost transaction discards the work
        session.info.pop(_KEY, None)
