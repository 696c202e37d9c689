"""The PII-access log: a row for every look at a person's unmasked contact details, and its listing by area.

Each feature's reveal service checks its own rule for its own record, then calls `record`; the listing shows a
district's staff and the admins the looks at records of their area.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import g, has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from planner_platform.access import Actor, actor_of, holds_role_over
from planner_platform.accounts.models import PiiAccess, PiiPurpose, Role, User
from planner_platform.accounts.permissions import CONTACT_ROLES, can_reveal_contact
from planner_platform.areas.models import Place
from planner_platform.core.calendar import local_zone
from planner_platform.core.errors import DomainError, NotAllowed
from planner_platform.extensions import db

#: The role recorded for a look, when the actor holds several over the record's place: the widest first.
ROLE_PRECEDENCE = (Role.admin, Role.city_observer, Role.district_staff, Role.subdistrict_staff,
                   Role.community_worker, Role.planner, Role.resident)


@dataclass(frozen=True)
class Subject:
    """Whose record was shown: its table and id, its name then, its account if it has one, and its area."""
    kind: str
    id: int
    name: str
    place: Place
    user_id: int | None = None


def role_over(actor: Actor, place: Place) -> Role:
    """The role through which the actor reaches `place`; a planner serving it through a team holds none there."""
    roles = {grant.role for grant in actor.grants if place.is_within(grant.place)}
    return next((role for role in ROLE_PRECEDENCE if role in roles), Role.planner)


def record(actor: User, subject: Subject, fields: list[str], purpose: PiiPurpose, note: str = "") -> PiiAccess:
    """Log one look at `fields` of `subject`, already allowed by the caller's own rule."""
    if purpose is PiiPurpose.other and not note.strip():
        raise DomainError(_("Say what you need the contact details for."), field="note")
    access = PiiAccess(actor_id=actor.id, actor_role=role_over(actor_of(actor), subject.place),
                       subject_type=subject.kind, subject_id=subject.id, subject_name=subject.name[:50],
                       subject_user_id=subject.user_id, place_id=subject.place.id, fields=fields, purpose=purpose,
                       note=note.strip(), ip=request.remote_addr if has_request_context() else None,
                       request_id=g.get("request_id") if has_request_context() else None)
    db.session.add(access)
    db.session.flush()
    return access


def reveal_account(actor: User, account: User, purpose: PiiPurpose, note: str = "") -> dict[str, str]:
    """An account's full phone and email, once, logged with the purpose."""
    viewer = actor_of(actor)
    if not can_reveal_contact(viewer, account):
        raise NotAllowed(_("You may not see this person's contact details."))
    places = [grant.place for grant in account.grants
              if any(holds_role_over(viewer, role, grant.place) for role in CONTACT_ROLES)]
    place = max(places, key=lambda p: len(p.path))  # the most specific area the look belongs to
    shown = {name: getattr(account, name) for name in ("phone", "email") if getattr(account, name)}
    record(actor, Subject("users", account.id, account.display_name, place, account.id), list(shown), purpose, note)
    return shown


def accesses_within(actor: Actor, *, actor_name: str = "", subject_name: str = "", since: date | None = None,
                    until: date | None = None) -> Select:
    """The looks at records of the areas where the actor holds a contact role, newest first, filtered."""
    areas = actor.places(*CONTACT_ROLES)
    query = (select(PiiAccess).join(Place, PiiAccess.place_id == Place.id)
             .where(or_(*[Place.path.startswith(area.path) for area in areas]) if areas else Place.id.is_(None))
             .options(contains_eager(PiiAccess.place), joinedload(PiiAccess.actor)).order_by(PiiAccess.id.desc()))
    if actor_name:
        query = query.join(User, PiiAccess.actor_id == User.id).where(User.display_name.contains(actor_name))
    if subject_name:
        query = query.where(PiiAccess.subject_name.contains(subject_name))
    if since:
        query = query.where(PiiAccess.occurred_at >= _start_of(since))
    if until:
        query = query.where(PiiAccess.occurred_at < _start_of(until + timedelta(days=1)))
    return query


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=local_zone())
