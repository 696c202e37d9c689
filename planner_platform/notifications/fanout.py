"""Turning one event into delivery rows for every recipient and channel, set-based (or a direct message's one).

One INSERT … SELECT per channel creates all rows at once; the unique (event, recipient, channel) key makes a
repeated fan-out (a redelivered task, a second relay) add nothing.
"""
import logging

from flask import current_app
from sqlalchemy import and_, case, exists, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from planner_platform.accounts.models import RoleGrant, User
from planner_platform.areas.models import Place
from planner_platform.core.db import utcnow
from planner_platform.core.outbox import OutboxEvent
from planner_platform.extensions import db
from planner_platform.notifications.models import (Channel, DeliveryState, EmailFrequency, Notification,
                                                   NotificationPreference, NotificationSettings)
from planner_platform.notifications.registry import EVENT_TYPES, EventType
from planner_platform.notifications.rendering import RenderError, render_event

logger = logging.getLogger(__name__)
NO_ADDRESS = {Channel.email: "no email address on the account", Channel.sms: "no phone number on the account"}


def recipient_ids(spec: dict):
    """A SELECT of the user ids an event's recipient spec names (see outbox.emit)."""
    if "users" in spec:
        return select(User.id).where(User.id.in_([int(i) for i in spec["users"]]))
    grant_place = aliased(Place)
    target = select(Place.path).where(Place.id == int(spec["place_id"])).scalar_subquery()
    if spec.get("scope", "covering") == "covering":
        in_scope = target.like(grant_place.path + "%")
    else:
        in_scope = grant_place.path.like(target + "%")
    return (select(RoleGrant.user_id).join(grant_place, RoleGrant.place_id == grant_place.id)
            .where(RoleGrant.role.in_(spec["roles"]), RoleGrant.revoked_at.is_(None), in_scope))


def _insert(rows_select, columns):
    dialect = db.engine.dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(Notification).from_select(columns, rows_select)
    # preserve_rowcount: SQLAlchemy reports INSERT row counts only when asked.
    return statement.on_conflict_do_nothing(index_elements=["event_id", "recipient_id", "channel"]).execution_options(
        preserve_rowcount=True)


def _preference_allows(event_type: EventType, channel: Channel):
    choice = select(NotificationPreference.enabled).where(
        NotificationPreference.user_id == User.id, NotificationPreference.category == event_type.category,
        NotificationPreference.channel == channel)
    if event_type.mandatory:
        return literal(True)
    if channel is Channel.sms:  # text messages cost money and wake people: only when asked for
        return exists(choice.where(NotificationPreference.enabled.is_(True)))
    return ~exists(choice.where(NotificationPreference.enabled.is_(False)))


def _titles(event_type: EventType, payload: dict, link: str | None) -> dict[str, str | Exception]:
    titles = {}
    for locale in current_app.config["LANGUAGES"]:
        try:
            titles[locale] = render_event(event_type.template, payload, locale, link)["summary"][:200]
        except RenderError as error:
            logger.error("Cannot render %s: %s", event_type.name, error)
            titles[locale] = error
    return titles


def _by_locale(values: dict, default):
    """CASE on the recipient's language, picking one of the per-locale values."""
    cases = [(User.locale == locale, literal(value)) for locale, value in values.items()]
    return case(*cases, else_=literal(default)) if cases else literal(default)


def fan_out(event: OutboxEvent) -> int:
    """Create the delivery rows of a notify event; returns how many rows were added."""
    event_type = EVENT_TYPES[event.event_type]
    try:
        link = event_type.link(event.payload)
    except Exception:  # a link that cannot be built must not hold back the notification itself
        logger.exception("Cannot build the link of %s event %s", event.event_type, event.id)
        link = None
    titles = _titles(event_type, event.payload, link)
    fallback = titles.get(current_app.config["BABEL_DEFAULT_LOCALE"], "")
    ok_titles = {k: v for k, v in titles.items() if not isinstance(v, Exception)}
    broken = {k: str(v)[:1000] for k, v in titles.items() if isinstance(v, Exception)}
    now = utcnow()
    frequency = func.coalesce(NotificationSettings.email_frequency, EmailFrequency.daily.name)
    columns = ["event_id", "recipient_id", "channel", "state", "title", "link", "last_error", "created_at",
               "sent_at", "attempts"]
    added = 0
    for channel in sorted(event_type.channels, key=lambda c: c.value):
        address = {Channel.email: User.email, Channel.sms: User.phone}.get(channel)
        if channel is Channel.in_app:
            state = case((User.locale.in_(list(broken)), literal(DeliveryState.failed.name)),
                         else_=literal(DeliveryState.sent.name))
            error = _by_locale(broken, None) if broken else literal(None)
        elif event_type.mandatory or channel is Channel.sms:
            state = case((address.is_(None), literal(DeliveryState.skipped.name)),
                         else_=literal(DeliveryState.pending.name))
            error = case((address.is_(None), literal(NO_ADDRESS[channel])), else_=literal(None))
        else:
            state = case((address.is_(None), literal(DeliveryState.skipped.name)),
                         (frequency == EmailFrequency.immediate.name, literal(DeliveryState.pending.name)),
                         else_=literal(DeliveryState.digest.name))
            error = case((address.is_(None), literal(NO_ADDRESS[channel])), else_=literal(None))
        rows = (select(literal(event.id), User.id, literal(channel.name), state,
                       _by_locale(ok_titles, fallback if isinstance(fallback, str) else ""),
                       literal(link), error, literal(now),
                       literal(now) if channel is Channel.in_app else literal(None), literal(0))
                .where(User.id.in_(recipient_ids(event.payload["recipients"])), User.is_enabled.is_(True),
                       _preference_allows(event_type, channel)))
        if channel is Channel.email:
            rows = rows.outerjoin(NotificationSettings, NotificationSettings.user_id == User.id)
            if not event_type.mandatory:
                rows = rows.where(or_(address.is_(None), frequency != EmailFrequency.off.name))
        added += db.session.execute(_insert(rows, columns)).rowcount
    return added


def add_direct_message(event: OutboxEvent) -> int:
    """The one delivery row of a direct message: to its address, by email when it has an @, else by SMS."""
    to = event.payload["to"]
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = insert(Notification).values(
        event_id=event.id, address=to, channel=Channel.email if "@" in to else Channel.sms,
        state=DeliveryState.pending, title=event.payload["subject"][:200], attempts=0, created_at=utcnow())
    return db.session.execute(statement.on_conflict_do_nothing(
        index_elements=["event_id"], index_where=Notification.recipient_id.is_(None))
        .execution_options(preserve_rowcount=True)).rowcount


def claim_unprocessed(event_id: int) -> OutboxEvent | None:
    """Lock an event that still needs processing; None when another worker has it or it is done."""
    query = select(OutboxEvent).where(OutboxEvent.id == event_id, OutboxEvent.processed_at.is_(None))
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return db.session.scalar(query)


def mark_processed(event: OutboxEvent) -> None:
    db.session.execute(update(OutboxEvent).where(OutboxEvent.id == event.id).values(processed_at=utcnow()))


def pending_delivery_ids(event_id: int) -> list[int]:
    return list(db.session.scalars(select(Notification.id).where(
        and_(Notification.event_id == event_id, Notification.state == DeliveryState.pending))))
