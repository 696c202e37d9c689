"""Failed logins counted per login identifier, the same way whether or not an account uses it (no enumeration).

Each failure is one INSERT … ON CONFLICT DO UPDATE … RETURNING, so concurrent failures never lose a count: the
failure that reaches LOGIN_MAX_FAILURES within the window locks the identifier for LOGIN_LOCK_MINUTES.
"""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, literal, select

from planner_platform.accounts.models import LoginThrottle
from planner_platform.accounts.tokens import keyed_hash
from planner_platform.core.db import UTCDateTime, insert_for
from planner_platform.extensions import db


def normalise_login(login: str | None) -> str:
    """The identifier as accounts store it: a lower-cased email address, or the digits of a phone number."""
    login = (login or "").strip()
    if "@" in login:
        return login.lower()
    return "".join(ch for ch in login if ch.isdigit()) or login.lower()


def key_of(login: str | None) -> str:
    return keyed_hash("login", normalise_login(login))


def locked_until(key: str, now: datetime) -> datetime | None:
    """When the lock of this identifier ends, or None if it is not locked."""
    until = db.session.scalar(select(LoginThrottle.locked_until).where(LoginThrottle.key == key))
    return until if until and until > now else None


def count_failure(key: str, now: datetime) -> tuple[int, datetime | None]:
    """Count one failed attempt; returns the failures in the current window and the lock this one set, if any."""
    config = current_app.config
    table = LoginThrottle.__table__
    limit = config["LOGIN_MAX_FAILURES"]
    lock = now + timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
    in_window = table.c.window_started_at > now - timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"])
    # SET expressions all read the row as it was before this statement (PostgreSQL and SQLite alike).
    count = case((in_window, table.c.failure_count + 1), else_=1)
    insert = insert_for(db.session, LoginThrottle).values(
        key=key, failure_count=1, window_started_at=now, locked_until=lock if limit <= 1 else None)
    row = db.session.execute(insert.on_conflict_do_update(index_elements=["key"], set_={
        "failure_count": count,
        "window_started_at": case((in_window, table.c.window_started_at), else_=literal(now, UTCDateTime())),
        "locked_until": case((count >= limit, literal(lock, UTCDateTime())), else_=table.c.locked_until),
    }).returning(table.c.failure_count)).one()
    return row.failure_count, lock if row.failure_count >= limit else None


def clear(*keys: str) -> None:
    """Forget the failures of these identifiers (a successful login, a password reset)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(keys)))


def purge(now: datetime) -> int:
    """Delete rows whose window and lock are both over; they count nothing any more."""
    window = timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])
    result = db.session.execute(delete(LoginThrottle).where(
        LoginThrottle.window_started_at <= now - window,
        (LoginThrottle.locked_until.is_(None)) | (LoginThrottle.locked_until <= now)))
    return result.rowcount
