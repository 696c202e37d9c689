"""Read-only questions about activities and work logs: calendars, lists, a planner's work, on-site time."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import false, func, or_, select, tuple_
from sqlalchemy.orm import joinedload

from planner_platform.activities.models import (TO_CLOSE, Activity, ActivityProposal, ActivityState,
                                                Registration, WorkLog, WorkLogKind)
from planner_platform.access import READER_ROLES, Actor
from planner_platform.areas.models import Place
from planner_platform.core.calendar import local_zone
from planner_platform.core.db import utcnow
from planner_platform.extensions import db

#: Rows in one export; a larger one is a sign to narrow the filters.
EXPORT_MAX = 5000


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=local_zone())


def upcoming_public(community: Place, limit: int = 5) -> list[Activity]:
    return db.session.scalars(select(Activity).where(
        Activity.community_id == community.id, Activity.public.is_(True), Activity.state == ActivityState.planned,
        Activity.ends_at > utcnow()).order_by(Activity.starts_at).limit(limit)).all()


#: Activities a month's page lists under each day; the others are one link away, on the day's own page.
PER_DAY = 5
#: Activities on one page of a day.
DAY_PAGE = 50


@dataclass
class CalendarDay:
    day: date
    activities: list[Activity]
    total: int


def _public_between(start: datetime, end: datetime, area: Place | None, *columns):
    query = select(*columns).where(Activity.public.is_(True), Activity.starts_at >= start, Activity.starts_at < end)
    if area is not None:
        query = query.join(Activity.community).where(Place.path.startswith(area.path))
    return query


def _with_community(ids) -> dict[int, Activity]:
    return {a.id: a for a in db.session.scalars(select(Activity).where(Activity.id.in_(ids))
                                                .options(joinedload(Activity.community).defer(Place.boundary)))}


def public_month(first: date, area: Place | None = None) -> list[CalendarDay]:
    """The public activities starting in the month of `first`, optionally inside `area`, by local day: the first
    PER_DAY of each day and how many the day has. The page stays the same size however busy the city is: only
    the ids and start times of the month are read, then the activities shown."""
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    starts = db.session.execute(_public_between(_local_midnight(first), _local_midnight(following), area,
                                                Activity.id, Activity.starts_at)
                                .order_by(Activity.starts_at, Activity.id)).all()
    days = defaultdict(list)
    for activity_id, starts_at in starts:
        days[starts_at.astimezone(local_zone()).date()].append(activity_id)
    shown = _with_community([i for ids in days.values() for i in ids[:PER_DAY]])
    return [CalendarDay(day, [shown[i] for i in ids[:PER_DAY]], len(ids)) for day, ids in sorted(days.items())]


def public_day(day: date, area: Place | None = None, after: tuple | None = None) -> tuple[list[Activity], tuple | None]:
    """One page of the public activities starting on the local `day`, after the (start, id) of the last one
    shown; and the cursor of the next page, if there is one."""
    query = _public_between(_local_midnight(day), _local_midnight(day + timedelta(days=1)), area, Activity.id,
                            Activity.starts_at)
    if after is not None:
        query = query.where(tuple_(Activity.starts_at, Activity.id) > tuple_(*after))
    rows = db.session.execute(query.order_by(Activity.starts_at, Activity.id).limit(DAY_PAGE + 1)).all()
    shown = _with_community([activity_id for activity_id, _starts in rows[:DAY_PAGE]])
    following = (rows[DAY_PAGE - 1].starts_at, rows[DAY_PAGE - 1].id) if len(rows) > DAY_PAGE else None
    return [shown[activity_id] for activity_id, _starts in rows[:DAY_PAGE]], following


def seat_counts(activity_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(registered, checked in) per activity, in one query."""
    if not activity_ids:
        return {}
    rows = db.session.execute(select(Registration.activity_id, func.count(), func.count(Registration.checked_in_at))
                              .where(Registration.activity_id.in_(activity_ids))
                              .group_by(Registration.activity_id)).all()
    return {activity_id: (registered, checked) for activity_id, registered, checked in rows}


def output_counts(activity_ids: list[int]) -> dict[int, int]:
    if not activity_ids:
        return {}
    return dict(db.session.execute(select(ActivityProposal.activity_id, func.count())
                                   .where(ActivityProposal.activity_id.in_(activity_ids))
                                   .group_by(ActivityProposal.activity_id)).all())


@dataclass
class Filters:
    state: str = ""
    activity_type: str = ""
    place: Place | None = None
    overdue: bool = False
    starts_from: date | None = None
    starts_until: date | None = None


def register_query(actor: Actor, filters: Filters):
    """Activities in the user's jurisdiction (as staff) with the list's filters, newest first."""
    areas = actor.places(*READER_ROLES)
    query = (select(Activity).join(Activity.community)
             .where(or_(*(Place.path.startswith(area.path) for area in areas)) if areas else false())
             .options(joinedload(Activity.community).joinedload(Place.parent), joinedload(Activity.organiser))
             .order_by(Activity.starts_at.desc(), Activity.id.desc()))
    if filters.state in ActivityState.__members__:
        query = query.where(Activity.state == ActivityState[filters.state])
    if filters.activity_type:
        query = query.where(Activity.activity_type == filters.activity_type)
    if filters.place is not None:
        query = query.where(Place.path.startswith(filters.place.path))
    if filters.overdue:
        query = query.where(Activity.state.in_(TO_CLOSE), Activity.ends_at <= utcnow() - timedelta(days=3))
    if filters.starts_from:
        query = query.where(Activity.starts_at >= _local_midnight(filters.starts_from))
    if filters.starts_until:
        query = query.where(Activity.starts_at < _local_midnight(filters.starts_until + timedelta(days=1)))
    return query


def export_rows(actor: Actor, filters: Filters) -> list[Activity]:
    return db.session.scalars(register_query(actor, filters).limit(EXPORT_MAX)).unique().all()


def _organised_by(actor: Actor):
    """Activities the actor organises, or that are in communities they serve."""
    if not actor.served:
        return Activity.organiser_id == actor.id
    return or_(Activity.organiser_id == actor.id, Activity.community_id.in_(actor.served))


@dataclass
class MyWork:
    upcoming: list[Activity]
    to_close: list[Activity]
    logs: list[WorkLog]


def my_work(actor: Actor, limit: int = 10) -> MyWork:
    now = utcnow()
    mine = _organised_by(actor)
    base = select(Activity).where(mine).options(joinedload(Activity.community))
    return MyWork(
        upcoming=db.session.scalars(base.where(Activity.state == ActivityState.planned, Activity.ends_at > now)
                                    .order_by(Activity.starts_at).limit(limit)).all(),
        to_close=db.session.scalars(base.where(Activity.state.in_(TO_CLOSE), Activity.ends_at <= now)
                                    .order_by(Activity.ends_at).limit(limit)).all(),
        logs=db.session.scalars(select(WorkLog).where(WorkLog.author_id == actor.id)
                                .options(joinedload(WorkLog.community))
                                .order_by(WorkLog.work_date.desc(), WorkLog.id.desc()).limit(limit)).all())


def linkable_activities(actor: Actor) -> list[Activity]:
    """Recent activities a work log may refer to: the actor's own or in communities they serve."""
    since = utcnow() - timedelta(days=60)
    return db.session.scalars(select(Activity).where(_organised_by(actor), Activity.starts_at >= since,
                                                     Activity.starts_at <= utcnow())
                              .order_by(Activity.starts_at.desc()).limit(30)).all()


@dataclass
class OnSite:
    days: int
    hours: float


def onsite_summary(user_ids: list[int], month: date) -> dict[int, OnSite]:
    """On-site days and hours per planner in the month of `month`: the one definition every report uses.

    days  = the distinct local dates on which the planner has an on-site or activity work log, or which an
            activity they organised covers, once the sub-district has verified its record (a closed record may
            still be returned, so it does not count yet);
    hours = the hours of all the planner's work logs plus the durations of those verified activities, except that
            a log linked to one of those activities is not added: the activity's own duration already counts it.
    A log linked to someone else's activity (the planner helped) counts as a normal log.
    """
    first = month.replace(day=1)
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    activities = db.session.execute(select(Activity.id, Activity.organiser_id, Activity.starts_at, Activity.ends_at)
                                    .where(Activity.organiser_id.in_(user_ids),
                                           Activity.state == ActivityState.verified,
                                           Activity.starts_at >= _local_midnight(first),
                                           Activity.starts_at < _local_midnight(following))).all()
    logs = db.session.execute(select(WorkLog.author_id, WorkLog.work_date, WorkLog.hours, WorkLog.kind,
                                     WorkLog.activity_id)
                              .where(WorkLog.author_id.in_(user_ids), WorkLog.work_date >= first,
                                     WorkLog.work_date < following)).all()
    days, hours, counted = defaultdict(set), defaultdict(float), defaultdict(set)
    for activity_id, organiser_id, starts_at, ends_at in activities:
        day, last = starts_at.astimezone(local_zone()).date(), ends_at.astimezone(local_zone()).date()
        while day <= last:  # an exhibition over several days is on site on each of them
            if first <= day < following:
                days[organiser_id].add(day)
            day += timedelta(days=1)
        hours[organiser_id] += (ends_at - starts_at).total_seconds() / 3600
        counted[organiser_id].add(activity_id)
    for author_id, work_date, log_hours, kind, activity_id in logs:
        if kind in (WorkLogKind.on_site, WorkLogKind.activity):
            days[author_id].add(work_date)
        if activity_id is None or activity_id not in counted[author_id]:
            hours[author_id] += log_hours
    return {user_id: OnSite(len(days[user_id]), round(hours[user_id], 1)) for user_id in user_ids}


def venues_in(west: float, south: float, east: float, north: float, limit: int = 200) -> list[dict]:
    """The venues of public activities inside a map's box, once each (a hall used every week is one site);
    internal activities' venues are for staff and stay off the public maps."""
    rows = db.session.execute(select(Activity.venue, Activity.lat, Activity.lng).where(
        Activity.public.is_(True), Activity.lat.between(south, north), Activity.lng.between(west, east))
        .group_by(Activity.venue, Activity.lat, Activity.lng).order_by(Activity.venue).limit(limit))
    return [{"kind": "venue", "name": venue, "lat": lat, "lng": lng} for venue, lat, lng in rows]
