"""Who may see and act on activities and work logs. Deny by default: planners act in the communities they serve,
community workers in their community, staff inside their jurisdiction, residents on public activities only."""
from planner_platform.access import READER_ROLES, Actor, holds_role_over, is_community_worker, is_office, serves
from planner_platform.accounts.models import Role
from planner_platform.activities.models import TO_CLOSE, Activity, ActivityState
from planner_platform.areas.models import Place


def can_organise(actor: Actor, community: Place) -> bool:
    """Plan activities: the community's serving planners and its community workers."""
    return serves(actor, community) or is_community_worker(actor, community)


def can_read_all(actor: Actor, community: Place) -> bool:
    return any(holds_role_over(actor, role, community) for role in READER_ROLES)


def can_manage(actor: Actor, activity: Activity) -> bool:
    """See the check-in code and registrations, close the activity: whoever may organise activities in its
    community today (the organiser too, but only while their term or role there lasts)."""
    return can_organise(actor, activity.community)


def can_view(actor: Actor, activity: Activity) -> bool:
    return activity.public or can_manage(actor, activity) or can_read_all(actor, activity.community)


def can_register(actor: Actor, activity: Activity) -> bool:
    """Residents take seats at public activities that are still to come."""
    return Role.resident in actor.roles and activity.public and activity.state is ActivityState.planned


def can_close(actor: Actor, activity: Activity) -> bool:
    return activity.state in TO_CLOSE and can_manage(actor, activity)


def is_verifier(actor: Actor, activity: Activity) -> bool:
    """The office over the community (sub-district staff and above) verifies or returns closing records."""
    return is_office(actor, activity.community)


def can_verify(actor: Actor, activity: Activity) -> bool:
    return activity.state is ActivityState.closed and is_verifier(actor, activity)


def can_list(actor: Actor) -> bool:
    """The activity register with filters and exports: staff, for their jurisdiction."""
    return bool(actor.places(*READER_ROLES))


def can_log_work(actor: Actor) -> bool:
    """Work logs are the planners' own record."""
    return Role.planner in actor.roles
