"""Read-only questions about the roster: who serves a community, what covers a street, whose terms are whose."""
from dataclasses import dataclass

from sqlalchemy import and_, exists, literal, or_, select
from sqlalchemy.orm import joinedload, selectinload

from planner_platform.access import READER_ROLES, Actor, serving_today
from planner_platform.access.actor import SERVING_STATES
from planner_platform.accounts.models import Role, User
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.extensions import db
from planner_platform.planners.models import (Assignment, AssignmentRole, AssignmentState, PlannerProfile, Team,
                                              TeamMember)

LEADING_STATES = (AssignmentState.active, AssignmentState.renewed)


def _with_holders(query):
    return query.options(joinedload(Assignment.planner).joinedload(PlannerProfile.organisation),
                         joinedload(Assignment.team).selectinload(Team.members).joinedload(TeamMember.planner),
                         joinedload(Assignment.community))


def serving(community: Place) -> list[Assignment]:
    """The terms serving a community today, lead first."""
    return db.session.scalars(_with_holders(select(Assignment)).where(
        Assignment.community_id == community.id, serving_today())
        .order_by(Assignment.role, Assignment.start_on)).unique().all()


def starting_later(area: Place) -> list[Assignment]:
    """Terms appointed inside `area` that have not started yet (shown as 待上岗 with their start date), soonest
    first; a term starting today is active from its appointment on."""
    return db.session.scalars(_with_holders(select(Assignment)).join(Assignment.community).where(
        Place.path.startswith(area.path), Assignment.state == AssignmentState.appointed)
        .order_by(Assignment.start_on, Assignment.role, Assignment.id)).unique().all()


def terms_of_user(user: User) -> list[Assignment]:
    """Current and coming terms of the planner profile linked to `user`, directly or through a team."""
    planner_id = db.session.scalar(select(PlannerProfile.id).where(PlannerProfile.user_id == user.id))
    if planner_id is None:
        return []
    team_ids = select(TeamMember.team_id).where(TeamMember.planner_id == planner_id)
    return db.session.scalars(_with_holders(select(Assignment)).where(
        or_(Assignment.planner_id == planner_id, Assignment.team_id.in_(team_ids)),
        Assignment.state.in_((AssignmentState.appointed,) + SERVING_STATES))
        .order_by(Assignment.start_on)).unique().all()


def history_of(planner: PlannerProfile) -> list[Assignment]:
    team_ids = select(TeamMember.team_id).where(TeamMember.planner_id == planner.id)
    return db.session.scalars(_with_holders(select(Assignment)).where(
        or_(Assignment.planner_id == planner.id, Assignment.team_id.in_(team_ids)))
        .order_by(Assignment.start_on.desc(), Assignment.id.desc())).unique().all()


@dataclass
class CoverageRow:
    community: Place
    lead: Assignment | None
    assistants: int
    #: A lead appointed whose term has not started yet (the soonest), while the community has no serving lead.
    coming_lead: Assignment | None = None


def coverage(area: Place) -> list[CoverageRow]:
    """Every community inside `area` with its serving lead (None when it has none) and assistant count."""
    communities = db.session.scalars(select(Place).where(Place.level == PlaceLevel.community,
                                                         Place.path.startswith(area.path))
                                     .options(joinedload(Place.parent)).order_by(Place.path)).all()
    terms = db.session.scalars(_with_holders(select(Assignment)).join(Assignment.community).where(
        Place.path.startswith(area.path), serving_today())).unique().all()
    leads = {t.community_id: t for t in terms if t.role is AssignmentRole.lead and t.state in LEADING_STATES}
    assistants: dict[int, int] = {}
    for term in terms:
        if term.role is AssignmentRole.assistant:
            assistants[term.community_id] = assistants.get(term.community_id, 0) + 1
    coming = {}
    for term in starting_later(area):
        if term.role is AssignmentRole.lead:
            coming.setdefault(term.community_id, term)
    return [CoverageRow(c, leads.get(c.id), assistants.get(c.id, 0), None if c.id in leads else coming.get(c.id))
            for c in communities]


def roster_query(districts: list[Place], *, term: str = "", planner_type=None, organisation_id=None,
                 coverage_filter: str = ""):
    """Planner profiles of the given districts with the roster page's filters."""
    query = (select(PlannerProfile).where(PlannerProfile.district_id.in_([d.id for d in districts]))
             .options(joinedload(PlannerProfile.organisation), joinedload(PlannerProfile.district))
             .order_by(PlannerProfile.name, PlannerProfile.id))
    if term:
        query = query.where(or_(PlannerProfile.name.contains(term), PlannerProfile.qualifications.contains(term)))
    if planner_type is not None:
        query = query.where(PlannerProfile.planner_type == planner_type)
    if organisation_id:
        query = query.where(PlannerProfile.organisation_id == organisation_id)
    if coverage_filter:
        team_ids = select(TeamMember.team_id).where(TeamMember.planner_id == PlannerProfile.id)
        serving_any = exists(select(Assignment.id).where(
            or_(Assignment.planner_id == PlannerProfile.id, Assignment.team_id.in_(team_ids)), serving_today()))
        query = query.where(serving_any if coverage_filter == "serving" else ~serving_any)
    return query


def _districts_near(staff: list[Place]):
    """The condition on Place: a district that one of `staff` lies in or contains."""
    return and_(Place.level == PlaceLevel.district, or_(*[
        or_(Place.path.startswith(p.path), literal(p.path).startswith(Place.path)) for p in staff]))


def districts_visible_to(actor: Actor) -> list[Place]:
    """Districts whose roster the actor may read: those their staff grants lie in or contain."""
    staff = actor.places(*READER_ROLES)
    if not staff:
        return []
    return db.session.scalars(select(Place).where(_districts_near(staff)).options(selectinload(Place.children))
                              .order_by(Place.code)).all()


def may_read_a_roster(actor: Actor) -> bool:
    """districts_visible_to(actor) is not empty; the menu asks on every page, so one EXISTS instead of the
    districts with their sub-districts."""
    staff = actor.places(*READER_ROLES)
    return bool(staff) and db.session.scalar(select(exists().where(_districts_near(staff))))


def _serving_accounts(where) -> list[User]:
    direct = select(PlannerProfile.user_id).join(Assignment, Assignment.planner_id == PlannerProfile.id).where(
        where, serving_today())
    via_team = (select(PlannerProfile.user_id).join(TeamMember, TeamMember.planner_id == PlannerProfile.id)
                .join(Assignment, Assignment.team_id == TeamMember.team_id).where(where, serving_today()))
    return db.session.scalars(select(User).where(User.id.in_(direct.union(via_team))).order_by(User.display_name)
                              ).all()


def serving_planner_accounts(community_id: int, *, in_good_standing: bool = False) -> list[User]:
    """Accounts of the planners serving a community today, directly or as team members; in good standing: not on
    a term suspended for rectification (整改)."""
    where = Assignment.community_id == community_id
    if in_good_standing:
        where = and_(where, Assignment.state != AssignmentState.suspended)
    return _serving_accounts(where)


def planner_accounts_serving_within(area: Place) -> list[User]:
    """Accounts of the planners serving any community inside `area` today, directly or as team members."""
    return _serving_accounts(Assignment.community.has(Place.path.startswith(area.path)))


def community_scope(actor: Actor, *roles: Role):
    """A condition on Place: the communities the actor serves as a planner today, and everything inside the places
    where they hold one of `roles`; None when that is nowhere."""
    clauses = [Place.id.in_(actor.served)] if actor.served else []
    clauses += [Place.path.startswith(place.path) for place in actor.places(*roles)]
    return or_(*clauses) if clauses else None


def communities_of(actor: Actor, *roles: Role) -> list[Place]:
    """The communities of community_scope(), with their sub-district, in register order (one query)."""
    scope = community_scope(actor, *roles)
    if scope is None:
        return []
    return db.session.scalars(select(Place).where(Place.level == PlaceLevel.community, scope)
                              .options(joinedload(Place.parent)).order_by(Place.path)).all()
