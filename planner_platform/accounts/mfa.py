"""Second factors: a TOTP authenticator (pyotp) with one-time recovery codes, the code step of a login, the grace
logins of staff before they enrol, and an administrator's reset. Callers commit.

A code is accepted for the current 30-second step or one step either side (clock drift), and only for a step later
than the last one accepted, by a guarded UPDATE: a code seen once, even by two requests at the same moment, is
refused the second time. Wrong codes count towards a lock of the account's code step (accounts.throttle).
"""
import hmac
import secrets
from datetime import datetime

import pyotp
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, or_, select, update

from planner_platform.access import actor_of
from planner_platform.accounts import throttle
from planner_platform.accounts.models import MfaRecoveryCode, MfaSettings, User
from planner_platform.accounts.permissions import can_administer_account
from planner_platform.accounts.sessions import revoke_sessions
from planner_platform.accounts.tokens import keyed_hash
from planner_platform.accounts.verification import CodeRefused
from planner_platform.core.audit import record_audit
from planner_platform.core.db import insert_for, utcnow
from planner_platform.core.errors import Conflict, NotAllowed
from planner_platform.extensions import db

RECOVERY_CODES = 10
#: Recovery code letters: no 0/o or 1/l/i to confuse when copied by hand.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def settings_of(user: User) -> MfaSettings | None:
    return db.session.scalar(select(MfaSettings).where(MfaSettings.user_id == user.id))


def is_enrolled(user: User) -> bool:
    settings = settings_of(user)
    return settings is not None and settings.confirmed_at is not None


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// link an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.phone or user.email,
                                               issuer_name=current_app.config["MFA_ISSUER"])


def remaining_recovery_codes(user: User) -> int:
    return len(db.session.scalars(select(MfaRecoveryCode.id).where(MfaRecoveryCode.user_id == user.id,
                                                                   MfaRecoveryCode.used_at.is_(None))).all())


def step_after_password(user: User) -> str | None:
    """What a correct password leads to: "code" when the user has an authenticator, "enrol" when a staff member
    has used up the grace logins (MFA_GRACE_LOGINS), otherwise None; a staff member's grace login is counted."""
    settings = settings_of(user)
    if settings is not None and settings.confirmed_at is not None:
        return "code"
    if not user.is_staff:
        return None
    if settings is None:
        db.session.execute(insert_for(db.session, MfaSettings).values(user_id=user.id, grace_logins_used=0,
                                                                      created_at=utcnow())
                           .on_conflict_do_nothing(index_elements=["user_id"]))
    counted = db.session.execute(update(MfaSettings).where(
        MfaSettings.user_id == user.id, MfaSettings.grace_logins_used < current_app.config["MFA_GRACE_LOGINS"])
        .values(grace_logins_used=MfaSettings.grace_logins_used + 1)).rowcount
    if not counted:
        return "enrol"
    record_audit(db.session, "auth.mfa_grace_login", actor=user, obj=user)
    return None


def _throttle_key(user: User) -> str:
    return keyed_hash("mfa", str(user.id))


def _refuse_if_locked(user: User, now: datetime) -> None:
    until = throttle.locked_until(_throttle_key(user), now)
    if until:
        record_audit(db.session, "auth.mfa_blocked", actor=user, obj=user, result="denied")
        minutes = max(1, int((until - now).total_seconds() + 59) // 60)
        raise CodeRefused(_("Too many wrong codes: please try again in %(minutes)d minutes.", minutes=minutes),
                          field="code")


def _refuse(user: User, now: datetime) -> None:
    attempt, lock = throttle.count_failure(_throttle_key(user), now)
    record_audit(db.session, "auth.mfa_failed", actor=user, obj=user, result="failure", attempt=attempt)
    if lock is not None:
        raise CodeRefused(_("Too many wrong codes: please try again in %(minutes)d minutes.",
                            minutes=current_app.config["LOGIN_LOCK_MINUTES"]), field="code")
    raise CodeRefused(_("The code is not correct."), field="code")


def _accept_totp(settings: MfaSettings, code: str, now: datetime) -> bool:
    """Accept a TOTP code of a step later than the last accepted one, and remember its step."""
    digits = code.replace(" ", "")
    if not (digits.isdigit() and len(digits) == 6):
        return False
    totp = pyotp.TOTP(settings.secret)
    current = totp.timecode(now)
    for counter in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(counter), digits):
            return bool(db.session.execute(update(MfaSettings).where(
                MfaSettings.id == settings.id,
                or_(MfaSettings.last_counter.is_(None), MfaSettings.last_counter < counter))
                .values(last_counter=counter)).rowcount)
    return False


def _recovery_hash(user: User, code: str) -> str:
    return keyed_hash("mfa-recovery", str(user.id), code.replace("-", "").replace(" ", "").lower())


def _use_recovery_code(user: User, code: str, now: datetime) -> bool:
    return bool(db.session.execute(update(MfaRecoveryCode).where(
        MfaRecoveryCode.user_id == user.id, MfaRecoveryCode.code_hash == _recovery_hash(user, code),
        MfaRecoveryCode.used_at.is_(None)).values(used_at=now)).rowcount)


def verify_login_code(user: User, code: str, *, now: datetime | None = None) -> str:
    """The code step of a login: a TOTP code ("totp") or a recovery code ("recovery"), which is then used up.
    Raises CodeRefused; the caller commits in both outcomes, so the failure count and the audit entry survive."""
    now = now or utcnow()
    _refuse_if_locked(user, now)
    settings = settings_of(user)
    if settings is None or settings.confirmed_at is None:
        _refuse(user, now)
    if _accept_totp(settings, code, now):
        kind = "totp"
    elif _use_recovery_code(user, code, now):
        kind = "recovery"
        record_audit(db.session, "auth.mfa_recovery_code_used", actor=user, obj=user,
                     remaining=remaining_recovery_codes(user))
    else:
        _refuse(user, now)
    throttle.clear(_throttle_key(user))
    return kind


def begin_enrolment(actor: User) -> MfaSettings:
    """The secret the enrolment page shows: the one shown before while it is unconfirmed, else a new one."""
    settings = settings_of(actor)
    if settings is None:
        settings = MfaSettings(user_id=actor.id, grace_logins_used=0)
        db.session.add(settings)
    if settings.confirmed_at is not None:
        raise Conflict(_("Two-step verification is already on for your account."))
    if settings.secret is None:
        settings.secret = pyotp.random_base32()
    db.session.flush()
    return settings


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user.id))
    codes = []
    for _number in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _letter in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(MfaRecoveryCode(user_id=user.id, code_hash=_recovery_hash(user, raw)))
    return codes


def confirm_enrolment(actor: User, code: str, *, now: datetime | None = None) -> list[str]:
    """Turn the authenticator on with a first code from it; returns the recovery codes, shown this once."""
    now = now or utcnow()
    settings = begin_enrolment(actor)
    _refuse_if_locked(actor, now)
    if not _accept_totp(settings, code, now):
        _refuse(actor, now)
    throttle.clear(_throttle_key(actor))
    settings.confirmed_at = now
    record_audit(db.session, "auth.mfa_enrolled", actor=actor, obj=actor)
    return _new_recovery_codes(actor)


def renew_recovery_codes(actor: User) -> list[str]:
    """New recovery codes for the actor's own authenticator, the old ones void; shown this once."""
    if not is_enrolled(actor):
        raise Conflict(_("Two-step verification is not on for your account."))
    record_audit(db.session, "auth.mfa_codes_renewed", actor=actor, obj=actor)
    return _new_recovery_codes(actor)


def _forget_authenticator(settings: MfaSettings) -> None:
    """The key, its last step and the recovery codes go: the next enrolment starts from a new key."""
    db.session.execute(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == settings.user_id))
    settings.secret = settings.confirmed_at = settings.last_counter = None


def turn_off(actor: User) -> None:
    """A resident who opted in turns the second step off again; a staff role requires it, so staff cannot."""
    if actor.is_staff:
        raise NotAllowed(_("Your role requires two-step verification: it cannot be turned off."))
    settings = settings_of(actor)
    if settings is None or settings.confirmed_at is None:
        raise Conflict(_("Two-step verification is not on for your account."))
    _forget_authenticator(settings)
    record_audit(db.session, "auth.mfa_disabled", actor=actor, obj=actor)


def reset_mfa(actor: User, user: User, *, reason: str = "") -> None:
    """An administrator removes a person's authenticator (a lost phone): their sessions end, and a staff
    member's next login leads straight to enrolling a new one."""
    if not can_administer_account(actor_of(actor), user):
        raise NotAllowed(_("You may not reset this person's two-step verification."))
    settings = settings_of(user)
    if settings is None or settings.secret is None:
        raise Conflict(_("This person has no authenticator to reset."))
    _forget_authenticator(settings)
    settings.grace_logins_used = current_app.config["MFA_GRACE_LOGINS"]
    revoke_sessions(user)
    record_audit(db.session, "auth.mfa_reset", actor=actor, obj=user, reason=reason)
