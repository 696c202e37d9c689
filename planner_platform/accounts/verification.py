"""Codes that prove someone holds a phone number or an email address (registration, a new phone or email).

One row per purpose and address, written by one atomic statement each time: a new code replaces the old one,
at most one code a minute and a few a day go to one address, a code expires, works once and takes only a few
wrong tries. When the address already belongs to an account, its owner is told instead and the row holds a
code nobody was sent, so every later step answers exactly as for a free address (no enumeration).
"""
import hmac
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, case, delete, literal, or_, update

from planner_platform.accounts.models import CodePurpose, VerificationCode
from planner_platform.accounts.tokens import keyed_hash, new_code
from planner_platform.core.db import UTCDateTime, insert_for, utcnow
from planner_platform.core.errors import Refused
from planner_platform.extensions import db
from planner_platform.core.outbox import send_message


class CodeRefused(Refused):
    """A wrong, expired or used-up code; the attempt stays counted."""


def _target_hash(purpose: CodePurpose, target: str) -> str:
    return keyed_hash("target", purpose.value, target)


def _code_hash(purpose: CodePurpose, target: str, code: str) -> str:
    return keyed_hash("code", purpose.value, target, code)


def send_code(purpose: CodePurpose, target: str, *, code_message, taken_message=None) -> bool:
    """Store a fresh code for `target` and send it, unless the resend wait or the daily cap holds it back.

    code_message(code) → (subject, body) of the message with the code; taken_message: (subject, body) sent
    instead when the address already belongs to an account. Returns whether a message went out (callers show
    the same page either way).
    """
    config = current_app.config
    now = utcnow()
    code = new_code()
    table = VerificationCode.__table__
    new_day = table.c.sends_since <= now - timedelta(days=1)
    insert = insert_for(db.session, VerificationCode).values(
        purpose=purpose.value, target_hash=_target_hash(purpose, target), code_hash=_code_hash(purpose, target, code),
        expires_at=now + timedelta(minutes=config["VERIFICATION_CODE_TTL_MINUTES"]), attempts=0, used_at=None,
        last_sent_at=now, sends=1, sends_since=now)
    stored = db.session.execute(insert.on_conflict_do_update(
        index_elements=["purpose", "target_hash"],
        set_={"code_hash": insert.excluded.code_hash, "expires_at": insert.excluded.expires_at, "attempts": 0,
              "used_at": None, "last_sent_at": insert.excluded.last_sent_at,
              "sends": case((new_day, 1), else_=table.c.sends + 1),
              "sends_since": case((new_day, literal(now, UTCDateTime())), else_=table.c.sends_since)},
        where=and_(table.c.last_sent_at <= now - timedelta(seconds=config["VERIFICATION_RESEND_SECONDS"]),
                   or_(new_day, table.c.sends < config["VERIFICATION_MAX_SENDS_PER_DAY"])),
    ).returning(table.c.id)).first()
    if stored is None:
        return False
    subject, body = taken_message or code_message(code)
    send_message(target, subject, body)
    return True


def use_code(purpose: CodePurpose, target: str, code: str) -> None:
    """Accept the code sent to `target` once, or raise CodeRefused; every try counts, right or wrong."""
    now = utcnow()
    tried = db.session.execute(
        update(VerificationCode).where(
            VerificationCode.purpose == purpose, VerificationCode.target_hash == _target_hash(purpose, target),
            VerificationCode.used_at.is_(None), VerificationCode.expires_at > now,
            VerificationCode.attempts < current_app.config["VERIFICATION_CODE_MAX_ATTEMPTS"])
        .values(attempts=VerificationCode.attempts + 1)
        .returning(VerificationCode.id, VerificationCode.code_hash),
        execution_options={"synchronize_session": False}).first()
    if tried is None:
        raise CodeRefused(_("This code has expired or was tried too often. Ask for a new code."), field="code")
    if not hmac.compare_digest(tried.code_hash, _code_hash(purpose, target, (code or "").strip())):
        raise CodeRefused(_("The code is not correct."), field="code")
    used = db.session.execute(
        update(VerificationCode).where(VerificationCode.id == tried.id, VerificationCode.used_at.is_(None))
        .values(used_at=now).returning(VerificationCode.id), execution_options={"synchronize_session": False}).first()
    if used is None:  # a simultaneous request used it first
        raise CodeRefused(_("This code has expired or was tried too often. Ask for a new code."), field="code")



def purge(now) -> int:
    """Delete codes that expired more than a day ago (the daily cap no longer needs them)."""
    day_ago = now - timedelta(days=1)
    return db.session.execute(delete(VerificationCode).where(VerificationCode.expires_at <= day_ago,
                                                             VerificationCode.sends_since <= day_ago)).rowcount
