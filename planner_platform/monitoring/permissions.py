"""Who reads the dashboards: staff who read every record of a jurisdiction (access.READER_ROLES), there only."""
from planner_platform.access import READER_ROLES, Actor, holds_role_over
from planner_platform.accounts.models import Role
from planner_platform.areas.models import Place


def can_monitor(actor: Actor, place: Place) -> bool:
    """Sub-district, district and city staff (observers included) over the place, and administrators."""
    return any(holds_role_over(actor, role, place) for role in READER_ROLES)


def monitored_places(actor: Actor) -> list[Place]:
    """The places whose dashboards the actor opens first: the widest of their reader grants first."""
    places = {place.id: place for place in actor.places(*READER_ROLES)}
    return sorted(places.values(), key=lambda place: (place.path.count("/"), place.code))


def may_monitor_somewhere(actor: Actor) -> bool:
    return bool(actor.places(*READER_ROLES))


def may_see_own_dashboard(actor: Actor) -> bool:
    """A planner's personal dashboard: their own work, whether or not a term is running today."""
    return Role.planner in actor.roles
