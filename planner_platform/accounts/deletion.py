"""Deleting one's account (PIPL Art. 47): asked for after re-authentication, carried out by the daily job once the
cooling-off period (ACCOUNT_DELETION_COOLING_DAYS) is over, cancellable until then. The row stays, for the public
proposals and comments and the audit log that point at it, without name or contacts; pages call it "Deleted
user". Staff accounts are not deleted: the daily job disables an account once its last staff role has ended.
Callers commit."""
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, exists, select, update

from planner_platform.accounts import consents, data_export
from planner_platform.accounts.models import (DataExport, MfaRecoveryCode, MfaSettings, PasswordResetToken, PiiAccess,
                                              Role, RoleGrant, User)
from planner_platform.accounts.personal_data import ERASERS
from planner_platform.accounts.sessions import revoke_sessions
from planner_platform.core.audit import record_audit
from planner_platform.core.db import utcnow
from planner_platform.core.errors import DomainError
from planner_platform.extensions import db

#: What a deleted account's password hash is set to: no password can ever match it.
UNUSABLE_PASSWORD = "!deleted"


def request_deletion(actor: User) -> datetime:
    """Schedule the actor's own account for deletion after the cooling-off period; returns when it is due."""
    if actor.is_staff:
        raise DomainError(_("Accounts with a staff role are not deleted here: they are closed when the role ends. "
                            "Ask the office that gave you the role."))
    if actor.deletion_due_at is None:
        actor.deletion_due_at = utcnow() + timedelta(days=current_app.config["ACCOUNT_DELETION_COOLING_DAYS"])
        record_audit(db.session, "accounts.deletion_requested", actor=actor, obj=actor,
                     due=actor.deletion_due_at.isoformat())
    return actor.deletion_due_at


def cancel_deletion(actor: User) -> bool:
    """Keep the account after all; False when no deletion was scheduled."""
    if actor.deletion_due_at is None:
        return False
    actor.deletion_due_at = None
    record_audit(db.session, "accounts.deletion_cancelled", actor=actor, obj=actor)
    return True


def erase(user: User) -> None:
    """Delete the account's personal data now: the features' erasers, its exports, consents, sessions, grants and
    authenticator, the name kept with staff looks at its contacts, then name, contacts and password; the row, the
    audit entries and the PII-access rows about it stay (security logs, by the account's id)."""
    for eraser in ERASERS:
        eraser(user)
    for export in db.session.scalars(select(DataExport).where(DataExport.user_id == user.id)):
        data_export.remove_file(export)
    consents.withdraw_all(user)
    revoke_sessions(user)
    now = utcnow()
    db.session.execute(update(RoleGrant).where(RoleGrant.user_id == user.id, RoleGrant.revoked_at.is_(None))
                       .values(revoked_at=now))
    for model in (PasswordResetToken, MfaRecoveryCode, MfaSettings):
        db.session.execute(delete(model).where(model.user_id == user.id))
    # The one change the PII-access log allows (its trigger): the name of a deleted account is blanked.
    db.session.execute(update(PiiAccess).where(PiiAccess.subject_user_id == user.id).values(subject_name=""))
    user.display_name, user.phone, user.email = "", None, None  # the phone and email are free for a new account
    user.password_hash, user.is_enabled = UNUSABLE_PASSWORD, False
    user.deleted_at, user.deletion_due_at = now, None
    record_audit(db.session, "accounts.deleted", obj=user)


def carry_out_due(now: datetime) -> int:
    """Daily: delete the accounts whose cooling-off period is over, unless they hold a staff role by now (a grant
    cancels the deletion; this guards grants written some other way)."""
    holds_staff_role = exists().where(RoleGrant.user_id == User.id, RoleGrant.role != Role.resident,
                                      RoleGrant.revoked_at.is_(None))
    due = db.session.scalars(select(User).where(User.deletion_due_at <= now, User.deleted_at.is_(None),
                                                ~holds_staff_role)).all()
    for user in due:
        erase(user)
    return len(due)


def disable_ended_staff() -> int:
    """Daily: disable the accounts that once held a staff role and now hold no role at all (no resident use
    either), and end their sessions; such an account is kept for the record, not deleted."""
    had_staff_role = exists().where(RoleGrant.user_id == User.id, RoleGrant.role != Role.resident,
                                    RoleGrant.revoked_at.is_not(None))
    holds_a_role = exists().where(RoleGrant.user_id == User.id, RoleGrant.revoked_at.is_(None))
    ended = db.session.scalars(select(User).where(User.is_enabled.is_(True), User.deleted_at.is_(None),
                                                  had_staff_role, ~holds_a_role)).all()
    for user in ended:
        user.is_enabled = False
        revoke_sessions(user)
        record_audit(db.session, "accounts.disabled", obj=user, reason="staff_roles_ended")
    return len(ended)
