"""Who may change places. Everyone may read the place hierarchy (it is public information)."""
from planner_platform.access import Actor, holds_role_over
from planner_platform.accounts.models import Role
from planner_platform.areas.models import Place, PlaceLevel


def can_edit_place(actor: Actor, place: Place) -> bool:
    """Admins edit any place in their city; district staff edit their district's sub-districts and communities."""
    if holds_role_over(actor, Role.admin, place):
        return True
    return place.level in (PlaceLevel.subdistrict, PlaceLevel.community) and holds_role_over(
        actor, Role.district_staff, place)


def can_add_child_place(actor: Actor, parent: Place) -> bool:
    child_level = parent.level.child_level
    if child_level is None:
        return False
    if holds_role_over(actor, Role.admin, parent):
        return True
    return parent.level in (PlaceLevel.district, PlaceLevel.subdistrict) and holds_role_over(
        actor, Role.district_staff, parent)


def can_import_places(actor: Actor) -> bool:
    return bool(actor.roles & {Role.admin, Role.district_staff})
