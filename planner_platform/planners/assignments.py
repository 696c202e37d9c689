"""Appointing planners and teams to communities, and every later step of a term. Callers commit.

The one-lead rule is the database's: an overlapping lead term fails on insert or update (exclusion constraint
on PostgreSQL, triggers on SQLite), and that failure becomes a Conflict naming the community.
"""
import logging
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from planner_platform.access import actor_of
from planner_platform.accounts.models import User
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.audit import record_audit
from planner_platform.core.calendar import local_today
from planner_platform.core.concurrency import CHANGED_MEANWHILE, check_version
from planner_platform.core.db import utcnow
from planner_platform.core.errors import Conflict, DomainError, NotAllowed
from planner_platform.core.transitions import transition
from planner_platform.extensions import db
from planner_platform.core.outbox import emit
from planner_platform.planners import notifications as events
from planner_platform.planners.models import (HOLDING_STATES, TRANSITIONS, Assignment, AssignmentEvent,
                                              AssignmentRole, AssignmentState, PlannerProfile, Team)
from planner_platform.planners.permissions import can_appoint, can_manage_assignment
from planner_platform.planners.services import district_of, policy_for, teams_led_by

logger = logging.getLogger(__name__)


def _recipients(assignment: Assignment) -> dict:
    """The planner's account, or every member of the team who has one."""
    if assignment.planner is not None:
        ids = [assignment.planner.user_id]
    else:
        ids = [member.planner.user_id for member in assignment.team.members]
    return {"users": [i for i in ids if i]}


def _notify(event_type, assignment: Assignment, actor, **extra) -> None:
    recipients = _recipients(assignment)
    if recipients["users"]:
        emit(event_type.name, recipients=recipients, actor=actor, payload={
            "assignment_id": assignment.id, "community": assignment.community.name, "holder": assignment.holder_name,
            "role": assignment.role.value, "start_on": assignment.start_on.isoformat(),
            "end_on": assignment.end_on.isoformat(), **extra})


def _log(assignment: Assignment, to_state: AssignmentState, actor, reason: str = "") -> None:
    """One step of the term's lifecycle with its history row (actor None: the daily job)."""
    # The event is appended, not added to the session: a new term enters the session only inside _insert's savepoint.
    transition(assignment, to_state, TRANSITIONS, AssignmentEvent, actor, reason=reason)


def _start_if_due(assignment: Assignment, actor, on: date | None = None, reason: str = "") -> bool:
    """Start an appointed term whose first day is `on` (today) or past: the one step by which a term begins,
    whether it was appointed or renewed today or the daily job reaches its day. True if it started."""
    if assignment.state is not AssignmentState.appointed or assignment.start_on > (on or local_today()):
        return False
    _log(assignment, AssignmentState.active, actor, reason)
    return True


def _check_holder(holder: PlannerProfile | Team, district: Place, role: AssignmentRole, new_terms: int) -> None:
    policy = policy_for(district)
    planners = [holder] if isinstance(holder, PlannerProfile) else [m.planner for m in holder.members]
    for planner in planners:
        if planner.planner_type.value not in policy.allowed_planner_types:
            raise DomainError(_("%(district)s does not appoint planners of the type %(type)s.",
                                district=district.name, type=planner.planner_type.label))
    if role is not AssignmentRole.lead:
        return
    lead = holder if isinstance(holder, PlannerProfile) else holder.lead
    # Lock the lead's row so two officers appointing the same lead at once count one after the other.
    db.session.execute(select(PlannerProfile.id).where(PlannerProfile.id == lead.id).with_for_update())
    held = db.session.scalar(select(func.count()).select_from(Assignment).where(
        Assignment.role == AssignmentRole.lead, Assignment.state.in_(HOLDING_STATES),
        or_(Assignment.planner_id == lead.id, Assignment.team_id.in_(teams_led_by(lead)))))
    if held + new_terms > policy.max_communities_per_lead:
        raise DomainError(_("%(name)s would lead %(count)d communities; %(district)s allows at most %(max)d.",
                            name=lead.name, count=held + new_terms, district=district.name,
                            max=policy.max_communities_per_lead))


def _refuse_a_held_post(communities: list[Place], start_on: date, end_on: date) -> None:
    """A community whose lead post is held for part of the term is the reason to refuse, whatever else holds: say
    so, and by whom, before any other rule (the database's one-lead rule still decides a race)."""
    held = db.session.scalars(select(Assignment).where(
        Assignment.community_id.in_([community.id for community in communities]),
        Assignment.role == AssignmentRole.lead, Assignment.start_on < end_on, Assignment.occupied_until > start_on)
        .order_by(Assignment.start_on).limit(1)).first()
    if held is not None:
        raise Conflict(_("%(community)s already has a lead planner for part of this term: %(holder)s, until "
                         "%(day)s.", community=held.community.name, holder=held.holder_name,
                         day=held.occupied_until.isoformat()))


def _insert(assignment: Assignment) -> None:
    """Flush one new or changed term in a savepoint, turning a broken one-lead rule into a clear Conflict."""
    try:
        with db.session.begin_nested():
            db.session.add(assignment)
            db.session.flush()
    except IntegrityError as error:
        if "lead" not in str(error.orig).lower() and "exclu" not in str(error.orig).lower():
            raise
        raise Conflict(_("%(community)s already has a lead planner for part of this term. Refresh the page to see "
                         "who was appointed.", community=assignment.community.name)) from None
    except StaleDataError:  # the version check lost a race with another officer's change
        raise Conflict(str(CHANGED_MEANWHILE)) from None


def appoint(actor: User, holder: PlannerProfile | Team, communities: list[Place], *, role: AssignmentRole,
            start_on: date, end_on: date | None, appointing_body: str, contract_ref: str = "") -> list[Assignment]:
    """Appoint a planner or a team to one or more communities, all or nothing."""
    if not communities:
        raise DomainError(_("Choose at least one community."), field="communities")
    district = district_of(communities[0])
    policy = policy_for(district)
    for community in communities:
        if community.level is not PlaceLevel.community or district_of(community).id != district.id:
            raise DomainError(_("All communities of one appointment must be in the same district."),
                              field="communities")
        if not can_appoint(actor_of(actor), community, policy):
            raise NotAllowed(_("You may not appoint planners in %(community)s.", community=community.name))
    end_on = end_on or start_on + relativedelta(months=policy.term_months)
    if end_on <= start_on:
        raise DomainError(_("The term must end after it starts."), field="end_on")
    if role is AssignmentRole.lead:
        _refuse_a_held_post(communities, start_on, end_on)
    _check_holder(holder, district, role, len(communities))
    created = []
    for community in communities:
        assignment = Assignment(
            community=community, community_id=community.id, role=role, start_on=start_on, end_on=end_on,
            occupied_until=end_on, appointing_body=appointing_body.strip(), contract_ref=contract_ref.strip(),
            appointed_by_id=actor.id, planner=holder if isinstance(holder, PlannerProfile) else None,
            team=holder if isinstance(holder, Team) else None)
        _log(assignment, AssignmentState.appointed, actor)
        _start_if_due(assignment, actor)
        _insert(assignment)
        record_audit(db.session, "assignments.appointed", actor=actor, obj=assignment, community=community.code,
                     role=role.value, holder=assignment.holder_name)
        _notify(events.APPOINTED, assignment, actor)
        created.append(assignment)
    logger.info("User %s appointed %s to %d communities", actor.id, created[0].holder_name, len(created))
    return created


def _transition(actor, assignment: Assignment, to_state: AssignmentState, version: int | None, reason: str = ""):
    """An officer's step on an existing term: they may manage it, their page is current, the lifecycle allows it."""
    if not can_manage_assignment(actor_of(actor), assignment, policy_for(district_of(assignment.community))):
        raise NotAllowed(_("You may not change the terms of %(community)s.", community=assignment.community.name))
    check_version(assignment, version)
    _log(assignment, to_state, actor, reason)


def suspend(actor: User, assignment: Assignment, *, reason: str, rectify_by: date, version: int) -> None:
    """Suspend for rectification (整改) until a deadline."""
    if rectify_by <= local_today():
        raise DomainError(_("The rectification deadline must be in the future."), field="rectify_by")
    _transition(actor, assignment, AssignmentState.suspended, version, reason)
    assignment.rectify_by = rectify_by
    _insert(assignment)
    record_audit(db.session, "assignments.suspended", actor=actor, obj=assignment, reason=reason)
    _notify(events.SUSPENDED, assignment, actor, reason=reason, rectify_by=rectify_by.isoformat())


def reinstate(actor: User, assignment: Assignment, *, reason: str, version: int) -> None:
    _transition(actor, assignment, AssignmentState.active, version, reason)
    assignment.rectify_by = None
    _insert(assignment)
    record_audit(db.session, "assignments.reinstated", actor=actor, obj=assignment)
    _notify(events.REINSTATED, assignment, actor)


def terminate(actor: User, assignment: Assignment, *, reason: str, version: int) -> None:
    """End a term early (解聘); the post is free from today, history stays."""
    if not reason.strip():
        raise DomainError(_("Give the reason for the termination."), field="reason")
    _transition(actor, assignment, AssignmentState.terminated, version, reason)
    assignment.occupied_until = max(assignment.start_on, min(assignment.occupied_until, local_today()))
    _insert(assignment)
    record_audit(db.session, "assignments.terminated", actor=actor, obj=assignment, reason=reason)
    _notify(events.TERMINATED, assignment, actor, reason=reason)


def renew(actor: User, assignment: Assignment, *, end_on: date | None, version: int,
          contract_ref: str = "") -> Assignment:
    """Renew (续聘): a new term starting where this one ends, linked to it; this one becomes `renewed`."""
    policy = policy_for(district_of(assignment.community))
    if not can_appoint(actor_of(actor), assignment.community, policy):
        raise NotAllowed(_("You may not appoint planners in %(community)s.", community=assignment.community.name))
    if assignment.state not in (AssignmentState.active, AssignmentState.expired):
        raise DomainError(_("Only an active or expired term can be renewed."))
    start_on = assignment.occupied_until
    end_on = end_on or start_on + relativedelta(months=policy.term_months)
    if end_on <= start_on:
        raise DomainError(_("The new term must end after %(date)s.", date=start_on.isoformat()), field="end_on")
    _transition(actor, assignment, AssignmentState.renewed, version)
    _insert(assignment)
    successor = Assignment(
        community=assignment.community, community_id=assignment.community_id, role=assignment.role,
        planner=assignment.planner, team=assignment.team, start_on=start_on, end_on=end_on, occupied_until=end_on,
        appointing_body=assignment.appointing_body, contract_ref=contract_ref.strip() or assignment.contract_ref,
        previous=assignment, appointed_by_id=actor.id)
    _log(successor, AssignmentState.appointed, actor)
    _start_if_due(successor, actor)
    _insert(successor)
    record_audit(db.session, "assignments.renewed", actor=actor, obj=successor, previous=assignment.id)
    _notify(events.RENEWED, successor, actor)
    return successor


def advance_terms(on: date | None = None) -> dict[str, int]:
    """Daily: start terms whose day has come, expire ended ones, send the 90- and 30-day reminders."""
    on = on or local_today()
    counts = {"activated": 0, "expired": 0, "reminded": 0}
    for assignment in db.session.scalars(select(Assignment).where(
            Assignment.state == AssignmentState.appointed, Assignment.start_on <= on)):
        counts["activated"] += _start_if_due(assignment, None, on, "term started")
    for assignment in db.session.scalars(select(Assignment).where(
            Assignment.state.in_([AssignmentState.active, AssignmentState.suspended]),
            Assignment.occupied_until <= on)):
        _log(assignment, AssignmentState.expired, None, "term ended")
        counts["expired"] += 1
    # One reminder per threshold crossed; a term that is already inside both thresholds gets one, not two.
    due = db.session.scalars(select(Assignment).where(
        Assignment.state == AssignmentState.active, Assignment.end_on > on,
        or_(and_(Assignment.reminded_90_at.is_(None), Assignment.end_on <= on + timedelta(days=90)),
            and_(Assignment.reminded_30_at.is_(None), Assignment.end_on <= on + timedelta(days=30)))))
    for assignment in due:
        now = utcnow()
        assignment.reminded_90_at = assignment.reminded_90_at or now
        if assignment.end_on <= on + timedelta(days=30):
            assignment.reminded_30_at = now
        _notify_term_ending(assignment, (assignment.end_on - on).days)
        counts["reminded"] += 1
    db.session.flush()
    return counts


def _notify_term_ending(assignment: Assignment, days: int) -> None:
    payload = {"assignment_id": assignment.id, "community": assignment.community.name,
               "holder": assignment.holder_name, "end_on": assignment.end_on.isoformat(), "days": days}
    users = _recipients(assignment)["users"]
    if users:
        emit(events.TERM_ENDING.name, recipients={"users": users}, payload=payload)
    emit(events.TERM_ENDING.name, payload=payload, recipients={
        "roles": ["subdistrict_staff", "district_staff"], "place_id": assignment.community_id, "scope": "covering"})
