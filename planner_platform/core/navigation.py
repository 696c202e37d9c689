"""The navigation bar and the home page's task list, derived from the same permission predicates as the views."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from planner_platform.accounts.models import Role
from planner_platform.accounts.permissions import can_manage_accounts, is_admin
from planner_platform.areas.permissions import can_import_places
from planner_platform.planners.queries import districts_visible_to


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    #: One sentence for the home page: what the page is for, as a next step.
    hint: str = ""


PLACES = NavItem(_l("Places"), "areas.index", _l("Browse the city, its districts, sub-districts and communities."))
ACCOUNTS = NavItem(_l("Accounts"), "staff.users", _l("See the people in your jurisdiction and their roles."))
INVITE = NavItem(_l("Invite staff"), "staff.invitations",
                 _l("Invite planners and staff; each invitation expires if unused."))
IMPORT = NavItem(_l("Import places"), "areas.import_places",
                 _l("Load communities and boundaries from a GeoJSON or CSV file."))
AUDIT = NavItem(_l("Audit log"), "core.audit_log", _l("Review logins, lockouts, role grants and place changes."))
INBOX = NavItem(_l("Notifications"), "notifications.inbox", _l("Read what happened to your affairs."))
OPERATIONS = NavItem(_l("Operations"), "notifications.operations",
                     _l("Watch the notification queue and retry failed deliveries."))
ROSTER = NavItem(_l("Planners"), "planners.roster",
                 _l("The roster of planners, organisations and teams, with their communities."))
COVERAGE = NavItem(_l("Coverage"), "assignments.coverage",
                   _l("Which communities have a lead planner, and which do not."))
APPOINT = NavItem(_l("Appoint"), "assignments.appoint", _l("Appoint a planner or a team to communities."))
MY_TERMS = NavItem(_l("My communities"), "core.home", _l("The communities you serve and your terms."))
PROFILE = NavItem(_l("My account"), "accounts.profile", _l("Update your name, email, language and password."))


def navigation_for(user) -> list[NavItem]:
    """The pages `user` may open, in menu order."""
    items = [PLACES]
    if not (user and user.is_authenticated):
        return items
    if districts_visible_to(user):
        items += [ROSTER, COVERAGE]
    if user.roles & {Role.subdistrict_staff, Role.district_staff, Role.admin}:
        items.append(APPOINT)
    if can_manage_accounts(user):
        items += [ACCOUNTS, INVITE]
    if can_import_places(user):
        items.append(IMPORT)
    if is_admin(user):
        items += [AUDIT, OPERATIONS]
    items += [INBOX, PROFILE]
    return items


ROLE_NEXT_STEPS = {
    Role.resident: _l("Look up your community and the planners who serve it. Soon you can send renewal proposals "
                      "here and follow each one to its reply."),
    Role.community_worker: _l("Check your community's details. You will enter proposals received offline and "
                              "organise activities here."),
    Role.planner: _l("Review the communities of your district. Your assignments, proposals and work logs will "
                     "appear here."),
    Role.subdistrict_staff: _l("Check the communities of your sub-district: population, households and "
                               "boundaries must be right before planners are assigned."),
    Role.district_staff: _l("Keep the place register of your district current and invite the staff and planners "
                            "who work in it."),
    Role.city_observer: _l("Browse every district and community; dashboards will follow."),
    Role.admin: _l("Manage places, accounts and invitations, and review the audit log."),
}
