"""Read-only questions about projects: the staff boards of a jurisdiction, a planner's own projects, a community's
public list. Each is one query for the rows plus a fixed number for what they show (never one per row)."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import false, func, or_, select, tuple_
from sqlalchemy.orm import joinedload

from planner_platform.access import READER_ROLES, Actor
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.query_args import keyset_cursor
from planner_platform.extensions import db
from planner_platform.core.calendar import local_today
from planner_platform.projects.models import SIDE_STAGES, Milestone, Project, ProjectFunding, ProjectOrigin, Stage
from planner_platform.projects.stages import DEFAULT_LINE, rules_for
from planner_platform.proposals.models import Proposal

PUBLIC_LIMIT = 50


@dataclass
class BoardFilters:
    stage: Stage | None = None
    community_id: int | None = None
    implementer: str = ""
    funding_source: str = ""
    overdue: bool = False
    today: date | None = None


@dataclass
class BoardPage:
    items: list[Project]
    next_cursor: str | None
    #: Projects per stage under every filter but the stage, in the line's order: [(stage, count)].
    counts: list[tuple[Stage, int]] = field(default_factory=list)


def jurisdiction(actor: Actor):
    """A condition on Project: its community lies inside a place where the actor holds a staff or observer role
    (a city observer's city holds everything); false for anyone else."""
    places = actor.places(*READER_ROLES)
    if not places:
        return false()
    inside = select(Place.id).where(or_(*[Place.path.startswith(place.path) for place in places]))
    return Project.community_id.in_(inside)


def overdue_ids(today: date):
    """A SELECT of the ids of projects with a milestone past its due date and not done."""
    return select(Milestone.project_id).where(Milestone.overdue_on(today))


def _overdue(query, today: date):
    return query.where(Project.id.in_(overdue_ids(today)))


def _funded_by(query, source: str):
    """Projects with a funding source of that kind (an unknown kind matches nothing)."""
    return query.where(Project.id.in_(select(ProjectFunding.project_id).where(ProjectFunding.source == source)))


def _filtered(query, filters: BoardFilters, *, with_stage: bool = True):
    if with_stage and filters.stage is not None:
        query = query.where(Project.state == filters.stage)
    if filters.community_id is not None:
        query = query.where(Project.community_id == filters.community_id)
    if filters.implementer:
        query = query.where(Project.implementer == filters.implementer)
    if filters.overdue and filters.today is not None:
        query = _overdue(query, filters.today)
    if filters.funding_source:
        query = _funded_by(query, filters.funding_source)
    return query


def _for_rows(query):
    return query.options(joinedload(Project.community).joinedload(Place.parent), joinedload(Project.lead_planner))


def stage_order(community: Place | None) -> list[Stage]:
    """Stages as a board lists them: the district's line (the default line when the board spans districts), then
    the stages other districts use, then suspended and cancelled."""
    line = list(rules_for(community).line) if community is not None else list(DEFAULT_LINE)
    rest = [stage for stage in Stage if stage not in line and stage not in SIDE_STAGES]
    return line + rest + list(SIDE_STAGES)


def board_district(actor: Actor) -> Place | None:
    """The one district the actor's jurisdiction lies in, if it lies in one (its line orders the board)."""
    places = actor.places(*READER_ROLES)
    districts = {_district(place) for place in places}
    return next(iter(districts)) if len(districts) == 1 and None not in districts else None


def _district(place: Place) -> Place | None:
    while place is not None and place.level is not PlaceLevel.district:
        place = place.parent
    return place


def stage_counts(condition, filters: BoardFilters, order: list[Stage]) -> list[tuple[Stage, int]]:
    """Projects per stage (one GROUP BY), in `order`; stages without projects are left out."""
    query = _filtered(select(Project.state, func.count()).where(condition), filters, with_stage=False)
    counts = dict(db.session.execute(query.group_by(Project.state)).all())
    return [(stage, counts[stage]) for stage in order if counts.get(stage)]


def board_page(actor: Actor, filters: BoardFilters, after: tuple[date, int] | None = None,
               per_page: int = 25) -> BoardPage:
    """One page of the projects in the actor's jurisdiction, longest in their stage first, continuing after the
    (stage_since, id) of the last row shown (keyset: no OFFSET), with the count per stage at the top."""
    condition = jurisdiction(actor)
    query = _filtered(select(Project).where(condition), filters)
    if after is not None:
        query = query.where(tuple_(Project.stage_since, Project.id) > tuple_(*after))
    rows = db.session.scalars(_for_rows(query).order_by(Project.stage_since, Project.id).limit(per_page + 1)
                              ).unique().all()
    last = rows[per_page - 1] if len(rows) > per_page else None
    district = board_district(actor)
    return BoardPage(rows[:per_page], keyset_cursor(last.stage_since.isoformat(), last.id) if last else None,
                     stage_counts(condition, filters, stage_order(district)))


def implementers_in(actor: Actor) -> list[str]:
    """The implementers named on projects of the jurisdiction, for the board's filter."""
    return list(db.session.scalars(select(Project.implementer).where(jurisdiction(actor), Project.implementer != "")
                                   .distinct().order_by(Project.implementer).limit(200)))


def overdue_first(query, today: date):
    """Order a planner's projects with overdue milestones first, then the longest in its stage."""
    return query.order_by(Project.id.in_(overdue_ids(today)).desc(), Project.stage_since, Project.id)


def mine_condition(actor: Actor):
    """A condition on Project: the actor leads it, or it lies in a community they serve today."""
    clauses = [Project.lead_planner_id == actor.id]
    if actor.served:
        clauses.append(Project.community_id.in_(actor.served))
    return or_(*clauses)


@dataclass
class StageGroup:
    stage: Stage
    projects: list[Project]


def my_projects(actor: Actor, limit: int = 200) -> list[StageGroup]:
    """The planner's projects grouped by stage in the district line's order, overdue ones first in each group."""
    query = overdue_first(select(Project).where(mine_condition(actor)), local_today())
    rows = db.session.scalars(_for_rows(query).limit(limit)).unique().all()
    order = stage_order(rows[0].community if rows else None)
    groups = {stage: [] for stage in order}
    for project in rows:
        groups[project.state].append(project)
    return [StageGroup(stage, projects) for stage, projects in groups.items() if projects]


def in_community(community: Place) -> list[Project]:
    """A community's projects for its public page: those under way first, newest first, then those
    paused or over."""
    return db.session.scalars(select(Project).where(Project.community_id == community.id)
                              .order_by(Project.state.in_(SIDE_STAGES), Project.id.desc()).limit(PUBLIC_LIMIT)).all()


def sites_in(west: float, south: float, east: float, north: float, limit: int = 200) -> list[dict]:
    """Renewal projects inside a map's box, at the point marked on the proposal they grew from (a project has
    no point of its own), named by their site or else their title; not the cancelled ones."""
    rows = db.session.execute(select(Project.site, Project.title, Proposal.lat, Proposal.lng)
                              .join(ProjectOrigin, ProjectOrigin.project_id == Project.id)
                              .join(Proposal, Proposal.id == ProjectOrigin.proposal_id)
                              .where(Proposal.public(), Project.state != Stage.cancelled,
                                     Proposal.lat.between(south, north), Proposal.lng.between(west, east))
                              .order_by(Project.id).limit(limit))
    return [{"kind": "project", "name": site or title, "lat": lat, "lng": lng} for site, title, lat, lng in rows]
