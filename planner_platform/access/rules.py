"""Named predicates on an actor: who holds which role where, who serves a community, who may act in it.

Deny by default. Feature `permissions` modules build their object-level rules on these; navigation, templates,
views and services all ask the same functions, so a menu never offers what the page then refuses.
"""
from sqlalchemy import select

from planner_platform.access.actor import Actor
from planner_platform.accounts.models import Role
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.extensions import db
from planner_platform.planners.models import AppointingLevel, PolicyProfile

#: The offices over a place: they triage, assign, moderate and verify there.
OFFICE_ROLES = (Role.subdistrict_staff, Role.district_staff, Role.admin)
#: Staff who read every record of their jurisdiction (observers read, never act).
READER_ROLES = OFFICE_ROLES + (Role.city_observer,)
#: Roles whose holders have a proposal workspace (planners see the communities they serve in it).
WORKSPACE_ROLES = frozenset({Role.planner, Role.community_worker, *OFFICE_ROLES})


def holds_role_over(actor: Actor, role: Role, place: Place) -> bool:
    """The actor holds `role` on `place` or on a place that contains it."""
    return any(grant.role is role and place.is_within(grant.place) for grant in actor.grants)


def places_with_role(actor: Actor, *roles: Role) -> list[Place]:
    return actor.places(*roles)


def is_admin(actor: Actor) -> bool:
    return Role.admin in actor.roles


def serves(actor: Actor, community: Place) -> bool:
    """A planner with a term serving the community today."""
    return community.id in actor.served


def is_office(actor: Actor, place: Place) -> bool:
    """Sub-district staff, district staff or an administrator over the place."""
    return any(holds_role_over(actor, role, place) for role in OFFICE_ROLES)


def is_community_worker(actor: Actor, community: Place) -> bool:
    return holds_role_over(actor, Role.community_worker, community)


def handles(actor: Actor, community: Place) -> bool:
    """Works on the community's affairs: its serving planners and the office over it."""
    return serves(actor, community) or is_office(actor, community)


def may_open_workspace(actor: Actor) -> bool:
    return bool(actor.served) or bool(actor.roles & WORKSPACE_ROLES)


def may_moderate(actor: Actor, community: Place) -> bool:
    """Comments and reports of a community are moderated by the office over it."""
    return is_office(actor, community)


def may_moderate_somewhere(actor: Actor) -> bool:
    return bool(actor.places(*OFFICE_ROLES))


def may_appoint(actor: Actor, community: Place, policy: PolicyProfile) -> bool:
    """District staff appoint anywhere in their district; street staff too where the profile lets them."""
    if holds_role_over(actor, Role.district_staff, community) or holds_role_over(actor, Role.admin, community):
        return True
    return policy.appointing_level is AppointingLevel.subdistrict and holds_role_over(
        actor, Role.subdistrict_staff, community)


def may_appoint_somewhere(actor: Actor) -> bool:
    """Some community exists where `may_appoint` holds: the menu offers "appoint" exactly then."""
    if actor.places(Role.district_staff, Role.admin):
        return True
    streets = actor.places(Role.subdistrict_staff)
    if not streets:
        return False
    district_ids = {_district_id(place) for place in streets}
    refused = set(db.session.scalars(select(PolicyProfile.district_id).where(
        PolicyProfile.district_id.in_(district_ids), PolicyProfile.appointing_level == AppointingLevel.district)))
    return bool(district_ids - refused)  # a district without a profile has the default: streets appoint


def _district_id(place: Place) -> int:
    while place.level is not PlaceLevel.district and place.parent is not None:
        place = place.parent
    return place.id
