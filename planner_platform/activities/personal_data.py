"""What activities hold about a person (their registrations), for their own data export, and the retention of
check-in codes."""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from planner_platform.accounts.models import User
from planner_platform.accounts.personal_data import Section, iso, register_retention, register_section
from planner_platform.activities.models import Activity, Registration
from planner_platform.extensions import db


def _registrations(user: User) -> list[dict]:
    rows = db.session.execute(select(Registration, Activity.title, Activity.starts_at).join(Activity)
                              .where(Registration.user_id == user.id).order_by(Registration.id))
    return [{"activity_id": r.activity_id, "activity": title, "starts_at": iso(starts_at),
             "registered_at": iso(r.created_at), "checked_in_at": iso(r.checked_in_at)}
            for r, title, starts_at in rows]


register_section(Section("activity_registrations",
                         ("activity_id", "activity", "starts_at", "registered_at", "checked_in_at"), _registrations))


@register_retention("checkin_codes")
def _checkin_codes(now: datetime) -> int:
    """An activity's check-in code is blanked once the activity ended RETENTION_CHECKIN_CODE_DAYS ago."""
    before = now - timedelta(days=current_app.config["RETENTION_CHECKIN_CODE_DAYS"])
    return db.session.execute(update(Activity).where(Activity.ends_at < before, Activity.checkin_code != "")
                              .values(checkin_code="").execution_options(synchronize_session=False)).rowcount
