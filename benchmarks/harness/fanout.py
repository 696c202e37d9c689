"""W7: one in-app notification fanned out to the residents of the smallest area holding at least 10,000 of them
(the city if none does), set-based as the worker does it (notifications.fanout), timed three times in a
transaction that is rolled back each time, so the benchmark database is left as it was; prints one JSON object.

    .venv/bin/python -m benchmarks.harness.fanout   (DATABASE_URL names the benchmark database)
"""
import json
import sys
import time

from sqlalchemy import func, select

from planner_platform import create_app
from planner_platform.accounts.models import Role, RoleGrant
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.outbox import EventKind, OutboxEvent
from planner_platform.extensions import db
from planner_platform.notifications import fanout
from planner_platform.notifications.models import Channel
from planner_platform.notifications.registry import EventType, register

RECIPIENTS = 10_000


def _area() -> tuple[Place, int]:
    """The smallest district or sub-district with at least RECIPIENTS residents, else the city."""
    community = select(Place.id, Place.parent_id).where(Place.level == PlaceLevel.community).subquery()
    per_subdistrict = dict(db.session.execute(
        select(community.c.parent_id, func.count()).join(RoleGrant, RoleGrant.place_id == community.c.id)
        .where(RoleGrant.role == Role.resident, RoleGrant.revoked_at.is_(None)).group_by(community.c.parent_id)).all())
    parents = dict(db.session.execute(select(Place.id, Place.parent_id).where(Place.id.in_(per_subdistrict))).all())
    per_district = {}
    for subdistrict, residents in per_subdistrict.items():
        per_district[parents[subdistrict]] = per_district.get(parents[subdistrict], 0) + residents
    enough = [(n, place_id) for counts in (per_subdistrict, per_district) for place_id, n in counts.items()
              if n >= RECIPIENTS]
    if enough:
        residents, place_id = min(enough)
        return db.session.get(Place, place_id), residents
    return db.session.scalar(select(Place).where(Place.level == PlaceLevel.city)), sum(per_subdistrict.values())


def main() -> dict:
    app = create_app()
    with app.app_context(), app.test_request_context():
        register(EventType("bench.in_app", "account", "accounts/role_granted", channels=frozenset({Channel.in_app})))
        area, residents = _area()
        area_id, name, level = area.id, area.name, area.level.value  # the rollbacks below expire `area`
        timings, added = [], 0
        for _ in range(4):  # the first run warms up (templates, catalogs), as a running worker is
            event = OutboxEvent(kind=EventKind.notify, event_type="bench.in_app", payload={
                "role": "resident", "place": name, "by": "benchmark",
                "recipients": {"roles": ["resident"], "place_id": area_id, "scope": "within"}})
            db.session.add(event)
            db.session.flush()
            started = time.perf_counter()
            added = fanout.fan_out(event)
            db.session.flush()
            timings.append(time.perf_counter() - started)
            db.session.rollback()
        seconds = sorted(timings[1:])[1]
    return {"place_id": area_id, "level": level, "residents": residents, "notifications": added,
            "seconds": round(seconds, 4), "notifications_per_s": round(added / seconds) if seconds else None}


if __name__ == "__main__":
    json.dump(main(), sys.stdout)
