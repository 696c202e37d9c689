"""Optimistic locking: a form carries the version of the record it showed; a change made by someone else in the
meantime becomes a Conflict with a clear message, never a silently lost update."""
from sqlalchemy.orm.exc import StaleDataError

from planner_platform.core.errors import Conflict
from planner_platform.extensions import db


def check_version(record, version: int | None, message) -> None:
    """Refuse when the form was rendered from an older version of the record (None: the caller has no form)."""
    if version is not None and version != record.version:
        raise Conflict(str(message))


def flush_or_conflict(message) -> None:
    """Flush; an UPDATE that found its version changed by a concurrent transaction becomes a Conflict."""
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(str(message)) from None
