"""Run side effects only after the surrounding transaction commits; drop them on rollback."""
import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)
_KEY = "after_commit_callbacks"


def on_commit(session: Session, fn: Callable, *args, **kwargs) -> None:
    """Queue fn(*args, **kwargs) to run once `session` has committed."""
    session.info.setdefault(_KEY, []).append((fn, args, kwargs))


@event.listens_for(Session, "after_commit")
def _run_callbacks(session: Session) -> None:
    callbacks = session.info.pop(_KEY, [])
    for fn, args, kwargs in callbacks:
        try:
            fn(*args, **kwargs)
        except Exception:  # a failed side effect must never undo or break the committed request
            logger.exception("after-commit callback %s failed", getattr(fn, "__name__", fn))


@event.listens_for(Session, "after_soft_rollback")
def _drop_callbacks(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # only a rollback of the outermost transaction discards the work
        session.info.pop(_KEY, None)
