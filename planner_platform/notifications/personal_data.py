"""What notifications hold about a person (their deliveries and choices), for their own data export and for the
deletion of their account."""
from sqlalchemy import delete, select

from planner_platform.accounts.models import User
from planner_platform.accounts.personal_data import Section, iso, register_eraser, register_section
from planner_platform.extensions import db
from planner_platform.notifications.models import Notification, NotificationPreference, NotificationSettings


def _notifications(user: User) -> list[dict]:
    rows = db.session.scalars(select(Notification).where(Notification.recipient_id == user.id)
                              .order_by(Notification.id))
    return [{"channel": n.channel.value, "title": n.title, "link": n.link, "state": n.state.value,
             "created_at": iso(n.created_at), "sent_at": iso(n.sent_at), "read_at": iso(n.read_at)} for n in rows]


register_section(Section("notifications", ("channel", "title", "link", "state", "created_at", "sent_at", "read_at"),
                         _notifications))


@register_eraser
def _erase(user: User) -> None:
    for model, column in ((Notification, Notification.recipient_id), (NotificationPreference,
                                                                      NotificationPreference.user_id),
                          (NotificationSettings, NotificationSettings.user_id)):
        db.session.execute(delete(model).where(column == user.id))
