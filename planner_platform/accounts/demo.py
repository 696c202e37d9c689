"""The demo city's authenticators: every demo staff account has two-step verification on with one published
secret, so that anyone trying the demo can add it to an authenticator app (README.md, "Demo accounts")."""
from sqlalchemy import select

from planner_platform.accounts.models import MfaSettings, Role, RoleGrant
from planner_platform.core.db import utcnow
from planner_platform.extensions import db

#: Published in README.md: demo data only, never on a real deployment.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def confirm_demo_authenticators() -> int:
    """Turn two-step verification on, with the demo secret, for every staff account that has none; idempotent."""
    staff = select(RoleGrant.user_id).where(RoleGrant.role != Role.resident, RoleGrant.revoked_at.is_(None))
    settings = {row.user_id: row for row in db.session.scalars(select(MfaSettings)
                                                               .where(MfaSettings.user_id.in_(staff)))}
    added = 0
    for user_id in db.session.scalars(staff.distinct()):
        row = settings.get(user_id) or MfaSettings(user_id=user_id, grace_logins_used=0)
        if row.confirmed_at is None:
            row.secret, row.confirmed_at = DEMO_TOTP_SECRET, utcnow()
            db.session.add(row)
            added += 1
    return added
