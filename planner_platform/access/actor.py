"""The actor: one user's roles, grants and served communities, computed once per unit of work.

Predicates take an `Actor`, never a request global. `actor_of(user)` builds it with one query for the served
communities (the grants are loaded with the user) and keeps it for the rest of the transaction: a page asks the
same questions many times, and a commit (a new term, a revoked grant) makes the next call build it afresh.
"""
from dataclasses import dataclass

from flask_login import current_user
from sqlalchemy import and_, event, or_, select
from sqlalchemy.orm import Session
from werkzeug.local import LocalProxy

from planner_platform.accounts.models import Role, RoleGrant
from planner_platform.areas.models import Place
from planner_platform.core.calendar import local_today
from planner_platform.extensions import db
from planner_platform.planners.models import Assignment, AssignmentState, PlannerProfile, TeamMember

_CACHE_KEY = "access.actors"
#: A renewed term keeps serving until its end date, when the renewal (its successor) takes over.
SERVING_STATES = (AssignmentState.active, AssignmentState.suspended, AssignmentState.renewed)


@dataclass(frozen=True)
class Actor:
    """What the access rules know of whoever acts: nobody (anonymous), a person, or a person's task."""

    id: int | None
    grants: tuple[RoleGrant, ...] = ()
    #: Communities where the person serves today as a planner, alone or through a team (DOMAIN.md §3).
    served: frozenset[int] = frozenset()

    @property
    def is_authenticated(self) -> bool:
        return self.id is not None

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(grant.role for grant in self.grants)

    def places(self, *roles: Role) -> list[Place]:
        """The places over which the actor holds any of `roles`."""
        return [grant.place for grant in self.grants if grant.role in roles]


ANONYMOUS = Actor(id=None)


def serving_today():
    """The condition on Assignment: the term serves its community today (local time)."""
    today = local_today()
    return and_(Assignment.state.in_(SERVING_STATES), Assignment.start_on <= today, Assignment.occupied_until > today)


def _served_community_ids(user_id: int) -> frozenset[int]:
    planner_id = select(PlannerProfile.id).where(PlannerProfile.user_id == user_id).scalar_subquery()
    team_ids = select(TeamMember.team_id).where(TeamMember.planner_id == planner_id)
    return frozenset(db.session.scalars(select(Assignment.community_id).where(
        or_(Assignment.planner_id == planner_id, Assignment.team_id.in_(team_ids)), serving_today())))


def actor_of(user) -> Actor:
    """The actor for `user` (a User, an Actor, or None/anonymous), built at most once per transaction."""
    if isinstance(user, Actor):
        return user
    if not (user and user.is_authenticated):
        return ANONYMOUS
    cache = db.session.info.setdefault(_CACHE_KEY, {})
    if user.id not in cache:
        grants = tuple(user.grants)
        # Only a staff account can hold a planner profile (planners.services links a planner's account): the
        # residents, most of the traffic, are spared the terms query.
        staff = any(grant.role is not Role.resident for grant in grants)
        cache[user.id] = Actor(id=user.id, grants=grants, served=_served_community_ids(user.id) if staff
                               else frozenset())
    return cache[user.id]


@event.listens_for(Session, "after_transaction_end")
def _forget_actors(session: Session, transaction) -> None:
    # What was true in a transaction (grants, terms) may not be after it: the next one asks again.
    if transaction.parent is None:
        session.info.pop(_CACHE_KEY, None)


#: The actor of the current request (anonymous outside one), as Flask-Login's current_user is its user.
current_actor: Actor = LocalProxy(lambda: actor_of(current_user))  # type: ignore[assignment]
