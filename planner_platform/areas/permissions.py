"""Who may change places. Everyone may read the place hierarchy (it is public information)."""
from planner_platform.accounts.models import Role
from planner_platform.accounts.permissions import holds_role_over
from planner_platform.areas.models import Place, PlaceLevel


def can_edit_place(user, place: Place) -> bool:
    """Admins edit any place in their city; district staff edit their district's sub-districts and communities."""
    if holds_role_over(user, Role.admin, place):
        return True
    return place.level in (PlaceLevel.subdistrict, PlaceLevel.community) and holds_role_over(
        user, Role.district_staff, place)


def can_add_child_place(user, parent: Place) -> bool:
    child_level = parent.level.child_level
    if child_level is None:
        return False
    if holds_role_over(user, Role.admin, parent):
        return True
    return parent.level in (PlaceLevel.district, PlaceLevel.subdistrict) and holds_role_over(
        user, Role.district_staff, parent)


def can_import_places(user) -> bool:
    return bool(user and user.is_authenticated and user.roles & {Role.admin, Role.district_staff})
