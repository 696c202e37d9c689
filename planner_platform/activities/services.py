"""Activity and work-log writes: planning, registration and check-in, closing, verification, reminders, logs.

Callers commit. Every function takes the acting user and checks that they may act; a refused action raises
DomainError, NotAllowed or Conflict and leaves nothing behind.
"""
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import func, select

from planner_platform.access import actor_of, serves
from planner_platform.accounts.models import Role, User
from planner_platform.activities import notifications as events
from planner_platform.activities import permissions as can
from planner_platform.activities.models import (ATTENDANCE_GROUPS, DESCRIPTION_MAX, HEADCOUNT_MAX, HOURS_MAX,
                                                MINUTES_MAX, SUMMARY_MAX, TITLE_MAX, TO_CLOSE, TRANSITIONS, Activity,
                                                ActivityEvent, ActivityFile, ActivityProposal, ActivityState,
                                                FileKind, Registration, WorkLog, WorkLogKind)
from planner_platform.areas.geometry import check_point
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core import media
from planner_platform.core.audit import record_audit
from planner_platform.core.calendar import local_today, local_zone
from planner_platform.core.concurrency import check_version, flush_or_conflict, lock_row
from planner_platform.core.db import utcnow
from planner_platform.core.errors import DomainError, NotAllowed
from planner_platform.core.transitions import transition
from planner_platform.extensions import db
from planner_platform.core.outbox import emit
from planner_platform.planners.services import district_of, policy_for
from planner_platform.proposals import services as proposal_services
from planner_platform.proposals.models import Channel, Proposal, ProposalState

#: DOMAIN.md §6, for a district whose profile lists no activity types yet.
DEFAULT_TYPES = ["工作坊", "社区漫步", "问需调研", "议事会", "参与式设计", "宣讲", "展览", "培训"]
#: Check-in opens this long before the start (people arrive early) and closes at the end.
CHECKIN_OPENS_BEFORE = timedelta(hours=1)
MAX_PHOTOS = 9
MAX_SHEETS = 4
FILE_FOLDER = "activities"
#: Days after the end at which the organiser is reminded to close, with the column that records each reminder.
CLOSE_REMINDERS = ((7, "reminded_7_at"), (3, "reminded_3_at"))


@dataclass
class ActivityInput:
    title: str
    activity_type: str
    community: Place
    venue: str
    starts_at: datetime
    ends_at: datetime
    public: bool
    capacity: int
    description: str = ""
    lat: float | None = None
    lng: float | None = None


@dataclass
class ClosingInput:
    attendance: dict[str, int]
    minutes: str
    photos: list = field(default_factory=list)
    sheets: list = field(default_factory=list)
    #: Numbers of existing proposals discussed at the activity.
    linked_ids: list[int] = field(default_factory=list)
    #: A proposal residents made at the activity, and who made it.
    new_proposal: proposal_services.ProposalInput | None = None
    proposer_name: str = ""
    #: The proposers agreed that the proposal and their name are recorded (PIPL); required with a new proposal.
    proposer_consent: bool = False


@dataclass
class WorkLogInput:
    community: Place
    work_date: date
    hours: float
    kind: WorkLogKind
    summary: str
    activity: Activity | None = None


def types_for(community: Place) -> list[str]:
    return policy_for(district_of(community)).activity_types or DEFAULT_TYPES


def _new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _check_input(data: ActivityInput) -> None:
    if data.community.level is not PlaceLevel.community:
        raise DomainError(_("Choose a community."), field="community")
    if not data.title.strip() or len(data.title) > TITLE_MAX:
        raise DomainError(_("Give the activity a title of at most %(count)d characters.", count=TITLE_MAX),
                          field="title")
    if not data.venue.strip():
        raise DomainError(_("Say where the activity takes place."), field="venue")
    if len(data.description) > DESCRIPTION_MAX:
        raise DomainError(_("The text is too long."), field="description")
    if data.activity_type not in types_for(data.community):
        raise DomainError(_("Choose one of the activity types of %(community)s.", community=data.community.name),
                          field="activity_type")
    if data.ends_at <= data.starts_at:
        raise DomainError(_("The activity must end after it starts."), field="ends_at")
    if data.ends_at - data.starts_at > timedelta(days=7):
        raise DomainError(_("An activity lasts at most 7 days; plan a longer one as several."), field="ends_at")
    if not 1 <= data.capacity <= HEADCOUNT_MAX:
        raise DomainError(_("Capacity must be between 1 and %(max)d.", max=HEADCOUNT_MAX), field="capacity")
    check_point(data.community, data.lat, data.lng)


def plan(actor: User, data: ActivityInput) -> Activity:
    """Schedule an activity in a community the actor organises in."""
    if not can.can_organise(actor_of(actor), data.community):
        raise NotAllowed(_("You may not organise activities in %(community)s.", community=data.community.name))
    _check_input(data)
    activity = Activity(
        title=data.title.strip(), activity_type=data.activity_type, community=data.community,
        community_id=data.community.id, venue=data.venue.strip(), lat=data.lat, lng=data.lng,
        starts_at=data.starts_at, ends_at=data.ends_at, public=data.public, capacity=data.capacity,
        description=data.description.strip(), organiser_id=actor.id, checkin_code=_new_code(), files=[],
        outputs=[], history=[])
    _move(activity, ActivityState.planned, actor)
    db.session.add(activity)
    db.session.flush()
    record_audit(db.session, "activity.planned", actor=actor, obj=activity)
    return activity


def _lock(activity: Activity) -> None:
    """Hold the activity row until commit, so seat counting and taking is one step (SQLite locks on BEGIN)."""
    db.session.execute(select(Activity.id).where(Activity.id == activity.id).with_for_update())


def registration_of(user: User, activity: Activity) -> Registration | None:
    return db.session.scalar(select(Registration).where(Registration.activity_id == activity.id,
                                                        Registration.user_id == user.id))


def _take_seat(actor: User, activity: Activity) -> Registration:
    _lock(activity)
    if registration_of(actor, activity) is not None:
        raise DomainError(_("You are already registered for this activity."))
    taken = db.session.scalar(select(func.count()).select_from(Registration)
                              .where(Registration.activity_id == activity.id))
    if taken >= activity.capacity:
        raise DomainError(_("Sorry, the activity is full."))
    registration = Registration(activity_id=activity.id, user_id=actor.id)
    db.session.add(registration)
    db.session.flush()
    return registration


def register(actor: User, activity: Activity) -> Registration:
    """A resident takes a seat before the activity starts; one seat each, never beyond the capacity."""
    if not can.can_register(actor_of(actor), activity):
        raise NotAllowed(_("Only residents can register, for public activities that are still planned."))
    if activity.starts_at <= utcnow():
        raise DomainError(_("Registration has closed: the activity has started."))
    return _take_seat(actor, activity)


def cancel_registration(actor: User, activity: Activity) -> None:
    """Give the seat back before the activity starts, so someone else can take it."""
    registration = registration_of(actor, activity) if actor.is_authenticated else None
    if registration is None:
        raise DomainError(_("You are not registered for this activity."))
    if activity.starts_at <= utcnow() or registration.checked_in_at is not None:
        raise DomainError(_("The activity has started; the registration can no longer be cancelled."))
    db.session.delete(registration)
    db.session.flush()


def check_in(actor: User, activity: Activity, code: str) -> Registration:
    """Check in on site with the organiser's code. Twice is harmless; a walk-in takes a free seat if any."""
    if not can.can_register(actor_of(actor), activity):
        raise NotAllowed(_("Only residents can check in, at public activities."))
    now = utcnow()
    # The window first: outside it every code gets the same answer, so the code cannot be guessed in advance
    # (inside it, the view's per-user throttle bounds the guesses).
    if not activity.starts_at - CHECKIN_OPENS_BEFORE <= now <= activity.ends_at:
        raise DomainError(_("Check-in is open from an hour before the start until the end of the activity."),
                          field="code")
    if not secrets.compare_digest((code or "").strip().encode(), activity.checkin_code.encode()):
        raise DomainError(_("The check-in code is wrong. Type the code the organiser shows."), field="code")
    _lock(activity)  # re-read under the lock: a double tap must find the first tap's seat, not take a second one
    registration = registration_of(actor, activity) or _take_seat(actor, activity)
    if registration.checked_in_at is None:
        registration.checked_in_at = now
        db.session.flush()
    return registration


def checked_in_count(activity: Activity) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.activity_id == activity.id, Registration.checked_in_at.is_not(None)))


def _move(activity: Activity, to_state: ActivityState, actor, comment: str = "") -> None:
    """One step of the activity's lifecycle (models.TRANSITIONS), with its history row."""
    transition(activity, to_state, TRANSITIONS, ActivityEvent, actor, comment=comment)


def _check_attendance(attendance: dict[str, int]) -> None:
    for column, label in ATTENDANCE_GROUPS:
        value = attendance.get(column)
        if value is None or not 0 <= value <= HEADCOUNT_MAX:
            raise DomainError(_("%(group)s: enter a number from 0 to %(max)d.", group=label, max=HEADCOUNT_MAX),
                              field=column)
    if not any(attendance.values()):
        raise DomainError(_("Record how many people took part."), field=ATTENDANCE_GROUPS[0][0])


def _add_files(activity: Activity, kind: FileKind, photos: list, limit: int) -> None:
    if sum(f.kind is kind for f in activity.files) + len(photos) > limit:
        raise DomainError(_("At most %(count)d files of this kind per activity.", count=limit),
                          field="photos" if kind is FileKind.photo else "sheets")
    for photo in photos:
        activity.files.append(ActivityFile(kind=kind, storage_key=media.write(FILE_FOLDER, photo),
                                           width=photo.width, height=photo.height, size_bytes=len(photo.data)))


def _link(activity: Activity, proposal: Proposal, created_here: bool) -> None:
    if all(output.proposal_id != proposal.id for output in activity.outputs):
        activity.outputs.append(ActivityProposal(proposal_id=proposal.id, proposal=proposal,
                                                 created_here=created_here))


def _link_existing(activity: Activity, ids: list[int]) -> None:
    district = district_of(activity.community)
    for proposal_id in ids:
        proposal = db.session.get(Proposal, proposal_id)
        if proposal is None or proposal.state is ProposalState.draft or \
                district_of(proposal.community).id != district.id:
            raise DomainError(_("Proposal %(number)d does not exist in this district.", number=proposal_id),
                              field="linked")
        _link(activity, proposal, created_here=False)


def close(actor: User, activity: Activity, data: ClosingInput, *, version: int | None = None) -> None:
    """Record what happened: attendance by group, minutes, photos, sign-in sheet scans and outputs."""
    if not can.can_manage(actor_of(actor), activity):
        raise NotAllowed(_("Only the organisers can close this activity."))
    check_version(activity, version)
    if activity.state not in TO_CLOSE:
        raise DomainError(_("This activity is closed already."))
    if activity.ends_at > utcnow():
        raise DomainError(_("An activity can be closed once it has ended."))
    _check_attendance(data.attendance)
    minutes = data.minutes.strip()
    if not minutes or len(minutes) > MINUTES_MAX:
        raise DomainError(_("Write the minutes (at most %(count)d characters).", count=MINUTES_MAX),
                          field="minutes")
    for column, value in data.attendance.items():
        setattr(activity, column, value)
    activity.minutes, activity.return_comment = minutes, ""
    _move(activity, ActivityState.closed, actor)
    activity.closed_at, activity.closed_by_id = utcnow(), actor.id
    # First, so that a lost race stops here, before any file or proposal is written.
    flush_or_conflict()
    _add_files(activity, FileKind.photo, data.photos, MAX_PHOTOS)
    _add_files(activity, FileKind.sign_in_sheet, data.sheets, MAX_SHEETS)
    _link_existing(activity, data.linked_ids)
    if data.new_proposal is not None:
        proposal = proposal_services.save(actor, data.new_proposal, [], submit=True, offline=proposal_services.
                                          OfflineEntry(name=data.proposer_name, phone=None,
                                                       channel=Channel.activity, consent=data.proposer_consent))
        _link(activity, proposal, created_here=True)
    db.session.flush()
    record_audit(db.session, "activity.closed", actor=actor, obj=activity)
    emit(events.CLOSED.name, actor=actor, recipients={
        "roles": [Role.subdistrict_staff.value], "place_id": activity.community_id, "scope": "covering"},
        payload={"activity_id": activity.id, "title": activity.title, "community": activity.community.name,
                 "by": actor.display_name})


def _tell_organiser(activity: Activity, event_type: str, actor, **extra) -> None:
    if activity.organiser_id:
        emit(event_type, recipients={"users": [activity.organiser_id]}, actor=actor,
             payload={"activity_id": activity.id, "title": activity.title, **extra})


def _check_verifiable(actor: User, activity: Activity, version: int | None) -> None:
    if not can.is_verifier(actor_of(actor), activity):
        raise NotAllowed(_("Only the sub-district office verifies activities."))
    check_version(activity, version)
    if activity.state is not ActivityState.closed:
        raise DomainError(_("Only a closed activity awaiting verification can be verified or returned."))


def verify(actor: User, activity: Activity, *, version: int | None = None) -> None:
    _check_verifiable(actor, activity, version)
    _move(activity, ActivityState.verified, actor)
    activity.verified_at, activity.verified_by_id = utcnow(), actor.id
    flush_or_conflict()
    record_audit(db.session, "activity.verified", actor=actor, obj=activity)
    _tell_organiser(activity, events.VERIFIED.name, actor)


def return_record(actor: User, activity: Activity, comment: str, *, version: int | None = None) -> None:
    """Send the closing record back to the organisers with what to correct."""
    _check_verifiable(actor, activity, version)
    comment = comment.strip()
    if not comment:
        raise DomainError(_("Say what should be corrected."), field="comment")
    _move(activity, ActivityState.returned, actor, comment)
    activity.return_comment = comment
    flush_or_conflict()
    record_audit(db.session, "activity.returned", actor=actor, obj=activity)
    _tell_organiser(activity, events.RETURNED.name, actor, comment=comment)


def remind_to_close() -> int:
    """Tell organisers 3 and 7 days after the end that their activity still has no closing record, once each.

    An activity first seen 7 days late gets only the 7-day reminder (both marks are set).
    """
    now = utcnow()
    due = db.session.scalars(select(Activity).where(
        Activity.state.in_(TO_CLOSE), Activity.ends_at <= now - timedelta(days=3),
        Activity.reminded_7_at.is_(None)).order_by(Activity.id).with_for_update()).all()
    sent = 0
    for activity in due:
        days = next(d for d, _column in CLOSE_REMINDERS if activity.ends_at <= now - timedelta(days=d))
        if days == 3 and activity.reminded_3_at is not None:
            continue
        for reminder_days, column in CLOSE_REMINDERS:
            if reminder_days <= days:
                setattr(activity, column, now)
        _tell_organiser(activity, events.CLOSE_DUE.name, None, days=days)
        sent += 1
    db.session.flush()
    return sent


def remind_registrants() -> int:
    """Remind registered residents of tomorrow's activities (in local days), once per activity."""
    tomorrow = local_today() + timedelta(days=1)
    now = utcnow()
    candidates = db.session.scalars(select(Activity).where(
        Activity.state == ActivityState.planned, Activity.public.is_(True), Activity.starts_at > now,
        Activity.starts_at <= now + timedelta(days=2), Activity.reminded_registrants_at.is_(None))
        .with_for_update()).all()
    reminded = 0
    for activity in candidates:
        if activity.starts_at.astimezone(local_zone()).date() != tomorrow:
            continue
        activity.reminded_registrants_at = now
        users = db.session.scalars(select(Registration.user_id).where(Registration.activity_id == activity.id)).all()
        if users:
            emit(events.REMINDER.name, recipients={"users": list(users)}, payload={
                "activity_id": activity.id, "title": activity.title, "venue": activity.venue,
                "starts": format_datetime(activity.starts_at, "short")})
            reminded += 1
    db.session.flush()
    return reminded


def log_work(actor: User, data: WorkLogInput) -> WorkLog:
    """A planner's work log for one community and day; a day never adds up to more than 24 hours."""
    if not can.can_log_work(actor_of(actor)) or not serves(actor_of(actor), data.community):
        raise NotAllowed(_("You may log work only in the communities you serve."))
    if data.work_date > local_today():
        raise DomainError(_("The date cannot be in the future."), field="work_date")
    if data.work_date < local_today() - timedelta(days=366):
        raise DomainError(_("The date is more than a year ago."), field="work_date")
    if not 0 < data.hours <= HOURS_MAX:
        raise DomainError(_("Hours must be more than 0 and at most 24."), field="hours")
    # Lock the author's row: two logs sent at once for one day are summed one after the other.
    lock_row(User, actor.id)
    logged = db.session.scalar(select(func.coalesce(func.sum(WorkLog.hours), 0)).where(
        WorkLog.author_id == actor.id, WorkLog.work_date == data.work_date))
    if logged + data.hours > HOURS_MAX:
        raise DomainError(_("That day already has %(hours)s hours logged; a day has 24.", hours=format(logged, "g")),
                          field="hours")
    summary = data.summary.strip()
    if not summary or len(summary) > SUMMARY_MAX:
        raise DomainError(_("Write a short summary (at most %(count)d characters).", count=SUMMARY_MAX),
                          field="summary")
    if data.activity is not None and (data.kind is not WorkLogKind.activity
                                      or data.activity.community_id != data.community.id):
        raise DomainError(_("Link an activity only to an activity log in the same community."), field="activity")
    log = WorkLog(author_id=actor.id, community_id=data.community.id, work_date=data.work_date, hours=data.hours,
                  kind=data.kind, summary=summary, activity_id=data.activity.id if data.activity else None)
    db.session.add(log)
    db.session.flush()
    return log


def record_export(actor: User, kind: str, activities: list[Activity], filters: dict) -> None:
    """Exports carry attendance: who took which rows and when is audited (SECURITY.md §0.10)."""
    if not can.can_list(actor_of(actor)):
        raise NotAllowed(_("Only staff export the activity register."))
    record_audit(db.session, "activities.exported", actor=actor, format=kind, rows=len(activities),
                 activity_ids=[a.id for a in activities], filters=filters)
