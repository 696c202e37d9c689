"""The retention schedule (README "Retention of personal data"): what the daily job deletes or anonymises once its
period, a config value in days, is over. The accounts' own rules are here, the features add theirs
(personal_data.register_retention). The audit log is never touched: the database refuses it, and it is kept at
least six months (Cybersecurity Law Art. 21)."""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select

from planner_platform.accounts import data_export
from planner_platform.accounts.models import DataExport, DataExportState, Invitation, PasswordResetToken, UserSession
from planner_platform.accounts.personal_data import RETENTION_RULES, register_retention
from planner_platform.extensions import db


def _days(name: str) -> timedelta:
    return timedelta(days=current_app.config[name])


@register_retention("invitations")
def _invitations(now: datetime) -> int:
    """Invitations never accepted (a name, a phone or an email of someone with no account), after their expiry."""
    return db.session.execute(delete(Invitation).where(
        Invitation.accepted_at.is_(None), Invitation.expires_at < now - _days("RETENTION_INVITATION_DAYS"))).rowcount


@register_retention("reset_tokens")
def _reset_tokens(now: datetime) -> int:
    return db.session.execute(delete(PasswordResetToken).where(
        PasswordResetToken.expires_at < now - _days("RETENTION_RESET_TOKEN_DAYS"))).rowcount


@register_retention("sessions")
def _sessions(now: datetime) -> int:
    """Session rows (address, device, times) ended longer ago than the security logs' period."""
    before = now - _days("RETENTION_SESSION_DAYS")
    return db.session.execute(delete(UserSession).where(or_(
        UserSession.revoked_at < before, UserSession.last_seen_at < before))).rowcount


@register_retention("data_exports")
def _data_exports(now: datetime) -> int:
    """Personal data exports: files past their link are deleted (the sweep does it sooner), rows after the period."""
    for export in db.session.scalars(select(DataExport).where(DataExport.state == DataExportState.ready,
                                                              DataExport.expires_at <= now)):
        data_export.remove_file(export)
    return db.session.execute(delete(DataExport).where(
        DataExport.state.in_([DataExportState.expired, DataExportState.failed]),
        DataExport.created_at < now - _days("RETENTION_DATA_EXPORT_DAYS"))).rowcount


def run(now: datetime) -> dict[str, int]:
    """Every rule, accounts' and features', with how many rows each touched."""
    return {name: rule(now) for name, rule in RETENTION_RULES.items()}
