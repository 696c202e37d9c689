"""The navigation bar and the home page's task list, derived from the same permission predicates as the views."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from planner_platform.access import Actor, is_admin, may_appoint_somewhere, may_open_workspace
from planner_platform.accounts.models import Role
from planner_platform.accounts.permissions import can_list_pii_accesses, can_manage_accounts
from planner_platform.activities.permissions import can_list as can_list_activities
from planner_platform.areas.permissions import can_import_places
from planner_platform.monitoring.permissions import may_monitor_somewhere, may_see_own_dashboard
from planner_platform.planners.queries import may_read_a_roster
from planner_platform.projects import permissions as project_permissions
from planner_platform.reports.permissions import may_list as may_list_reports


#: eq=False: a page is itself (compared by identity); a field-wise comparison would translate the labels.
@dataclass(frozen=True, eq=False)
class NavItem:
    label: str
    endpoint: str
    #: One sentence for the home page: what the page is for, as a next step.
    hint: str = ""


@dataclass(frozen=True, eq=False)
class NavGroup:
    """A dropdown of the header's menu."""
    label: str
    items: tuple[NavItem, ...]


PLACES = NavItem(_l("Places"), "areas.index", _l("Browse the city, its districts, sub-districts and communities."))
ACCOUNTS = NavItem(_l("Accounts"), "staff.users", _l("See the people in your jurisdiction and their roles."))
INVITE = NavItem(_l("Invite staff"), "staff.invitations",
                 _l("Invite planners and staff; each invitation expires if unused."))
PII_LOG = NavItem(_l("PII-access log"), "pii.accesses",
                  _l("Who looked at residents' and staff's full phone numbers in your area, and why."))
IMPORT = NavItem(_l("Import places"), "areas.import_places",
                 _l("Load communities and boundaries from a GeoJSON or CSV file."))
AUDIT = NavItem(_l("Audit log"), "shell.audit_log", _l("Review logins, lockouts, role grants and place changes."))
INBOX = NavItem(_l("Notifications"), "notifications.inbox", _l("Read what happened to your affairs."))
OPERATIONS = NavItem(_l("Operations"), "notifications.operations",
                     _l("Watch the notification queue and retry failed deliveries."))
ROSTER = NavItem(_l("Planners"), "planners.roster",
                 _l("The roster of planners, organisations and teams, with their communities."))
COVERAGE = NavItem(_l("Coverage"), "assignments.coverage",
                   _l("Which communities have a lead planner, and which do not."))
APPOINT = NavItem(_l("Appoint"), "assignments.appoint", _l("Appoint a planner or a team to communities."))
MY_TERMS = NavItem(_l("My communities"), "shell.home", _l("The communities you serve and your terms."))
PROPOSALS = NavItem(_l("Proposals"), "proposals.index",
                    _l("Residents' ideas for their neighbourhood, each followed to a public reply."))
MY_PROPOSALS = NavItem(_l("My proposals"), "proposals.mine", _l("Make a proposal and follow yours step by step."))
WORKSPACE = NavItem(_l("Workspace"), "workspace.index",
                    _l("The proposals of your communities: accept, assess, decide and reply before the deadline."))
ACTIVITIES = NavItem(_l("Activities"), "activities.calendar",
                     _l("Workshops, walks and meetings in the communities: this month's calendar."))
MY_WORK = NavItem(_l("My work"), "work.my_work",
                  _l("Your coming activities, those to close, and quick work logs."))
ACTIVITY_RECORDS = NavItem(_l("Activity records"), "work.records",
                           _l("Activities in your jurisdiction: filter, verify and export with attendance."))
PROJECTS = NavItem(_l("Projects"), "project_boards.board",
                   _l("The renewal projects of your jurisdiction by stage: filter by community, stage and "
                      "implementer."))
MY_PROJECTS = NavItem(_l("My projects"), "project_boards.mine",
                      _l("The projects you lead or accompany, by stage, those waiting longest first."))
MONITORING = NavItem(_l("Monitoring"), "monitoring.index",
                    _l("Indicators of your jurisdiction by period, compared between its units, down to the records."))
MY_DASHBOARD = NavItem(_l("My dashboard"), "my_dashboard.index",
                       _l("Your proposals due, your on-site days this month and your projects' milestones."))
OVERDUE = NavItem(_l("Overdue"), "monitoring.overdue",
                  _l("Proposals past their deadline across your jurisdiction, the longest waiting first, with the "
                     "planner responsible."))
TEAM_REPORTS = NavItem(_l("Team reports"), "reports.index",
                      _l("The teams' monthly reports: drafted from the record, completed by the team, accepted by "
                         "the street office."))
REPORTS = NavItem(_l("Reports"), "place_reports.index",
                  _l("The monthly reports of your sub-districts and districts, as PDF and XLSX, and reports for any "
                     "period."))
PROFILE = NavItem(_l("My account"), "accounts.profile", _l("Update your name, email, language and password."))


def navigation_for(actor: Actor) -> list[NavItem]:
    """The pages the actor may open, in menu order: the same predicates as the pages' own checks."""
    items = [PLACES, PROPOSALS, ACTIVITIES]
    if not actor.is_authenticated:
        return items
    if Role.resident in actor.roles:
        items.append(MY_PROPOSALS)
    if may_open_workspace(actor):
        items.append(WORKSPACE)
    if may_see_own_dashboard(actor):
        items.append(MY_DASHBOARD)
    if actor.roles & {Role.planner, Role.community_worker}:
        items.append(MY_WORK)
    if can_list_activities(actor):
        items.append(ACTIVITY_RECORDS)
    if project_permissions.can_list(actor):
        items.append(PROJECTS)
    if project_permissions.can_list_own(actor):
        items.append(MY_PROJECTS)
    if may_monitor_somewhere(actor):
        items += [MONITORING, OVERDUE, REPORTS]
    if may_list_reports(actor):
        items.append(TEAM_REPORTS)
    if may_read_a_roster(actor):
        items += [ROSTER, COVERAGE]
    if may_appoint_somewhere(actor):
        items.append(APPOINT)
    if can_manage_accounts(actor):
        items += [ACCOUNTS, INVITE]
    if can_list_pii_accesses(actor):
        items.append(PII_LOG)
    if can_import_places(actor):
        items.append(IMPORT)
    if is_admin(actor):
        items += [AUDIT, OPERATIONS]
    items += [INBOX, PROFILE]
    return items


#: The dropdowns of a long menu, in order; every page navigation_for() offers, but those of HEADER_PAGES, is in one.
MENU_GROUPS = (
    (_l("Work"), (WORKSPACE, MY_DASHBOARD, PROPOSALS, MY_PROPOSALS, PROJECTS, MY_PROJECTS)),
    (_l("Teams"), (ROSTER, COVERAGE, APPOINT, TEAM_REPORTS)),
    (_l("Activities"), (ACTIVITIES, MY_WORK, ACTIVITY_RECORDS)),
    (_l("Monitoring"), (MONITORING, OVERDUE, REPORTS)),
    (_l("Manage"), (PLACES, IMPORT, ACCOUNTS, INVITE, PII_LOG, AUDIT, OPERATIONS)),
)
#: Pages the header shows on its right, once: the notifications button and the "Me" menu.
HEADER_PAGES = (INBOX, PROFILE)
#: A menu of this many pages or fewer (a resident's) stays a row of links.
FLAT_MENU_MAX = 4


def menu_for(actor: Actor) -> list[NavItem | NavGroup]:
    """The header's menu: navigation_for() as links when short, else grouped (a group of one page is its link)."""
    pages = [item for item in navigation_for(actor) if item not in HEADER_PAGES]
    if len(pages) <= FLAT_MENU_MAX:
        return pages
    menu = []
    for label, items in MENU_GROUPS:
        shown = tuple(item for item in items if item in pages)
        if len(shown) > 1:
            menu.append(NavGroup(label, shown))
        elif shown:
            menu.append(shown[0])
    return menu


ROLE_NEXT_STEPS = {
    Role.resident: _l("Send a renewal proposal for your neighbourhood and follow it to its reply; support and "
                      "comment on your neighbours' ideas; register for your community's public activities."),
    Role.community_worker: _l("Enter the proposals residents give you in person or by phone, with their consent, "
                              "from the workspace. Organise activities and close them with their attendance."),
    Role.planner: _l("Work on your communities' proposals in the workspace, the oldest deadline first; plan and "
                     "close activities and log your work under My work; follow the projects you lead under My "
                     "projects."),
    Role.subdistrict_staff: _l("Triage your sub-district's proposals before their deadlines, assign them to "
                               "planners, verify the activities planners close, and move your renewal projects "
                               "through their stages."),
    Role.district_staff: _l("Keep the place register of your district current and invite the staff and planners "
                            "who work in it."),
    Role.city_observer: _l("Watch every district's proposals, participation, planners and projects on the "
                           "monitoring dashboard, and open the records behind each number."),
    Role.admin: _l("Manage places, accounts and invitations, and review the audit log."),
}
