"""Place writes: create, update and bulk import. Callers commit."""
import logging

from flask_babel import gettext as _
from sqlalchemy import select

from planner_platform.accounts.models import User
from planner_platform.access import actor_of, is_admin
from planner_platform.areas.geometry import centre_of, validate_boundary
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.areas.permissions import can_add_child_place, can_edit_place, can_import_places
from planner_platform.core import tabular
from planner_platform.core.audit import record_audit
from planner_platform.core.errors import DomainError, NotAllowed
from planner_platform.extensions import db

logger = logging.getLogger(__name__)
EDITABLE_FIELDS = ("name", "population", "households", "boundary")


def _set_boundary(place: Place, boundary: dict | None) -> None:
    place.boundary = validate_boundary(boundary) if boundary else None
    place.centre_lat, place.centre_lng = centre_of(place.boundary) if place.boundary else (None, None)


def create_place(actor: User, *, parent: Place | None, level: PlaceLevel, code: str, name: str,
                 population: int | None = None, households: int | None = None, boundary: dict | None = None) -> Place:
    """Add a place under `parent` (None only for a city)."""
    allowed = can_add_child_place(actor_of(actor), parent) if parent is not None else is_admin(actor_of(actor))
    if not allowed:
        raise NotAllowed(_("You may not add places there."))
    return _insert_place(actor, parent=parent, level=level, code=code, name=name, population=population,
                         households=households, boundary=boundary)


def found_city(*, code: str, name: str, boundary: dict | None = None, population: int | None = None,
               households: int | None = None) -> Place:
    """The first place of a deployment, for the install and seed commands: before a place exists nobody can hold
    a role that would allow adding one."""
    return _insert_place(None, parent=None, level=PlaceLevel.city, code=code, name=name, population=population,
                         households=households, boundary=boundary)


def _insert_place(actor: User | None, *, parent: Place | None, level: PlaceLevel, code: str, name: str,
                  population: int | None, households: int | None, boundary: dict | None) -> Place:
    expected_parent = level.parent_level
    if (parent.level if parent else None) is not expected_parent:
        raise DomainError(_("A %(level)s must sit directly under a %(parent)s.", level=level.label,
                            parent=expected_parent.label if expected_parent else "-"), field="parent")
    if db.session.scalar(select(Place.id).where(Place.code == code)):
        raise DomainError(_("The code %(code)s is already used by another place.", code=code), field="code")
    place = Place(level=level, parent=parent, code=code, name=name.strip(), population=population,
                  households=households)
    _set_boundary(place, boundary)
    db.session.add(place)
    db.session.flush()
    place.path = f"{parent.path if parent else '/'}{place.id}/"
    record_audit(db.session, "places.created", actor=actor, obj=place, code=code)
    return place


def update_place(actor: User, place: Place, data: dict) -> Place:
    """Change the editable fields of a place; the audit entry lists what changed."""
    if not can_edit_place(actor_of(actor), place):
        raise NotAllowed(_("You may not change %(name)s.", name=place.name))
    changed = {}
    for field in EDITABLE_FIELDS:
        if field in data and data[field] != getattr(place, field):
            changed[field] = True
            if field == "boundary":
                _set_boundary(place, data[field])
            else:
                setattr(place, field, data[field].strip() if field == "name" else data[field])
    if changed:
        record_audit(db.session, "places.updated", actor=actor, obj=place, fields=sorted(changed))
    return place


def _import_row(actor: User, values: dict, by_code: dict[str, Place]) -> tuple[Place, bool]:
    fields = {field: values[field] for field in EDITABLE_FIELDS}
    existing = by_code.get(values["code"]) or db.session.scalar(select(Place).where(Place.code == values["code"]))
    if existing is not None:
        if existing.level is not values["level"]:
            raise DomainError(_("Code %(code)s already belongs to a %(level)s.", code=values["code"],
                                level=existing.level.label))
        update_place(actor, existing, fields)
        return existing, False
    parent = None
    if values["parent_code"]:
        parent = by_code.get(values["parent_code"]) or db.session.scalar(
            select(Place).where(Place.code == values["parent_code"]))
        if parent is None:
            raise DomainError(_("The parent code %(code)s does not exist.", code=values["parent_code"]))
    return create_place(actor, parent=parent, level=values["level"], **fields, code=values["code"]), True


def _parents_first(row: tabular.Row) -> int:
    level = row.values.get("level")
    return list(PlaceLevel).index(level) if level else -1  # rows with problems are only reported


def import_places(actor: User, rows: list[tabular.Row]) -> dict[str, int]:
    """Create or update places from parsed rows, all or nothing.

    Rows are applied parents first, so a file may add a sub-district and its communities together.
    Raises ImportFailed listing every problem (tabular.import_all).
    """
    if not can_import_places(actor_of(actor)):
        raise NotAllowed(_("You may not add places there."))
    counts = {"created": 0, "updated": 0}
    by_code: dict[str, Place] = {}

    def apply(row: tabular.Row) -> None:
        place, created = _import_row(actor, row.values, by_code)
        by_code[place.code] = place
        counts["created" if created else "updated"] += 1

    tabular.import_all(sorted(rows, key=_parents_first), apply)
    record_audit(db.session, "places.imported", actor=actor, **counts)
    logger.info("User %s imported places: %s", actor.id, counts)
    return counts
