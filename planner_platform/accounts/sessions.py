"""Logging in and out: lockout after repeated failures, server-side sessions with idle and absolute limits, and
re-authentication before sensitive changes."""
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, bindparam, event, select, update
from sqlalchemy.orm import Session, joinedload

from planner_platform.accounts import throttle
from planner_platform.accounts.models import RoleGrant, User, UserSession
from planner_platform.accounts.passwords import hash_password, verify_password
from planner_platform.accounts.throttle import normalise_login
from planner_platform.accounts.tokens import hash_token, new_token
from planner_platform.areas.models import Place
from planner_platform.core.audit import record_audit
from planner_platform.core.db import utcnow
from planner_platform.core.errors import Refused
from planner_platform.extensions import db

logger = logging.getLogger(__name__)
#: Verified against when the login names nobody, so timing does not reveal which accounts exist.
_DUMMY_HASH = hash_password("not-a-real-password-only-for-timing")
#: last_seen_at is written at most this often, not on every request.
_TOUCH_INTERVAL = timedelta(seconds=60)


class LoginFailed(Refused):
    pass


def find_user_by_login(login: str) -> User | None:
    """The user whose phone number or email address is `login`."""
    login = normalise_login(login)
    if "@" in login:
        return db.session.scalar(select(User).where(User.email == login))
    return db.session.scalar(select(User).where(User.phone == login)) if login.isdigit() else None


def _minutes_left(until: datetime, now: datetime) -> int:
    return max(1, int((until - now).total_seconds() + 59) // 60)


def authenticate(login: str, password: str, *, now: datetime | None = None) -> User:
    """Check a login's password; failures are counted and audited, and enough of them lock the login identifier.

    Unknown identifiers are counted and locked exactly like those of accounts, with the same messages, so the
    form does not tell which phone numbers have an account; a disabled account is named as such only after its
    correct password. Raises LoginFailed with the message to show; the
    caller commits in both outcomes, so the counters and the audit entries survive a failed attempt.
    """
    now = now or utcnow()
    key = throttle.key_of(login)
    user = find_user_by_login(login)
    _refuse_if_locked(key, user, now, "auth.login_blocked")
    # An unknown login costs the same hashing time as a known one.
    correct = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not correct:
        _count_failure(key, user, now)
    if not user.is_enabled:  # said only to who knows the password (a deleted account has none that matches)
        record_audit(db.session, "auth.login_failed", actor=user, obj=user, result="denied", reason="disabled")
        raise LoginFailed(_("This account is disabled. If you need it again, ask the office that manages your "
                            "role."))
    throttle.clear(key)
    return user


def record_login(user: User, *, factor: str | None = None) -> None:
    """A login completed: after the password, and after the second factor ("totp", "recovery") when it has one."""
    user.last_login_at = utcnow()
    record_audit(db.session, "auth.login", actor=user, obj=user, **({"factor": factor} if factor else {}))


def confirm_password(user: User, password: str, *, field: str = "password", now: datetime | None = None) -> None:
    """Check the password of a logged-in user (re-authentication); failures count towards the same lockout."""
    now = now or utcnow()
    key = throttle.key_of(user.phone or user.email)
    _refuse_if_locked(key, user, now, "auth.reauth_blocked", field=field)
    if not verify_password(user.password_hash, password):
        _count_failure(key, user, now, field=field)


def _refuse_if_locked(key: str, user: User | None, now: datetime, action: str, field: str | None = None) -> None:
    locked_until = throttle.locked_until(key, now)
    if locked_until:
        record_audit(db.session, action, actor=user, obj=user, result="denied")
        raise LoginFailed(_("This account is locked for %(minutes)d more minutes after too many failed attempts. "
                            "Please try again later or reset your password.",
                            minutes=_minutes_left(locked_until, now)), field=field)


def _count_failure(key: str, user: User | None, now: datetime, field: str | None = None) -> None:
    """Count a failed attempt and raise the message to show."""
    attempt, lock = throttle.count_failure(key, now)
    record_audit(db.session, "auth.login_failed", actor=user, obj=user, result="failure", attempt=attempt,
                 **({} if user else {"reason": "unknown_login"}))
    if lock is None:
        raise LoginFailed(_("The phone number, email or password is not correct.") if field is None
                          else _("The password is not correct."), field=field)
    record_audit(db.session, "auth.locked", actor=user, obj=user, result="denied", until=lock.isoformat())
    logger.warning("Login identifier of %s locked after repeated failed attempts",
                   f"user {user.id}" if user else "no account")
    raise LoginFailed(_("Too many failed attempts: this account is locked for %(minutes)d minutes.",
                        minutes=current_app.config["LOGIN_LOCK_MINUTES"]), field=field)


def open_session(user: User, *, ip: str | None = None, user_agent: str | None = None) -> str:
    """Start a server-side session and return the token to keep in the session cookie."""
    token, token_hash = new_token()
    now = utcnow()
    db.session.add(UserSession(token_hash=token_hash, user_id=user.id, created_at=now, last_seen_at=now,
                               password_verified_at=now, ip=ip, user_agent=(user_agent or "")[:255]))
    return token


#: The criteria of the live session whose cookie holds a token, its hash bound by _live_params(token).
_IS_LIVE = (UserSession.token_hash == bindparam("token_hash"), UserSession.revoked_at.is_(None))


def _live_params(token: str) -> dict:
    return {"token_hash": hash_token(token)}


def _live(token: str | None) -> UserSession | None:
    return db.session.scalar(select(UserSession).where(*_IS_LIVE), _live_params(token)) if token else None


def live_session_id(token: str | None) -> int | None:
    """The id of the live session whose cookie holds `token` (a data export's link is bound to it)."""
    live = _live(token)
    return live.id if live else None


def password_is_recent(token: str | None) -> bool:
    """Was the password entered in this session within the last REAUTH_MINUTES (at login or to confirm)?"""
    live = _live(token)
    recent = utcnow() - timedelta(minutes=current_app.config["REAUTH_MINUTES"])
    return live is not None and live.password_verified_at > recent


def reauthenticate(user: User, token: str | None, password: str) -> None:
    """The password entered again in this session: sensitive changes are open for REAUTH_MINUTES."""
    confirm_password(user, password)
    db.session.execute(update(UserSession).where(UserSession.token_hash == hash_token(token or ""),
                                                 UserSession.user_id == user.id)
                       .values(password_verified_at=utcnow()))
    record_audit(db.session, "auth.reauthenticated", actor=user, obj=user)


def _idle_limit(user: User) -> timedelta:
    config = current_app.config
    minutes = config["SESSION_IDLE_MINUTES_STAFF"] if user.is_staff else config["SESSION_IDLE_MINUTES_RESIDENT"]
    return timedelta(minutes=minutes)


#: Scalars of the logged-in user that every page shows, read by the session's own statement (a floor above
#: registers one: notifications, the unread count of the menu) instead of by one statement each.
_RIDERS: dict[str, Callable[[ColumnElement], ColumnElement]] = {}
_RIDDEN = "accounts.session_riders"


def ride_along(name: str, scalar: Callable[[ColumnElement], ColumnElement]) -> None:
    """Have `scalar(user_id column)`, a correlated scalar subquery, read with the session of every request."""
    _RIDERS[name] = scalar
    _session_user_statement.cache_clear()


@cache
def _session_user_statement():
    """The statement of every request: the session, its user and the user's grants (with their places), and the
    scalars registered with ride_along. Built once, at the first request (building it cost a third of a
    millisecond, each time); the token's hash is bound at execution."""
    riders = [scalar(UserSession.user_id).label(name) for name, scalar in _RIDERS.items()]
    return select(UserSession, *riders).where(*_IS_LIVE).options(
        joinedload(UserSession.user).joinedload(User.grants).joinedload(RoleGrant.place).defer(Place.boundary))


def ridden(name: str, user_id: int):
    """The value `name` had when this transaction loaded `user_id`'s session, or None (not loaded in it: ask)."""
    values = db.session.info.get(_RIDDEN)
    return values.get(name) if values and values["user_id"] == user_id else None


@event.listens_for(Session, "after_transaction_end")
def _forget_ridden(session: Session, transaction) -> None:
    # A value read in one transaction holds in it only: after a commit (a write, a notice) the next one asks again.
    if transaction.parent is None:
        session.info.pop(_RIDDEN, None)


def load_session_user(user_id: str, token: str | None) -> User | None:
    """The user of a live session, or None when the session was revoked, went idle or is too old."""
    if not user_id.isdigit() or not token:
        return None
    row = db.session.execute(_session_user_statement(), _live_params(token)).unique().first()
    live = row[0] if row else None
    if live is None or live.user_id != int(user_id) or not live.user.is_enabled:
        return None
    db.session.info[_RIDDEN] = {"user_id": live.user_id, **{name: row._mapping[name] for name in _RIDERS}}
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


def close_session(user: User, token: str | None) -> None:
    """Revoke one session (logout)."""
    if token:
        db.session.execute(update(UserSession).where(UserSession.token_hash == hash_token(token),
                                                     UserSession.revoked_at.is_(None)).values(revoked_at=utcnow()))
    record_audit(db.session, "auth.logout", actor=user, obj=user)


def revoke_sessions(user: User, *, except_token: str | None = None) -> None:
    """Revoke every live session of `user`, optionally keeping the current one."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if except_token:
        query = query.where(UserSession.token_hash != hash_token(except_token))
    db.session.execute(query.values(revoked_at=utcnow()))


def live_sessions_of(user: User) -> list[UserSession]:
    """The user's sessions still in use (not revoked, idle or too old), the most recently used first."""
    now = utcnow()
    idle, absolute = _idle_limit(user), timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])
    rows = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                        UserSession.revoked_at.is_(None))
                              .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc()))
    return [row for row in rows if now - row.last_seen_at <= idle and now - row.created_at <= absolute]


def is_current(row: UserSession, token: str | None) -> bool:
    return row.token_hash == hash_token(token or "")


def end_session(actor: User, session_id: int, *, keep_token: str | None) -> bool:
    """End another of the actor's own sessions (not the one of `keep_token`); False when there is no such one."""
    ended = db.session.execute(update(UserSession).where(UserSession.id == session_id,
                                                         UserSession.user_id == actor.id,
                                                         UserSession.token_hash != hash_token(keep_token or ""),
                                                         UserSession.revoked_at.is_(None))
                               .values(revoked_at=utcnow())).rowcount
    if ended:
        record_audit(db.session, "auth.session_ended", actor=actor, obj=actor, session_id=session_id)
    return bool(ended)


def end_other_sessions(actor: User, keep_token: str | None) -> None:
    """End every session of the actor's but this one."""
    revoke_sessions(actor, except_token=keep_token)
    record_audit(db.session, "auth.other_sessions_ended", actor=actor, obj=actor)


#: (marker in the User-Agent header, name shown), the first match wins: Edge and WeChat also say "Chrome".
_BROWSERS = (("MicroMessenger", "WeChat"), ("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("HarmonyOS", "HarmonyOS"), ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("Linux", "Linux"))


def device_of(user_agent: str | None) -> str:
    """A short name for the browser and system of a User-Agent header, e.g. "Chrome · Android"."""
    user_agent = user_agent or ""
    names = [next((name for marker, name in table if marker in user_agent), None) for table in (_BROWSERS, _SYSTEMS)]
    return " · ".join(name for name in names if name) or _("Unknown device")
