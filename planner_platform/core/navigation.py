"""The navigation bar and the home page's task list, derived from the same permission predicates as the views."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from planner_platform.accounts.models import Role
from planner_platform.accounts.permissions import can_manage_accounts, is_admin
from planner_platform.areas.permissions import can_import_places


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
PROFILE = NavItem(_l("My account"), "accounts.profile", _l("Update your name, email, language and password."))


def navigation_for(user) -> list[NavItem]:
    """The pages `user` may open, in menu order."""
    items = [PLACES]
    if not (user and user.is_authenticated):
        return items
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
