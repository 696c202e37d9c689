"""Health figures of the notification pipeline, for /readyz and the operations page, and the sections other
features add to that page (jobs of theirs that need an administrator)."""
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from planner_platform.core.outbox import OutboxEvent
from planner_platform.notifications.models import DeliveryState, Notification


def outbox_health() -> dict:
    """Pending events, the age of the oldest in seconds, and delivery counts by state."""
    pending, oldest = db.session.execute(
        select(func.count(), func.min(OutboxEvent.created_at)).where(OutboxEvent.processed_at.is_(None))).one()
    by_state = dict(db.session.execute(select(Notification.state, func.count()).group_by(Notification.state)).all())
    return {
        "pending_events": pending,
        "oldest_pending_seconds": int((utcnow() - oldest).total_seconds()) if oldest else 0,
        "deliveries": {state.name: by_state.get(state, 0) for state in DeliveryState},
    }


#: Deliveries that need an administrator: given up, or cut off mid-send (README, Notifications).
NEEDS_ATTENTION = (DeliveryState.failed, DeliveryState.unknown)


def failed_deliveries(limit: int = 50) -> list[Notification]:
    return db.session.scalars(select(Notification).where(Notification.state.in_(NEEDS_ATTENTION))
                              .options(joinedload(Notification.recipient))
                              .order_by(Notification.id.desc()).limit(limit)).all()


#: Callables () -> {"key": str, "title": str, "empty": str, "rows": [{"when": datetime, "what": str, "link": str,
#: "error": str}]}: a feature's failed background jobs, listed on the operations page under their title.
OPERATIONS_SECTIONS: list[Callable[[], dict]] = []


def register_operations_section(section: Callable[[], dict]) -> Callable[[], dict]:
    OPERATIONS_SECTIONS.append(section)
    return section
