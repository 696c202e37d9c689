"""Read-only questions about proposals: the public list, the workspace, the map, a proposal's thread.

Every list is one query for the page plus a fixed number for what it shows (no query per row), and sorting
uses the stored counters with their indexes.
"""
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Float, bindparam, cast, false, func, or_, select, tuple_
from sqlalchemy.orm import joinedload, load_only, selectinload, with_expression

from planner_platform.accounts.models import Role, User
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.calendar import local_today
from planner_platform.core.query_args import keyset_cursor
from planner_platform.extensions import db
from planner_platform.planners.queries import communities_of, community_scope
from planner_platform.proposals import clusters
from planner_platform.proposals.models import (DECISIONS, OPEN_STATES, Comment, InternalNote, MapCell, MapTotal,
                                               Proposal, ProposalEvent, ProposalPhoto, ProposalState, Support)
from planner_platform.access import OFFICE_ROLES, Actor
from planner_platform.proposals.search import matches

#: Sort orders of the public list: the stored column, then the id to break ties.
SORTS = {"newest": Proposal.submitted_at, "supported": Proposal.support_count, "commented": Proposal.comment_count}
STATE_GROUPS = {"open": OPEN_STATES, "decided": DECISIONS, "closed": (ProposalState.closed,)}
#: What the lists' state filter accepts: a group or one state by name.
STATE_FILTERS = tuple(STATE_GROUPS) + tuple(ProposalState.__members__)
MAX_MAP_CELLS = 400


def _public():
    """What the public lists and the map show."""
    return Proposal.public()


@dataclass
class Filters:
    state: str = ""
    category: str = ""
    place: Place | None = None
    q: str = ""
    overdue: bool = False
    mine: bool = False


#: The column holding each level's place on a proposal (place_ancestry keeps them true).
AREA_COLUMNS = {PlaceLevel.district: Proposal.district_id, PlaceLevel.subdistrict: Proposal.subdistrict_id,
                PlaceLevel.community: Proposal.community_id}


def within(area: Place):
    """The condition "the proposal lies in `area`", on the proposal's own columns (an index serves each level)."""
    if area.level in AREA_COLUMNS:
        return AREA_COLUMNS[area.level] == area.id
    return Proposal.district_id.in_(select(Place.id).where(Place.parent_id == area.id))


def _by_state_and_category(query, filters: Filters, state, category):
    """The filters' state (a group or one state) and category, on the columns given (a proposal's, a map cell's)."""
    if filters.state in STATE_GROUPS:
        query = query.where(state.in_(STATE_GROUPS[filters.state]))
    elif filters.state in ProposalState.__members__:
        query = query.where(state == ProposalState[filters.state])
    if filters.category:
        query = query.where(category == filters.category)
    return query


def _filtered(query, filters: Filters):
    query = _by_state_and_category(query, filters, Proposal.state, Proposal.category)
    if filters.place is not None:
        query = query.where(within(filters.place))
    if filters.q.strip():
        query = query.where(matches(filters.q, db.session.get_bind().dialect.name))
    if filters.overdue:
        query = query.where(Proposal.overdue_on(local_today()))
    return query


#: What a card shows of a place: its name, never its boundary.
_PLACE_NAME = (Place.id, Place.name, Place.parent_id, Place.level, Place.path)
#: What a card shows of a proposal, and the lists' sort keys: the rest (the description and the search text above
#: all) stays in the database; touching it on a card's row raises instead of querying once per row.
_CARD = (Proposal.id, Proposal.title, Proposal.category, Proposal.state, Proposal.community_id,
         Proposal.submitted_at, Proposal.due_on, Proposal.support_count, Proposal.comment_count)


@cache
def _card_options() -> tuple:
    """The loader options of a card's row, built once: its columns, its community and sub-district by name, and the
    first photo's id, in the same statement."""
    cover = (select(func.min(ProposalPhoto.id)).where(ProposalPhoto.proposal_id == Proposal.id)
             .correlate(Proposal).scalar_subquery())
    return (load_only(*_CARD, raiseload=True),
            joinedload(Proposal.community).load_only(*_PLACE_NAME).joinedload(Place.parent).load_only(*_PLACE_NAME),
            with_expression(Proposal.cover_photo_id, cover))


def _for_list(query):
    """Rows for cards (macro proposal_card)."""
    return query.options(*_card_options())


@dataclass
class KeysetPage:
    items: list
    next_cursor: str | None


def public_page(filters: Filters, sort: str, after: tuple | None = None, per_page: int = 20) -> KeysetPage:
    """One page of the public list in `sort` order, continuing after the (value, id) of the last row shown
    (keyset pagination: no OFFSET, no COUNT)."""
    query = _filtered(select(Proposal).where(_public()), filters)
    if after is not None:
        query = query.where(tuple_(SORTS[sort], Proposal.id) < tuple_(*after))
    query = _for_list(query).order_by(SORTS[sort].desc(), Proposal.id.desc()).limit(per_page + 1)
    rows = db.session.scalars(query).unique().all()
    last = rows[per_page - 1] if len(rows) > per_page else None
    return KeysetPage(rows[:per_page], keyset_cursor(getattr(last, SORTS[sort].key), last.id) if last else None)


#: Who works on a community's proposals besides its serving planners: its office and its community workers.
WORKSPACE_SCOPE = OFFICE_ROLES + (Role.community_worker,)


def workspace_query(actor: Actor, filters: Filters):
    """The proposals of the actor's communities, oldest deadline first (none for a planner between terms)."""
    scope = community_scope(actor, *WORKSPACE_SCOPE)
    query = (select(Proposal).join(Proposal.community).where(false() if scope is None else scope,
                                                             Proposal.state != ProposalState.draft))
    if filters.mine:
        query = query.where(Proposal.assignee_id == actor.id)
    return _filtered(query, filters).options(joinedload(Proposal.community).joinedload(Place.parent),
                         joinedload(Proposal.assignee)).order_by(
        Proposal.due_on.is_(None), Proposal.due_on, Proposal.id.desc())


def workspace_communities(actor: Actor) -> list[Place]:
    """Communities for the workspace's filter; also those where the user may enter offline proposals."""
    return communities_of(actor, *WORKSPACE_SCOPE)


def _person(relationship):
    """A user shown by name on a page: joined, without the grants every User otherwise loads with it."""
    return joinedload(relationship).lazyload(User.grants)


def proposal_with_thread(proposal_id: int, viewer_id: int | None = None) -> Proposal | None:
    """The proposal with its places, people, history and photos; `supported` tells whether the viewer supports it."""
    supported = (select(Support.id).where(Support.proposal_id == Proposal.id, Support.user_id == viewer_id)
                 .correlate(Proposal).exists() if viewer_id else false())
    return db.session.scalar(select(Proposal).where(Proposal.id == proposal_id).options(
        joinedload(Proposal.community).joinedload(Place.parent), _person(Proposal.author),
        joinedload(Proposal.merged_into), _person(Proposal.assignee),
        selectinload(Proposal.history).options(_person(ProposalEvent.actor)), selectinload(Proposal.photos),
        with_expression(Proposal.supported, supported)))


@dataclass
class TimelineEntry:
    """Steps of the public timeline shown together: one step, or consecutive steps that carry the same reply."""
    events: list[ProposalEvent]
    reply: str


def timeline(history: list[ProposalEvent]) -> list[TimelineEntry]:
    """A proposal's history as its public timeline shows it: when the same reply was typed for consecutive steps
    (受理, then 研判, then 采纳 with one text), the steps share an entry and the text is shown once, under them."""
    entries: list[TimelineEntry] = []
    for event in history:
        reply = (event.reply or "").strip()
        if reply and entries and " ".join(entries[-1].reply.split()) == " ".join(reply.split()):
            entries[-1].events.append(event)
        else:
            entries.append(TimelineEntry([event], reply))
    return entries


@cache
def _in_community():
    # Built once: every action on a proposal (support, comment, report, a step) starts with it.
    return (select(Proposal).where(Proposal.id == bindparam("proposal_id"))
            .options(joinedload(Proposal.community).defer(Place.boundary)))


def proposal_in_community(proposal_id: int) -> Proposal | None:
    return db.session.scalar(_in_community(), {"proposal_id": proposal_id})


def visible_comments(proposal: Proposal) -> list[Comment]:
    return db.session.scalars(select(Comment).where(Comment.proposal_id == proposal.id, Comment.hidden_at.is_(None))
                              .options(_person(Comment.author)).order_by(Comment.id).limit(500)).all()


def notes_of(proposal: Proposal) -> list[InternalNote]:
    return db.session.scalars(select(InternalNote).where(InternalNote.proposal_id == proposal.id)
                              .options(_person(InternalNote.author)).order_by(InternalNote.id)).all()


def merged_here(proposal: Proposal) -> list[Proposal]:
    """Duplicates merged into this proposal."""
    return db.session.scalars(select(Proposal).where(Proposal.merged_into_id == proposal.id)
                              .order_by(Proposal.id)).all()


def supporter_ids(proposal: Proposal) -> list[int]:
    return list(db.session.scalars(select(Support.user_id).where(Support.proposal_id == proposal.id)))


def own_proposals(user) -> list[Proposal]:
    return db.session.scalars(_for_list(select(Proposal).where(Proposal.author_id == user.id))
                              .order_by(Proposal.id.desc()).limit(100)).unique().all()


def reported_proposals(actor: Actor) -> list[Proposal]:
    """Reported proposals a moderator has not looked at yet, in the actor's jurisdiction, hidden ones first."""
    staffed = [place.path for place in actor.places(*OFFICE_ROLES)]
    if not staffed:
        return []
    return db.session.scalars(
        select(Proposal).join(Proposal.community)
        .where(Proposal.report_count > 0, Proposal.moderated_at.is_(None),
               or_(*[Place.path.startswith(path) for path in staffed]))
        .options(joinedload(Proposal.community))
        .order_by(Proposal.hidden_at.is_(None), Proposal.report_count.desc(), Proposal.id).limit(200)).all()


def _stored_cells(west: float, south: float, east: float, north: float, zoom: int, filters: Filters):
    """The cells in the box, summed from the squares counted ahead (proposals.clusters): the totals when
    nothing is filtered, else the rows per sub-district, state and category."""
    filtered = bool(filters.state or filters.category or filters.place is not None)
    model = MapCell if filtered else MapTotal
    n = func.sum(model.n)
    query = (select(n, func.sum(model.sum_lat) / n, func.sum(model.sum_lng) / n, func.sum(model.sum_id))
             .where(model.zoom == zoom,
                    model.col.between(clusters.grid(west, 180, zoom), clusters.grid(east, 180, zoom)),
                    model.row.between(clusters.grid(south, 90, zoom), clusters.grid(north, 90, zoom)))
             .group_by(model.col, model.row).having(n > 0))
    query = _by_state_and_category(query, filters, MapCell.state, MapCell.category)
    if filters.place is not None:
        query = query.where(MapCell.subdistrict_id.in_(_subdistricts_of(filters.place)))
    return query


def _subdistricts_of(area: Place):
    if area.level is PlaceLevel.subdistrict:
        return [area.id]
    districts = [area.id] if area.level is PlaceLevel.district else select(Place.id).where(Place.parent_id == area.id)
    return select(Place.id).where(Place.parent_id.in_(districts))


def _counted_cells(west: float, south: float, east: float, north: float, zoom: int, filters: Filters):
    """The cells in the box, grouped from the proposals themselves: for what the stored cells cannot answer."""
    dialect = db.session.get_bind().dialect.name
    col, row = clusters.grid_sql(Proposal.lng, 180, zoom, dialect), clusters.grid_sql(Proposal.lat, 90, zoom, dialect)
    inside = _filtered(select(Proposal.id).where(_public(), Proposal.lat.is_not(None),
                                                 Proposal.lat.between(south, north),
                                                 Proposal.lng.between(west, east)), filters)
    return (select(func.count(), func.avg(cast(Proposal.lat, Float)), func.avg(cast(Proposal.lng, Float)),
                   func.min(Proposal.id)).where(Proposal.id.in_(inside)).group_by(col, row))


def _cells_are_stored(zoom: int, filters: Filters) -> bool:
    """The stored cells know the sub-district, state and category of what they count, nothing finer."""
    return (zoom <= clusters.MAX_ZOOM and not filters.q.strip() and not filters.overdue
            and (filters.place is None or filters.place.level is not PlaceLevel.community))


def map_cells(west: float, south: float, east: float, north: float, zoom: int, filters: Filters) -> list[dict]:
    """Proposals inside the box, clustered on a grid that gets finer as the map zooms in.

    Two queries whatever the number of proposals: the cells with their counts and centres (the precomputed
    sums when they can answer), then the titles of the cells holding a single proposal.
    """
    zoom = max(0, min(zoom, 22))
    cells_of = _stored_cells if _cells_are_stored(zoom, filters) else _counted_cells
    cells = db.session.execute(cells_of(west, south, east, north, zoom, filters).limit(MAX_MAP_CELLS)).all()
    single_ids = [first_id for count, _lat, _lng, first_id in cells if count == 1]
    singles = {p.id: p for p in db.session.scalars(select(Proposal).where(Proposal.id.in_(single_ids)))}
    result = []
    for count, lat, lng, first_id in cells:
        if count == 1 and first_id in singles:
            proposal = singles[first_id]
            result.append({"count": 1, "lat": proposal.lat, "lng": proposal.lng, "id": proposal.id,
                           "title": proposal.title, "state": str(proposal.state.label)})
        else:
            result.append({"count": count, "lat": lat, "lng": lng})
    return result


def overdue_in(area: Place, limit: int = 10) -> list[Proposal]:
    return db.session.scalars(select(Proposal).where(within(area), Proposal.overdue_on(local_today()))
        .options(joinedload(Proposal.community)).order_by(Proposal.due_on).limit(limit)).all()

