"""Optimistic locking: a form carries the version of the record it showed; a change made by someone else in the
meantime becomes a Conflict with one clear message, never a silently lost update. And the row lock for a check that
must not race (a sum, a count against a limit)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from planner_platform.core.errors import Conflict
from planner_platform.extensions import db

#: The one message for a write that lost a race, whatever the record (a proposal, a term, an activity).
CHANGED_MEANWHILE = _l("Someone else changed this while you were looking at it. Reload the page to see what they "
                       "did, then try again.")


def check_version(record, version: int | None) -> None:
    """Refuse when the form was rendered from an older version of the record (None: the caller has no form)."""
    if version is not None and version != record.version:
        raise Conflict(str(CHANGED_MEANWHILE))


def flush_or_conflict() -> None:
    """Flush; an UPDATE that found its version changed by a concurrent transaction becomes a Conflict."""
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(str(CHANGED_MEANWHILE)) from None


def lock_row(model, row_id: int) -> None:
    """Hold the row's lock until the commit (SELECT … FOR UPDATE; SQLite's transactions already hold the write
    lock), so two requests checking the same limit at once are served one after the other."""
    db.session.execute(select(model.id).where(model.id == row_id).with_for_update())
