"""Read-only questions about the place register."""
from sqlalchemy import and_, or_, select

from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.extensions import db


def ancestors_of(place: Place) -> list[Place]:
    """The places containing `place`, city first (one query)."""
    ids = [int(part) for part in place.path.strip("/").split("/")[:-1]]
    by_id = {p.id: p for p in db.session.scalars(select(Place).where(Place.id.in_(ids)))} if ids else {}
    return [by_id[i] for i in ids if i in by_id]


def area_choices(chosen: Place | None) -> list:
    """The options of an area filter, as plain rows (id, name, level, path) in path order: every district, and the
    sub-districts of the district the chosen place lies in. A city of 300 sub-districts does not fit one select,
    and a row per option costs little where an object per option cost a list page a third of its time."""
    parts = chosen.path.strip("/").split("/") if chosen is not None else []
    district_id = int(parts[1]) if len(parts) > 1 else None
    return db.session.execute(select(Place.id, Place.name, Place.level, Place.path).where(or_(
        Place.level == PlaceLevel.district,
        and_(Place.level == PlaceLevel.subdistrict, Place.parent_id == district_id))).order_by(Place.path)).all()


def map_centre(place: Place) -> list[float] | None:
    """[lat, lng] where a map writes the place's name: its recorded centre (the outline's middle may fall outside
    an L-shaped community), or None for the map to use the outline's."""
    return None if place.centre_lat is None or place.centre_lng is None else [place.centre_lat, place.centre_lng]


def centres_in(west: float, south: float, east: float, north: float, limit: int = 200) -> list[dict]:
    """Communities with a centre but no outline inside a map's box, as named points (the outlined ones are named
    on their outline)."""
    rows = db.session.execute(select(Place.name, Place.centre_lat, Place.centre_lng).where(
        Place.level == PlaceLevel.community, Place.boundary.is_(None),
        Place.centre_lat.between(south, north), Place.centre_lng.between(west, east)).limit(limit))
    return [{"kind": "community", "name": name, "lat": lat, "lng": lng} for name, lat, lng in rows]
