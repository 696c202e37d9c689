"""The dashboard's map: every community inside a place with its value of each mappable indicator over the period
(from the summary rows, a fixed number of statements whatever the number of communities), as GeoJSON."""
from sqlalchemy import select

from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.areas.queries import map_centre
from planner_platform.extensions import db
from planner_platform.monitoring.indicators import COUNT, INDICATORS, RATE, applies
from planner_platform.monitoring.periods import Period
from planner_platform.monitoring.queries import totals_by_unit

#: Counts and rates that a community has: what a map can colour.
MAPPABLE = [i for i in INDICATORS if i.in_table and i.kind in (COUNT, RATE) and applies(i, "community")]
DEFAULT = "received"


def mappable_key(key: str | None) -> str:
    """The indicator a map shows: the one asked for if it can be mapped, else the default."""
    return key if any(i.key == key for i in MAPPABLE) else DEFAULT


def _geometry(community: Place) -> dict | None:
    if community.boundary:
        return community.boundary
    if community.centre_lat is not None and community.centre_lng is not None:
        return {"type": "Point", "coordinates": [community.centre_lng, community.centre_lat]}
    return None


def features(place: Place, period: Period, url_of) -> dict:
    """A FeatureCollection of the communities inside `place` that have a boundary or a centre; url_of(community)
    is the link of each (its dashboard for the same period)."""
    communities = db.session.scalars(select(Place).where(
        Place.level == PlaceLevel.community, Place.path.startswith(place.path)).order_by(Place.code)).all()
    totals = totals_by_unit(place, communities, period, per_community=True)
    collection = []
    for community in communities:
        geometry = _geometry(community)
        if geometry is None:
            continue
        values = {i.key: i.value(totals[community.id]) for i in MAPPABLE}
        collection.append({"type": "Feature", "geometry": geometry, "properties": {
            "id": community.id, "name": community.name, "centre": map_centre(community), "url": url_of(community),
            "values": values}})
    return {"type": "FeatureCollection", "features": collection,
            "indicators": [{"key": i.key, "name": str(i.name), "kind": i.kind} for i in MAPPABLE]}
