"""The map's clusters, counted ahead: the public proposals with a point, summed per square of the map's grid at
every zoom level up to MAX_ZOOM (`MapTotal`), and per sub-district, state and category for the filters (`MapCell`).

A map request then reads a few hundred summed rows instead of grouping every proposal in the box (at a million
proposals the city's box took 12 s). The sums are kept in the transaction that changes a proposal: an after_flush
listener compares each changed proposal's cell key before and after the flush (the key columns are
active_history, so the old value is known) and upserts the differences at once, sorted so that concurrent
writers take the rows' locks in one order. A rollback, a savepoint's included, takes the sums back with the
change. Bulk writers that bypass the ORM (the seed commands) call `rebuild` afterwards.
"""
import math
from collections import defaultdict

from sqlalchemy import Float, Integer, cast, delete, event, func, inspect, insert, literal, select, tuple_
from sqlalchemy.orm import Session

from planner_platform.core.db import insert_for
from planner_platform.proposals.models import MapCell, MapTotal, Proposal, ProposalState

#: The finest level kept (a cell of about 300 m); closer in, the box is small enough to count its proposals.
MAX_ZOOM = 15
_SQUARE = ("zoom", "col", "row")
#: Each table, with what its rows are per besides the square.
_TABLES = ((MapTotal, ()), (MapCell, ("subdistrict_id", "state", "category")))
#: Upserted per statement: SQLite allows 32,766 parameters, at most ten a row.
_CHUNK = 1000


def cell_size(zoom: int) -> float:
    """A quarter of a 256-px tile at `zoom`, in degrees: a cluster every 64 px or so (exact in binary)."""
    return 90 / 2 ** zoom


def grid(value: float, offset: int, zoom: int) -> int:
    """The column (longitude, offset 180) or row (latitude, offset 90) of the cell holding `value`."""
    return math.floor((value + offset) / cell_size(zoom))


def grid_sql(column, offset: int, zoom: int, dialect: str):
    """grid() in SQL, with the same double arithmetic. The values are positive, so SQLite's CAST (which
    truncates) floors them as PostgreSQL's floor() does; PostgreSQL's CAST alone would round."""
    scaled = (cast(column, Float) + offset) / cell_size(zoom)
    return cast(func.floor(scaled) if dialect == "postgresql" else scaled, Integer)


def _value(state, name: str, before: bool):
    history = state.attrs[name].history
    if before and history.has_changes():
        return history.deleted[0] if history.deleted else None
    return state.dict.get(name) if state.deleted else state.attrs[name].value


#: The columns a proposal's cells depend on (all active_history); a change to any other (a support) touches none.
_KEYED = ("state", "hidden_at", "lat", "lng", "subdistrict_id", "category")


def _point(state, before: bool) -> tuple | None:
    """What the cells count of a proposal before or after the flush: None unless it is public with a point."""
    values = {name: _value(state, name, before) for name in ("state", "hidden_at", "lat", "lng")}
    if values["state"] in (None, ProposalState.draft) or values["hidden_at"] is not None or values["lat"] is None:
        return None
    return (values["lat"], values["lng"], _value(state, "subdistrict_id", before), values["state"],
            _value(state, "category", before), state.dict["id"])


def _add(deltas: dict, point: tuple, sign: int) -> None:
    lat, lng, subdistrict_id, state, category, proposal_id = point
    for zoom in range(MAX_ZOOM + 1):
        square = (zoom, grid(lng, 180, zoom), grid(lat, 90, zoom))
        for model, key in ((MapTotal, square), (MapCell, (*square, subdistrict_id, state.value, category))):
            delta = deltas[model][key]
            delta[0] += sign
            delta[1] += sign * lat
            delta[2] += sign * lng
            delta[3] += sign * proposal_id


@event.listens_for(Session, "after_flush")
def _keep_cells(session: Session, flush_context) -> None:
    deltas = {model: defaultdict(lambda: [0, 0.0, 0.0, 0]) for model, _extra in _TABLES}
    for kind, objects in (("new", session.new), ("dirty", session.dirty), ("deleted", session.deleted)):
        for obj in objects:
            if not isinstance(obj, Proposal):
                continue
            state = inspect(obj)
            if kind == "dirty" and not any(state.attrs[name].history.has_changes() for name in _KEYED):
                continue  # a counter's change (a support) leaves the cells alone, and reads nothing
            before = None if kind == "new" else _point(state, before=True)
            after = None if kind == "deleted" else _point(state, before=False)
            if before != after:
                if before:
                    _add(deltas, before, -1)
                if after:
                    _add(deltas, after, 1)
    for model, extra in _TABLES:
        if deltas[model]:
            _write(session, model, _SQUARE + extra, deltas[model])


def _write(session: Session, model, key_columns: tuple, deltas: dict) -> None:
    connection = session.connection()
    rows = [dict(zip(key_columns, key), n=n, sum_lat=lat, sum_lng=lng, sum_id=ids)
            for key, (n, lat, lng, ids) in sorted(deltas.items()) if n or lat or lng or ids]
    for start in range(0, len(rows), _CHUNK):
        upsert = insert_for(session, model).values(rows[start:start + _CHUNK])
        added = upsert.excluded
        connection.execute(upsert.on_conflict_do_update(index_elements=list(key_columns), set_={
            "n": model.n + added.n, "sum_lat": model.sum_lat + added.sum_lat,
            "sum_lng": model.sum_lng + added.sum_lng, "sum_id": model.sum_id + added.sum_id}))
    emptied = [tuple(row[name] for name in key_columns) for row in rows if row["n"] < 0]
    key = tuple_(*(getattr(model, name) for name in key_columns))
    for start in range(0, len(emptied), _CHUNK):
        connection.execute(delete(model).where(key.in_(emptied[start:start + _CHUNK]), model.n <= 0))


def rebuild(session: Session) -> None:
    """Count every square again from the proposals, set-based: after writers that bypass the ORM."""
    dialect = session.get_bind().dialect.name
    for model, extra in _TABLES:
        session.execute(delete(model))
        for zoom in range(MAX_ZOOM + 1):
            col, row = grid_sql(Proposal.lng, 180, zoom, dialect), grid_sql(Proposal.lat, 90, zoom, dialect)
            per = [col, row, *(getattr(Proposal, name) for name in extra)]
            counted = (select(literal(zoom), *per, func.count(), func.sum(Proposal.lat), func.sum(Proposal.lng),
                              func.sum(Proposal.id))
                       .where(Proposal.public(), Proposal.lat.is_not(None)).group_by(*per))
            session.execute(insert(model).from_select(
                [*_SQUARE, *extra, "n", "sum_lat", "sum_lng", "sum_id"], counted))
