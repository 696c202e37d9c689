"""Read-only questions about the place register."""
from sqlalchemy import select

from planner_platform.areas.models import Place
from planner_platform.extensions import db


def ancestors_of(place: Place) -> list[Place]:
    """The places containing `place`, city first (one query)."""
    ids = [int(part) for part in place.path.strip("/").split("/")[:-1]]
    by_id = {p.id: p for p in db.session.scalars(select(Place).where(Place.id.in_(ids)))} if ids else {}
    return [by_id[i] for i in ids if i in by_id]
