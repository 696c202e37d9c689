"""Logging in and out: lockout after repeated failures, server-side sessions with idle and absolute limits."""
import logging
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from planner_platform.accounts.models import User, UserSession
from planner_platform.accounts.passwords import hash_password, verify_password
from planner_platform.accounts.tokens import hash_token, new_token
from planner_platform.core.audit import record_audit
from planner_platform.core.db import utcnow
from planner_platform.core.errors import DomainError
from planner_platform.extensions import db

logger = logging.getLogger(__name__)
#: Verified against when the login names nobody, so timing does not reveal which accounts exist.
_DUMMY_HASH = hash_password("not-a-real-password-only-for-timing")
#: last_seen_at is written at most this often, not on every request.
_TOUCH_INTERVAL = timedelta(seconds=60)


class LoginFailed(DomainError):
    pass


def find_user_by_login(login: str) -> User | None:
    """The user whose phone number or email address is `login`."""
    login = (login or "").strip()
    if "@" in login:
        return db.session.scalar(select(User).where(User.email == login.lower()))
    digits = "".join(ch for ch in login if ch.isdigit())
    return db.session.scalar(select(User).where(User.phone == digits)) if digits else None


def _minutes_left(until: datetime, now: datetime) -> int:
    return max(1, int((until - now).total_seconds() + 59) // 60)


def authenticate(login: str, password: str, *, now: datetime | None = None) -> User:
    """Check a login attempt; failures are counted and audited, and enough of them lock the account.

    Raises LoginFailed with the message to show. The caller commits in both outcomes, so the counters
    and the audit entries survive a failed attempt.
    """
    now = now or utcnow()
    config = current_app.config
    user = find_user_by_login(login)
    if user is None:
        verify_password(_DUMMY_HASH, password)
        record_audit(db.session, "auth.login_failed", result="failure", reason="unknown_login")
        raise LoginFailed(_("The phone number, email or password is not correct."))
    if user.locked_until and user.locked_until > now:
        record_audit(db.session, "auth.login_blocked", actor=user, obj=user, result="denied")
        raise LoginFailed(_("This account is locked for %(minutes)d more minutes after too many failed attempts. "
                            "Please try again later or reset your password.",
                            minutes=_minutes_left(user.locked_until, now)))
    if not verify_password(user.password_hash, password) or not user.is_enabled:
        _count_failure(user, now)
        if user.locked_until and user.locked_until > now:
            raise LoginFailed(_("Too many failed attempts: this account is locked for %(minutes)d minutes.",
                                minutes=config["LOGIN_LOCK_MINUTES"]))
        raise LoginFailed(_("The phone number, email or password is not correct."))
    user.failed_login_count = 0
    user.first_failed_login_at = None
    user.locked_until = None
    user.last_login_at = now
    record_audit(db.session, "auth.login", actor=user, obj=user)
    return user


def _count_failure(user: User, now: datetime) -> None:
    config = current_app.config
    window = timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"])
    if user.first_failed_login_at is None or now - user.first_failed_login_at > window:
        user.failed_login_count = 0
        user.first_failed_login_at = now
    user.failed_login_count += 1
    record_audit(db.session, "auth.login_failed", actor=user, obj=user, result="failure",
                 attempt=user.failed_login_count)
    if user.failed_login_count >= config["LOGIN_MAX_FAILURES"]:
        user.locked_until = now + timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
        user.failed_login_count = 0
        user.first_failed_login_at = None
        record_audit(db.session, "auth.locked", actor=user, obj=user, result="denied",
                     until=user.locked_until.isoformat())
        logger.warning("User %s locked after repeated failed logins", user.id)


def open_session(user: User, *, ip: str | None = None, user_agent: str | None = None) -> str:
    """Start a server-side session and return the token to keep in the session cookie."""
    token, token_hash = new_token()
    now = utcnow()
    db.session.add(UserSession(token_hash=token_hash, user_id=user.id, created_at=now, last_seen_at=now, ip=ip,
                               user_agent=(user_agent or "")[:255]))
    return token


def _idle_limit(user: User) -> timedelta:
    config = current_app.config
    minutes = config["SESSION_IDLE_MINUTES_STAFF"] if user.is_staff else config["SESSION_IDLE_MINUTES_RESIDENT"]
    return timedelta(minutes=minutes)


def load_session_user(user_id: str, token: str | None) -> User | None:
    """The user of a live session, or None when the session was revoked, went idle or is too old."""
    if not token or not user_id.isdigit():
        return None
    live = db.session.scalar(select(UserSession).where(
        UserSession.token_hash == hash_token(token), UserSession.user_id == int(user_id),
        UserSession.revoked_at.is_(None)))
    if live is None or not live.user.is_enabled:
        return None
    now = utcnow()
    absolute = timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])
    if now - live.last_seen_at > _idle_limit(live.user) or now - live.created_at > absolute:
        live.revoked_at = now
        db.session.commit()
        return None
    if now - live.last_seen_at > _TOUCH_INTERVAL:
        # A guarded UPDATE committed on its own: the request has written nothing yet at this point.
        db.session.execute(update(UserSession).where(UserSession.id == live.id).values(last_seen_at=now))
        db.session.commit()
    return live.user


def close_session(token: str | None) -> None:
    """Revoke one session (logout)."""
    if token:
        db.session.execute(update(UserSession).where(UserSession.token_hash == hash_token(token),
                                                     UserSession.revoked_at.is_(None)).values(revoked_at=utcnow()))


def revoke_sessions(user: User, *, except_token: str | None = None) -> None:
    """Revoke every live session of `user`, optionally keeping the current one."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if except_token:
        query = query.where(UserSession.token_hash != hash_token(except_token))
    db.session.execute(query.values(revoked_at=utcnow()))
