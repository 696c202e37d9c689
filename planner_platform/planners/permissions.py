"""Who may see and change the roster and the assignments. Deny by default; staff act inside their jurisdiction."""
from planner_platform.accounts.models import Role
from planner_platform.accounts.permissions import holds_role_over
from planner_platform.areas.models import Place
from planner_platform.planners.models import AppointingLevel, Assignment, PlannerProfile, PolicyProfile

ROSTER_STAFF = (Role.subdistrict_staff, Role.district_staff, Role.admin)


def _authenticated(user) -> bool:
    return bool(user and user.is_authenticated)


def can_view_roster(user, district: Place) -> bool:
    """Staff who work in the district (any street of it, or above) and city observers see its roster."""
    if not _authenticated(user):
        return False
    return any(g.role in ROSTER_STAFF + (Role.city_observer,) and (district.is_within(g.place) or
                                                                   g.place.is_within(district))
               for g in user.grants)


def can_manage_roster(user, district: Place) -> bool:
    """Add or edit organisations, planners and teams of a district."""
    if not _authenticated(user):
        return False
    return any(g.role in ROSTER_STAFF and (district.is_within(g.place) or g.place.is_within(district))
               for g in user.grants)


def can_edit_policy(user, district: Place) -> bool:
    return holds_role_over(user, Role.district_staff, district) or holds_role_over(user, Role.admin, district)


def can_appoint(user, community: Place, policy: PolicyProfile) -> bool:
    """District staff appoint anywhere in their district; street staff too where the profile lets them."""
    if holds_role_over(user, Role.district_staff, community) or holds_role_over(user, Role.admin, community):
        return True
    return policy.appointing_level is AppointingLevel.subdistrict and holds_role_over(
        user, Role.subdistrict_staff, community)


def can_manage_assignment(user, assignment: Assignment, policy: PolicyProfile) -> bool:
    return can_appoint(user, assignment.community, policy)


def is_own_assignment(user, assignment: Assignment) -> bool:
    """The term is the user's own: as the appointed planner or as a member of the appointed team."""
    if not _authenticated(user):
        return False
    if assignment.planner is not None:
        return assignment.planner.user_id == user.id
    return any(member.planner.user_id == user.id for member in assignment.team.members)


def is_own_profile(user, planner: PlannerProfile) -> bool:
    return _authenticated(user) and planner.user_id == user.id


def can_view_planner(user, planner: PlannerProfile) -> bool:
    return is_own_profile(user, planner) or can_view_roster(user, planner.district)


def can_see_contact(user, planner: PlannerProfile) -> bool:
    """Unmasked phone and email: the planner, and district staff and admins over the planner's district
    (GB/T 35273 展示限制); street staff and observers see them masked."""
    return is_own_profile(user, planner) or holds_role_over(user, Role.district_staff, planner.district) or \
        holds_role_over(user, Role.admin, planner.district)
