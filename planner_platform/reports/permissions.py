"""Who does what with a team's monthly report: the team lead (or the planner reporting alone) writes and submits
it, the team's members read it, the street office over the sub-district accepts or returns it, and the staff who
monitor the place read it."""
from sqlalchemy import or_, select

from planner_platform.access import READER_ROLES, Actor, is_office
from planner_platform.accounts.models import Role
from planner_platform.areas.models import Place
from planner_platform.monitoring.permissions import can_monitor, monitored_places
from planner_platform.planners.models import PlannerProfile, TeamMember
from planner_platform.reports.models import EDITABLE, ReportState, TeamReport


def _planner_ids_of(actor: Actor):
    return select(PlannerProfile.id).where(PlannerProfile.user_id == actor.id)


def is_author(actor: Actor, report: TeamReport) -> bool:
    """The team's lead, or the planner whose own report it is."""
    if not actor.is_authenticated:
        return False
    holder = report.team.lead if report.team else report.planner
    return holder.user_id == actor.id


def is_member(actor: Actor, report: TeamReport) -> bool:
    if not actor.is_authenticated:
        return False
    if report.team is None:
        return report.planner.user_id == actor.id
    return any(member.planner.user_id == actor.id for member in report.team.members)


def can_read(actor: Actor, report: TeamReport) -> bool:
    return is_member(actor, report) or can_monitor(actor, report.subdistrict)


def can_edit(actor: Actor, report: TeamReport) -> bool:
    return report.state in EDITABLE and is_author(actor, report)


def can_decide(actor: Actor, report: TeamReport) -> bool:
    """Sub-district staff (or district staff, an administrator) over the report's sub-district, once submitted."""
    return report.state is ReportState.submitted and is_office(actor, report.subdistrict)


def visible_condition(actor: Actor):
    """The condition on TeamReport: the reports the actor may read (their teams', their own, their jurisdiction's)."""
    planner_ids = _planner_ids_of(actor)
    teams = select(TeamMember.team_id).where(TeamMember.planner_id.in_(planner_ids))
    watched = [Place.path.startswith(place.path) for place in actor.places(*READER_ROLES)]
    in_jurisdiction = TeamReport.subdistrict_id.in_(select(Place.id).where(or_(*watched))) if watched else None
    conditions = [TeamReport.team_id.in_(teams), TeamReport.planner_id.in_(planner_ids)]
    return or_(*conditions, *([in_jurisdiction] if in_jurisdiction is not None else []))


def may_list(actor: Actor) -> bool:
    """The menu's "Team reports": planners (who may have reports) and the staff who monitor a place."""
    return Role.planner in actor.roles or bool(actor.places(*READER_ROLES))



__all__ = ["can_monitor", "monitored_places"]
