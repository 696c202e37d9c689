"""Roster writes: organisations, planner profiles, teams and district policy profiles. Callers commit."""
from flask_babel import gettext as _
from sqlalchemy import select

from planner_platform.access import actor_of
from planner_platform.accounts import pii
from planner_platform.accounts.models import PiiPurpose, Role, User
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.audit import record_audit
from planner_platform.core.errors import Conflict, DomainError, NotAllowed
from planner_platform.extensions import db
from planner_platform.planners.models import (Organisation, OrganisationType, PlannerProfile, PolicyProfile, Team,
                                              TeamMember, TeamMemberRole)
from planner_platform.planners.permissions import can_edit_policy, can_manage_roster, can_see_contact

POLICY_FIELDS = ("term_months", "appointing_level", "allowed_planner_types", "max_communities_per_lead",
                 "proposal_categories", "activity_types", "response_deadlines", "proposal_rules",
                 "project_stage_rules", "report_rules")


def district_of(place: Place) -> Place:
    """The district a place belongs to (the place itself for a district)."""
    while place.level is not PlaceLevel.district:
        if place.parent is None:
            raise DomainError(_("%(name)s is not inside a district.", name=place.name))
        place = place.parent
    return place


def policy_for(district: Place) -> PolicyProfile:
    """The district's policy profile; an unsaved one with the defaults if the district has none yet."""
    policy = db.session.scalar(select(PolicyProfile).where(PolicyProfile.district_id == district.id))
    return policy or PolicyProfile.with_defaults(district)


def update_policy(actor: User, district: Place, data: dict) -> PolicyProfile:
    """Change a district's rules; the audit log keeps old and new values. Existing records keep theirs."""
    if not can_edit_policy(actor_of(actor), district):
        raise NotAllowed(_("Only district staff change the policy profile of %(district)s.", district=district.name))
    policy = policy_for(district)
    changes = {}
    for field in POLICY_FIELDS:
        if field in data and data[field] != getattr(policy, field):
            old = getattr(policy, field)
            changes[field] = {"from": getattr(old, "value", old), "to": getattr(data[field], "value", data[field])}
            setattr(policy, field, data[field])
    if policy.id is None:
        db.session.add(policy)
    policy.updated_by_id = actor.id
    db.session.flush()
    if changes:
        record_audit(db.session, "policy.updated", actor=actor, obj=policy, district=district.code, changes=changes)
    return policy


def planner_account(phone: str, district: Place) -> User:
    """The account of a planner invited for `district`, to link to a profile.

    Only accounts holding a live planner role over the district qualify, and "unknown" and "not eligible" get
    the same answer, so the field cannot be used to find out which phone numbers are registered.
    """
    account = db.session.scalar(select(User).where(User.phone == phone))
    if account is None or not any(g.role is Role.planner and district.is_within(g.place) for g in account.grants):
        raise DomainError(_("No planner account of this district uses this phone number. Invite the planner as a "
                            "planner of the district first."), field="account_phone")
    return account


def _check_roster(actor: User, *districts: Place | None) -> None:
    for district in districts:
        if district is not None and not can_manage_roster(actor_of(actor), district):
            raise NotAllowed(_("You may not manage the roster of %(district)s.", district=district.name))


def _contact(planner: PlannerProfile) -> dict[str, str]:
    return {name: getattr(planner, name) for name in ("phone", "email") if getattr(planner, name)}


def _subject(planner: PlannerProfile) -> pii.Subject:
    return pii.Subject("planner_profiles", planner.id, planner.name, planner.district, planner.user_id)


def reveal_contact(actor: User, planner: PlannerProfile, purpose: PiiPurpose, note: str = "") -> dict[str, str]:
    """A planner's full phone and email, once, logged with the purpose (SECURITY.md §3)."""
    if not can_see_contact(actor_of(actor), planner):
        raise NotAllowed(_("You may not see this planner's contact details."))
    shown = _contact(planner)
    pii.record(actor, _subject(planner), list(shown), purpose, note)
    return shown


def record_edit_view(actor: User, planner: PlannerProfile) -> None:
    """The edit form showed a roster manager the planner's contact as stored: a look for keeping the roster."""
    if not can_manage_roster(actor_of(actor), planner.district):
        raise NotAllowed(_("You may not manage the roster of %(district)s.", district=planner.district.name))
    shown = _contact(planner)
    if shown and planner.user_id != actor.id:
        pii.record(actor, _subject(planner), list(shown), PiiPurpose.roster_upkeep)


def create_organisation(actor: User, *, name: str, org_type: OrganisationType, district: Place) -> Organisation:
    _check_roster(actor, district)
    if db.session.scalar(select(Organisation.id).where(Organisation.name == name.strip())):
        raise Conflict(_("An organisation with this name already exists."), field="name")
    organisation = Organisation(name=name.strip(), org_type=org_type, district_id=district.id)
    db.session.add(organisation)
    db.session.flush()
    record_audit(db.session, "roster.organisation_created", actor=actor, obj=organisation)
    return organisation


def save_planner(actor: User, planner: PlannerProfile | None, data: dict) -> PlannerProfile:
    """Create (planner=None) or update a planner profile from validated form data."""
    moved_to = db.session.get(Place, data["district_id"]) if data.get("district_id") else None
    _check_roster(actor, planner.district if planner else None, moved_to)
    if data.get("user_id") and db.session.scalar(select(PlannerProfile.id).where(
            PlannerProfile.user_id == data["user_id"], PlannerProfile.id != getattr(planner, "id", None))):
        raise Conflict(_("This account already belongs to another planner profile."), field="account_phone")
    created = planner is None
    planner = planner or PlannerProfile()
    for field in ("name", "planner_type", "organisation_id", "district_id", "qualifications", "expertise",
                  "full_time", "phone", "email", "user_id"):
        if field in data:
            setattr(planner, field, data[field])
    db.session.add(planner)
    db.session.flush()
    record_audit(db.session, "roster.planner_created" if created else "roster.planner_updated", actor=actor,
                 obj=planner)
    return planner


def save_team(actor: User, team: Team | None, *, name: str, district: Place, lead: PlannerProfile,
              members: list[tuple[PlannerProfile, TeamMemberRole]], organisation_id: int | None = None) -> Team:
    """Create or update a team; the lead is always a member with the lead role."""
    _check_roster(actor, team.district if team else None, district)
    clash = db.session.scalar(select(Team.id).where(Team.district_id == district.id, Team.name == name.strip(),
                                                    Team.id != getattr(team, "id", None)))
    if clash:
        raise Conflict(_("This district already has a team with this name."), field="name")
    created = team is None
    team = team or Team()
    team.name, team.district_id, team.lead_id, team.organisation_id = name.strip(), district.id, lead.id, \
        organisation_id
    wanted = {lead.id: TeamMemberRole.lead}
    for planner, role in members:
        wanted.setdefault(planner.id, role if role is not TeamMemberRole.lead else TeamMemberRole.core)
    team.members = [m for m in team.members if m.planner_id in wanted]
    for member in team.members:
        member.member_role = wanted.pop(member.planner_id)
    team.members += [TeamMember(planner_id=pid, member_role=role) for pid, role in wanted.items()]
    db.session.add(team)
    db.session.flush()
    record_audit(db.session, "roster.team_created" if created else "roster.team_updated", actor=actor, obj=team,
                 members=len(team.members))
    return team


def teams_led_by(planner: PlannerProfile) -> list[int]:
    return list(db.session.scalars(select(Team.id).where(Team.lead_id == planner.id)))



DEFAULT_DEADLINES = {"accept": 3, "reply": 15}
DEFAULT_PROPOSAL_RULES = {"max_photos": 4, "hide_after_reports": 3, "hide_proposal_after_reports": 5,
                          "auto_close_days": 14}


def proposal_rules(policy: PolicyProfile) -> dict:
    """The district's proposal rules, with the platform defaults for any it has not set."""
    return {**DEFAULT_PROPOSAL_RULES, **DEFAULT_DEADLINES, **(policy.proposal_rules or {}),
            **(policy.response_deadlines or {})}


#: The platform's monthly report rules, for a district that has not set its own (PolicyProfile.report_rules).
DEFAULT_REPORT_RULES = {"report_day": 3, "team_due_day": 5, "remind_days_before": 2}


def report_rules_for(district: Place) -> dict:
    """The district's monthly report rules: the day its place reports are generated (report_day), the day team
    reports are due (team_due_day) and the reminder's lead time (remind_days_before), with the defaults."""
    return {**DEFAULT_REPORT_RULES, **(policy_for(district).report_rules or {})}
