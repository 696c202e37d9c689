"""Daily and weekly email digests: every waiting notification of a user in one message, in their language.

Features add staff sections (e.g. new and overdue proposals in a jurisdiction) with `register_digest_section`.
"""
import logging
from collections.abc import Callable
from datetime import timedelta

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from planner_platform.accounts.models import Role, RoleGrant, User
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


#: A digest is not sent again within this time, so a beat that fires twice (or a manual rerun) does no harm.
MIN_GAP = {EmailFrequency.daily: timedelta(hours=20), EmailFrequency.weekly: timedelta(days=6)}


def _candidates(frequency: EmailFrequency) -> list[int]:
    """Users of this frequency with waiting items, and staff (whose digests carry jurisdiction sections)."""
    chosen = func.coalesce(NotificationSettings.email_frequency, EmailFrequency.daily.name)
    waiting = (select(Notification.recipient_id.label("user_id"))
               .outerjoin(NotificationSettings, NotificationSettings.user_id == Notification.recipient_id)
               .where(Notification.channel == Channel.email, Notification.state == DeliveryState.digest,
                      chosen == frequency.name))
    staff = (select(RoleGrant.user_id).join(User, User.id == RoleGrant.user_id)
             .outerjoin(NotificationSettings, NotificationSettings.user_id == RoleGrant.user_id)
             .where(RoleGrant.revoked_at.is_(None), RoleGrant.role != Role.resident, User.email.is_not(None),
                    User.is_enabled.is_(True), chosen == frequency.name))
    return sorted(set(db.session.scalars(waiting.union(staff))))


def _recently_sent(user: User, frequency: EmailFrequency) -> bool:
    settings = db.session.get(NotificationSettings, user.id)
    return bool(settings and settings.last_digest_at and utcnow() - settings.last_digest_at < MIN_GAP[frequency])


def _mark_sent(user: User) -> None:
    settings = db.session.get(NotificationSettings, user.id)
    if settings is None:
        db.session.add(NotificationSettings(user_id=user.id, last_digest_at=utcnow()))
    else:
        settings.last_digest_at = utcnow()


def _send_digest(mailer: Mailer, user: User, frequency: EmailFrequency) -> bool:
    if _recently_sent(user, frequency):
        return False
    claimed = list(db.session.scalars(
        update(Notification).where(Notification.recipient_id == user.id, Notification.channel == Channel.email,
                                   Notification.state == DeliveryState.digest)
        .values(state=DeliveryState.sending, attempts=Notification.attempts + 1, next_attempt_at=utcnow())
        .returning(Notification.id)))
    db.session.commit()
    items = db.session.scalars(select(Notification).where(Notification.id.in_(claimed))
                               .order_by(Notification.created_at)).all()
    with force_locale(user.locale):
        sections = [section for make in DIGEST_SECTIONS for section in make(user) if section["items"]]
        if not items and not sections:
            return False
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
    _mark_sent(user)
    db.session.commit()
    return True


def _release(user_id: int) -> None:
    """Put items claimed for a digest that failed back in the queue of the next digest."""
    db.session.execute(update(Notification).where(
        Notification.recipient_id == user_id, Notification.channel == Channel.email,
        Notification.state == DeliveryState.sending, Notification.attempts > 0).values(state=DeliveryState.digest))
    db.session.commit()


def send_digests(frequency: EmailFrequency) -> int:
    """Send one digest to every user of this frequency who has waiting items or staff sections; returns the count."""
    sent = 0
    with Mailer() as mailer:
        for user_id in _candidates(frequency):
            user = db.session.get(User, user_id)
            try:
                if user.email and _send_digest(mailer, user, frequency):
                    sent += 1
            except Exception:  # one broken digest must not stop everybody else's
                logger.exception("Digest for user %s failed; its items wait for the next run", user_id)
                db.session.rollback()
                _release(user_id)
    logger.info("Sent %s %s digests", sent, frequency.name)
    return sent
