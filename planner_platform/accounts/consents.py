"""Consents by purpose (PIPL Arts. 14–15): the account (required), text-message notices, one's full name on one's
proposals, anonymised research use. Each is given or withdrawn with its time and the version of the text read;
rows are never deleted, a withdrawal stamps the live row and giving again adds a new one. Callers commit."""
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, literal, select

from planner_platform.accounts.models import Consent, User
from planner_platform.core.audit import record_audit
from planner_platform.core.concurrency import lock_row
from planner_platform.core.db import UTCDateTime, utcnow
from planner_platform.core.errors import DomainError
from planner_platform.extensions import db

ACCOUNT = "account"
SMS = "sms"
NAME_PUBLICATION = "name_publication"
RESEARCH = "research"


@dataclass(frozen=True)
class Purpose:
    name: str
    label: str
    #: Required purposes are given at registration and end only with the account.
    required: bool = False


PURPOSES = {purpose.name: purpose for purpose in (
    Purpose(ACCOUNT, _l("Account and privacy notice"), required=True),
    Purpose(SMS, _l("Notices by text message")),
    Purpose(NAME_PUBLICATION, _l("My full name on my public proposals")),
    Purpose(RESEARCH, _l("Anonymised use of my contributions for research")),
)}
OPTIONAL = [purpose for purpose in PURPOSES.values() if not purpose.required]


def policy_version(purpose: str) -> str:
    """The version of the purpose's text in force now (config)."""
    config = current_app.config
    return config["PRIVACY_POLICY_VERSION"] if purpose == ACCOUNT else config["CONSENT_POLICY_VERSIONS"][purpose]


def policy_template(purpose: str) -> str:
    """The text a person reads before giving an optional purpose: one template file per version."""
    return f"accounts/policies/{purpose}-{policy_version(purpose)}.html"


def live_purposes(user_id: int) -> dict[str, Consent]:
    """The person's consents in force, by purpose."""
    rows = db.session.scalars(select(Consent).where(Consent.user_id == user_id, Consent.withdrawn_at.is_(None)))
    return {row.purpose: row for row in rows}


def has_consent(user_id: int, purpose: str) -> bool:
    return db.session.scalar(select(Consent.id).where(Consent.user_id == user_id, Consent.purpose == purpose,
                                                      Consent.withdrawn_at.is_(None))) is not None


def history(user_id: int) -> list[Consent]:
    return db.session.scalars(select(Consent).where(Consent.user_id == user_id)
                              .order_by(Consent.granted_at.desc(), Consent.id.desc())).all()


def record(user: User, purpose: str, channel: str) -> Consent:
    """Add a consent row at the current version (registration, an invitation, the consents page)."""
    consent = Consent(user_id=user.id, purpose=purpose, granted_at=utcnow(), channel=channel,
                      policy_version=policy_version(purpose))
    db.session.add(consent)
    return consent


def _optional(purpose: str) -> Purpose:
    if purpose not in PURPOSES or PURPOSES[purpose].required:
        raise DomainError(_("This consent cannot be changed here."))
    return PURPOSES[purpose]


def give(actor: User, purpose: str) -> Consent | None:
    """The actor consents to an optional purpose, at the current version of its text; None if already given."""
    _optional(purpose)
    lock_row(User, actor.id)  # two clicks at once add one row (a partial unique index backs this)
    if has_consent(actor.id, purpose):
        return None
    consent = record(actor, purpose, "web")
    record_audit(db.session, "consents.given", actor=actor, obj=actor, purpose=purpose,
                 version=consent.policy_version)
    return consent


def withdraw(actor: User, purpose: str) -> bool:
    """The actor withdraws an optional purpose: the live row is stamped, never deleted. False if none was live."""
    _optional(purpose)
    lock_row(User, actor.id)
    consent = live_purposes(actor.id).get(purpose)
    if consent is None:
        return False
    consent.withdrawn_at = utcnow()
    record_audit(db.session, "consents.withdrawn", actor=actor, obj=actor, purpose=purpose,
                 version=consent.policy_version)
    return True


def withdraw_all(user: User) -> None:
    """Every live consent of a deleted account ends with it."""
    for consent in live_purposes(user.id).values():
        consent.withdrawn_at = utcnow()


def record_missing_account_consents(channel: str) -> int:
    """An account consent for every live account without one (seeded accounts), set-based and idempotent."""
    has_one = select(Consent.id).where(Consent.user_id == User.id, Consent.purpose == ACCOUNT).exists()
    rows = select(User.id, literal(ACCOUNT), literal(policy_version(ACCOUNT)), literal(utcnow(), UTCDateTime),
                  literal(channel)).where(User.deleted_at.is_(None), ~has_one)
    return db.session.execute(insert(Consent).from_select(
        ["user_id", "purpose", "policy_version", "granted_at", "channel"], rows)
        .execution_options(preserve_rowcount=True)).rowcount
