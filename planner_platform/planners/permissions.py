"""Who may see and change the roster and the assignments. Deny by default; staff act inside their jurisdiction."""
from planner_platform.access import Actor, holds_role_over, may_appoint
from planner_platform.accounts.models import Role
from planner_platform.areas.models import Place
from planner_platform.planners.models import Assignment, PlannerProfile, PolicyProfile

ROSTER_STAFF = (Role.subdistrict_staff, Role.district_staff, Role.admin)


def _works_in(actor: Actor, district: Place, roles) -> bool:
    """A grant of `roles` in the district (any street of it) or above it."""
    return any(g.role in roles and (district.is_within(g.place) or g.place.is_within(district))
               for g in actor.grants)


def can_view_roster(actor: Actor, district: Place) -> bool:
    """Staff who work in the district (any street of it, or above) and city observers see its roster."""
    return _works_in(actor, district, ROSTER_STAFF + (Role.city_observer,))


def can_manage_roster(actor: Actor, district: Place) -> bool:
    """Add or edit organisations, planners and teams of a district."""
    return _works_in(actor, district, ROSTER_STAFF)


def can_edit_policy(actor: Actor, district: Place) -> bool:
    return holds_role_over(actor, Role.district_staff, district) or holds_role_over(actor, Role.admin, district)


def can_appoint(actor: Actor, community: Place, policy: PolicyProfile) -> bool:
    return may_appoint(actor, community, policy)


def can_manage_assignment(actor: Actor, assignment: Assignment, policy: PolicyProfile) -> bool:
    return may_appoint(actor, assignment.community, policy)


def is_own_assignment(actor: Actor, assignment: Assignment) -> bool:
    """The term is the actor's own: as the appointed planner or as a member of the appointed team."""
    if not actor.is_authenticated:
        return False
    if assignment.planner is not None:
        return assignment.planner.user_id == actor.id
    return any(member.planner.user_id == actor.id for member in assignment.team.members)


def is_own_profile(actor: Actor, planner: PlannerProfile) -> bool:
    return actor.is_authenticated and planner.user_id == actor.id


def can_view_planner(actor: Actor, planner: PlannerProfile) -> bool:
    return is_own_profile(actor, planner) or can_view_roster(actor, planner.district)


def can_see_contact(actor: Actor, planner: PlannerProfile) -> bool:
    """Unmasked phone and email: the planner, and district staff and admins over the planner's district
    (GB/T 35273 展示限制); street staff and observers see them masked."""
    return is_own_profile(actor, planner) or holds_role_over(actor, Role.district_staff, planner.district) or \
        holds_role_over(actor, Role.admin, planner.district)
