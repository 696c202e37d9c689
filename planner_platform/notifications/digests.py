"""Daily and weekly email digests: every waiting notification of a user in one message, in their language.

Features add staff sections (e.g. new and overdue proposals in a jurisdiction) with `register_digest_section`.
"""
import logging
from collections.abc import Callable

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from planner_platform.accounts.models import User
from planner_platform.core.db import utcnow
from planner_platform.core.urls import absolute_url
from planner_platform.extensions import db
from planner_platform.notifications.channels import DeliveryError, Mailer
from planner_platform.notifications.models import (Channel, DeliveryState, EmailFrequency, Notification,
                                                   NotificationSettings)

logger = logging.getLogger(__name__)
#: Callables (user) -> list of {"title": str, "items": [{"title": str, "link": str}]} for staff digests.
DIGEST_SECTIONS: list[Callable] = []


def register_digest_section(section: Callable) -> Callable:
    DIGEST_SECTIONS.append(section)
    return section


def _users_with_waiting_items(frequency: EmailFrequency) -> list[int]:
    chosen = func.coalesce(NotificationSettings.email_frequency, EmailFrequency.daily.name)
    return list(db.session.scalars(
        select(Notification.recipient_id).distinct()
        .outerjoin(NotificationSettings, NotificationSettings.user_id == Notification.recipient_id)
        .where(Notification.channel == Channel.email, Notification.state == DeliveryState.digest,
               chosen == frequency.name)))


def _send_digest(mailer: Mailer, user: User, frequency: EmailFrequency) -> bool:
    claimed = list(db.session.scalars(
        update(Notification).where(Notification.recipient_id == user.id, Notification.channel == Channel.email,
                                   Notification.state == DeliveryState.digest)
        .values(state=DeliveryState.sending, attempts=Notification.attempts + 1, next_attempt_at=utcnow())
        .returning(Notification.id)))
    db.session.commit()
    if not claimed:
        return False
    items = db.session.scalars(select(Notification).where(Notification.id.in_(claimed))
                               .order_by(Notification.created_at)).all()
    with force_locale(user.locale):
        sections = [section for make in DIGEST_SECTIONS for section in make(user)]
        context = {"user": user, "items": items, "sections": sections, "frequency": frequency,
                   "absolute_url": absolute_url}
        subject = _("Your daily digest") if frequency is EmailFrequency.daily else _("Your weekly digest")
        text = render_template("notifications/digest.txt", **context)
        html = render_template("notifications/digest.html", **context)
    address = user.email
    db.session.commit()  # hold no transaction (and no SQLite write lock) while the mail server answers
    try:
        mailer.send(address, subject, text, html)
    except DeliveryError as error:
        # Put them back for the next digest run rather than lose them.
        db.session.execute(update(Notification).where(Notification.id.in_(claimed))
                           .values(state=DeliveryState.digest, last_error=str(error)[:1000]))
        db.session.commit()
        return False
    db.session.execute(update(Notification).where(Notification.id.in_(claimed))
                       .values(state=DeliveryState.sent, sent_at=utcnow()))
    db.session.commit()
    return True


def send_digests(frequency: EmailFrequency) -> int:
    """Send one digest to every user of this frequency who has waiting items; returns how many went out."""
    sent = 0
    with Mailer() as mailer:
        for user_id in _users_with_waiting_items(frequency):
            user = db.session.get(User, user_id)
            if user.email and _send_digest(mailer, user, frequency):
                sent += 1
    logger.info("Sent %s %s digests", sent, frequency.name)
    return sent
