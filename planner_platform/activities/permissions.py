"""Who may see and act on activities and work logs. Deny by default: planners act in the communities they serve,
community workers in their community, staff inside their jurisdiction, residents on public activities only."""
from planner_platform.accounts.models import Role
from planner_platform.accounts.permissions import holds_role_over, places_with_role
from planner_platform.activities.models import TO_CLOSE, Activity, ActivityState
from planner_platform.areas.models import Place
from planner_platform.proposals.permissions import is_community_worker, is_office, served_communities

#: Staff who read every activity in their jurisdiction (observers read, never act).
READERS = (Role.subdistrict_staff, Role.district_staff, Role.admin, Role.city_observer)


def _authenticated(user) -> bool:
    return bool(user and user.is_authenticated)


def serves(user, community: Place) -> bool:
    """A planner with an active assignment in the community."""
    return _authenticated(user) and community.id in served_communities(user)


def can_organise(user, community: Place) -> bool:
    """Plan activities: the community's serving planners and its community workers."""
    return serves(user, community) or is_community_worker(user, community)


def can_read_all(user, community: Place) -> bool:
    return _authenticated(user) and any(holds_role_over(user, role, community) for role in READERS)


def can_manage(user, activity: Activity) -> bool:
    """See the check-in code and registrations, close the activity: whoever may organise activities in its
    community today (the organiser too, but only while their term or role there lasts)."""
    return can_organise(user, activity.community)


def can_view(user, activity: Activity) -> bool:
    return activity.public or can_manage(user, activity) or can_read_all(user, activity.community)


def can_register(user, activity: Activity) -> bool:
    """Residents take seats at public activities that are still to come."""
    return (_authenticated(user) and Role.resident in user.roles and activity.public
            and activity.state is ActivityState.planned)


def can_close(user, activity: Activity) -> bool:
    return activity.state in TO_CLOSE and can_manage(user, activity)


def is_verifier(user, activity: Activity) -> bool:
    """The office over the community (sub-district staff and above) verifies or returns closing records."""
    return is_office(user, activity.community)


def can_verify(user, activity: Activity) -> bool:
    return activity.state is ActivityState.closed and is_verifier(user, activity)


def can_list(user) -> bool:
    """The activity register with filters and exports: staff, for their jurisdiction."""
    return bool(places_with_role(user, *READERS))


def can_log_work(user) -> bool:
    """Work logs are the planners' own record."""
    return _authenticated(user) and Role.planner in user.roles
