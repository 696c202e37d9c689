"""Event types: what each notification is about, who gets it, how it reads and where it links.

Features register their types at import time with `register(EventType(...))`; the fan-out looks them up by name.
Features below this package (accounts) only name their events; their types are registered here, in
`notifications.account_events`.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from planner_platform.core.outbox import EVENT_TYPE_NAMES
from planner_platform.notifications.models import Channel

#: Categories a user can switch per channel on the preferences page.
CATEGORIES = {
    "account": _l("My account and roles"),
}


@dataclass(frozen=True)
class EventType:
    name: str
    category: str
    #: Template with blocks `subject`, `summary` (one line for the inbox), `text` and `html` (email), `sms`.
    template: str
    #: Builds the site-relative link of the object from the payload (None: no link).
    link: Callable[[dict], str | None] = lambda payload: None
    channels: frozenset[Channel] = field(default_factory=lambda: frozenset({Channel.in_app, Channel.email}))
    #: Security notices go out at once on every channel, whatever the preferences say.
    mandatory: bool = False


EVENT_TYPES: dict[str, EventType] = {}


def register(event_type: EventType) -> EventType:
    if event_type.category not in CATEGORIES:
        raise ValueError(f"unknown notification category {event_type.category!r}")
    EVENT_TYPES[event_type.name] = event_type
    EVENT_TYPE_NAMES.add(event_type.name)
    return event_type


def register_category(name: str, label) -> None:
    CATEGORIES.setdefault(name, label)
