"""The demo city's recent weeks and the coming ones, in every community a planner serves, in both districts.

The year of history (activities.demo_history) stops at the end of last month, and the demo planner's own season
(activities.demo) lies in his three communities. This adds, everywhere a planner serves:
- the activities of the last three weeks, in every state of the register: verified, held and waiting for the office,
  returned for correction, not yet closed (the organiser was reminded);
- those of the next four weeks, most of them public, with residents' registrations;
- residents' registrations and on-site check-ins at the public activities of the last three months;
- every serving planner's work logs of this month so far.

Set-based like the history (rows as the services would have left them, a history event per step); the seed
command rebuilds the monitoring summaries afterwards. Deterministic (random.Random(2027)), dated relative to today,
idempotent: nothing is added once a community other than the demo planner's own has an activity this month or later.
"""
import random
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import insert, select

from planner_platform.accounts.models import Role, RoleGrant, User
from planner_platform.activities.demo import SEASON
from planner_platform.activities.demo_history import (MINUTES, TYPES, VENUES, attendance_of, local_at, random_log,
                                                      venue_point)
from planner_platform.activities.models import (ATTENDANCE_GROUPS, Activity, ActivityEvent, ActivityState,
                                                Registration, WorkLog, WorkLogKind)
from planner_platform.activities.services import CHECKIN_OPENS_BEFORE
from planner_platform.areas.models import Place
from planner_platform.core.calendar import local_today
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from planner_platform.planners.demo import office_accounts, serving_accounts, serving_on
from planner_platform.planners.services import district_of, policy_for

RECENT_SEED = 2027
A = ActivityState
#: Days before and after today that the recent activities cover; on each, a community holds one with this chance.
PAST_DAYS, COMING_DAYS, DAILY_CHANCE = 21, 28, .075
#: How far back the public activities get their registrations and check-ins (about a season).
CHECKIN_DAYS = 91
#: What happens to the activities that have ended, in the order they ended (per district, oldest first), so that
#: each district's register shows every state; one ended less than a day ago is never yet verified.
FATES = ["returned", "verified", "planned", "verified", "closed", "verified", "verified", "closed", "returned",
         "verified", "planned", "verified"]
DESCRIPTIONS = {
    "工作坊": "分组讨论、动手画图，一起把{c}的改造想法画出来；现场提供茶水和图纸，带孩子来也欢迎。",
    "社区漫步": "跟着规划师走一走{c}的街巷，边走边记下不方便、不安全的地方；约一个半小时，请穿舒适的鞋。",
    "问需调研": "规划师和志愿者在现场听取意见、发放简短问卷，说说你最希望{c}改善的地方。",
    "议事会": "居民代表、居委会、物业和规划师一起商量{c}的事，按议事规则发言、表决，结果将在社区公示。",
    "参与式设计": "方案还没有定稿：请居民一起挑选材料、摆放模型，决定{c}这块地方怎么用。",
    "宣讲": "讲解城市更新、加装电梯和微更新资金的政策，现场答疑；{c}的居民都可以参加。",
    "展览": "展出{c}近一年的更新成果和居民提案，欢迎在留言墙写下你的意见。",
    "培训": "面向居民骨干和志愿者，学习读图、组织议事和开展社区调研的方法，结业颁发证书。",
}
RETURN_COMMENTS = ["请补充签到表扫描件。", "参与人数与签到表不一致，请核对后重新提交。",
                   "纪要过于简略，请补充居民提出的意见和下一步安排。"]


def _slot(day: date, rng: random.Random) -> datetime:
    """When residents can come: weekday afternoons and evenings, weekend mornings and afternoons."""
    hours = (9, 10, 14, 15) if day.weekday() >= 5 else (9, 14, 15, 19)
    return local_at(day, rng.choice(hours), rng.choice((0, 30)))


class _Writer:
    def __init__(self, admin: User, rng: random.Random):
        self.rng, self.now, self.today = rng, utcnow(), local_today()
        self.accounts, self.offices = serving_accounts(), office_accounts(admin)
        self.communities = db.session.scalars(select(Place).where(Place.id.in_(self.accounts))
                                              .order_by(Place.code)).all()
        self.district = {c.id: district_of(c).id for c in self.communities}
        self.types = {c.id: policy_for(district_of(c)).activity_types or list(TYPES) for c in self.communities}

    def schedule(self) -> list[tuple[Place, datetime]]:
        """Which community holds an activity when: each community's days by chance, at least one coming."""
        rng, result = self.rng, []
        for community in self.communities:
            days = [self.today + timedelta(days=n) for n in range(-PAST_DAYS, COMING_DAYS + 1)
                    if rng.random() < DAILY_CHANCE]
            if not any(day > self.today for day in days):
                days.append(self.today + timedelta(days=rng.randint(3, COMING_DAYS)))
            result += [(community, _slot(day, rng)) for day in days]
        return sorted(result, key=lambda pair: (pair[1], pair[0].code))

    def activity(self, community: Place, starts: datetime, kind: str, fate: str | None) -> tuple[dict, list[dict]]:
        """One activity's row and its events: `fate` for one that has ended, None for one still to come."""
        rng, now = self.rng, self.now
        titles, residents, public = TYPES.get(kind, ([f"{{c}}{kind}"], (10, 30), True))
        ends = starts + timedelta(minutes=rng.choice((90, 120, 150)))
        serving = serving_on(self.accounts[community.id], starts.date())
        organiser, office = (rng.choice(serving) if serving else None), self.offices[community.id]
        actor = organiser or office
        planned = min(starts - timedelta(days=rng.randint(7, 21), hours=rng.randint(0, 8)),
                      now - timedelta(hours=rng.randint(2, 72)))
        title = rng.choice(titles).format(c=community.name)
        venue = f"{community.name}{rng.choice(VENUES)}"
        lat, lng = venue_point(community, venue)
        row = {"title": title, "activity_type": kind, "community_id": community.id,
               "venue": venue, "lat": lat, "lng": lng, "starts_at": starts,
               "ends_at": ends, "public": public, "capacity": rng.choice((30, 40, 50, 60)),
               "description": DESCRIPTIONS.get(kind, "欢迎{c}的居民参加。").format(c=community.name),
               "organiser_id": organiser, "checkin_code": f"{rng.randrange(10**6):06d}", "state": A.planned,
               **{column: 0 for column, _label in ATTENDANCE_GROUPS}, "minutes": "", "closed_at": None,
               "closed_by_id": None, "verified_at": None, "verified_by_id": None, "return_comment": "",
               "reminded_3_at": None, "reminded_7_at": None, "version": 1, "created_at": planned}
        events = [{"from_state": None, "to_state": A.planned, "actor_id": actor, "occurred_at": planned, "comment": ""}]
        closed = ends + timedelta(hours=rng.randint(2, 30))
        if fate is None or fate == "planned" or closed >= now:
            for days, column in ((3, "reminded_3_at"), (7, "reminded_7_at")):
                if fate is not None and ends + timedelta(days=days, hours=9) < now:
                    row[column] = ends + timedelta(days=days, hours=9)  # the daily job reminded the organiser
            return row, events
        attendance = attendance_of(residents, rng)
        row.update(attendance, state=A.closed, minutes=f"{title}：{rng.choice(MINUTES)}", closed_at=closed,
                   closed_by_id=actor, capacity=max(row["capacity"], sum(attendance.values())))
        events.append({"from_state": A.planned, "to_state": A.closed, "actor_id": actor, "occurred_at": closed,
                       "comment": ""})
        decided = closed + timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 6))
        if fate == "closed" or decided >= now:
            return row, events
        if fate == "returned":
            comment = rng.choice(RETURN_COMMENTS)
            row.update(state=A.returned, return_comment=comment)
            events.append({"from_state": A.closed, "to_state": A.returned, "actor_id": office,
                           "occurred_at": decided, "comment": comment})
        else:
            row.update(state=A.verified, verified_at=decided, verified_by_id=office)
            events.append({"from_state": A.closed, "to_state": A.verified, "actor_id": office,
                           "occurred_at": decided, "comment": ""})
        return row, events

    def activities(self) -> list[tuple[dict, list[dict]]]:
        made, ended = [], defaultdict(int)
        cycles = defaultdict(int)  # per district: its types in turn, so that each of them comes up
        for community, starts in self.schedule():
            district = self.district[community.id]
            types = self.types[community.id]
            kind = types[(cycles[district] + self.rng.randrange(2)) % len(types)]
            cycles[district] += 1
            ends_by = starts + timedelta(minutes=150)
            fate = None
            if ends_by < self.now:
                fate = FATES[ended[district] % len(FATES)]
                ended[district] += 1
                if ends_by > self.now - timedelta(days=1):
                    fate = self.rng.choice(("planned", "closed"))
            made.append(self.activity(community, starts, kind, fate))
        return made


def _residents() -> tuple[list[int], dict[int, list[int]]]:
    """The demo residents (proposals.demo), and those living in each community."""
    rows = db.session.execute(select(User.id, RoleGrant.place_id).join(RoleGrant, RoleGrant.user_id == User.id)
                              .where(User.phone.like("1390100%"), RoleGrant.role == Role.resident)
                              .order_by(User.id)).all()
    homes: dict[int, list[int]] = defaultdict(list)
    for user_id, place_id in rows:
        homes[place_id].append(user_id)
    return [user_id for user_id, _place in rows], homes


def _registrations(rng: random.Random, now: datetime) -> list[dict]:
    """Seats at the public activities of the last three months and the coming weeks that have none yet: residents
    of the community first; at those that have begun most of them checked in with the code."""
    residents, homes = _residents()
    since = now - timedelta(days=CHECKIN_DAYS)
    taken = select(Registration.activity_id)
    activities = db.session.execute(select(Activity.id, Activity.community_id, Activity.starts_at, Activity.ends_at,
                                           Activity.capacity, Activity.att_residents, Activity.state,
                                           Activity.created_at)
                                    .where(Activity.public.is_(True), Activity.starts_at >= since,
                                           Activity.id.not_in(taken)).order_by(Activity.id)).all()
    rows = []
    for activity_id, community_id, starts, ends, capacity, came, state, planned in activities:
        begun = starts - CHECKIN_OPENS_BEFORE <= now
        most = min(capacity, 12, came if state is not A.planned else 12)
        if most < 1:
            continue
        neighbours = homes.get(community_id, [])
        others = [user for user in residents if user not in neighbours]
        chosen = (neighbours + rng.sample(others, len(others)))[:rng.randint(min(3, most), most)]
        opened = min(starts, now) - planned
        for user_id in chosen:
            row = {"activity_id": activity_id, "user_id": user_id,
                   "created_at": (planned + opened * rng.uniform(.1, .95)).astimezone(timezone.utc),
                   "checked_in_at": None}
            if begun and rng.random() < .8:
                at = starts + timedelta(minutes=rng.randint(-40, 25))
                row["checked_in_at"] = min(at, ends, now - timedelta(minutes=1)).astimezone(timezone.utc)
            rows.append(row)
    return rows


def _work_logs(writer: _Writer, made: list[tuple[int, dict]]) -> list[dict]:
    """Every serving planner's logs of this month so far, about two weekdays in three, in the communities they
    serve; and the organisers' own time at this month's verified activities."""
    rng, today = writer.rng, writer.today
    names = {c.id: c.name for c in writer.communities}
    served: dict[int, list[tuple[int, date]]] = defaultdict(list)
    for community_id, terms in sorted(writer.accounts.items()):
        for user_id, start_on in terms:
            served[user_id].append((community_id, start_on))
    first = today.replace(day=1)
    logged = set(db.session.execute(select(WorkLog.author_id, WorkLog.work_date).where(WorkLog.work_date >= first)))
    rows = []
    for user_id, terms in sorted(served.items()):
        for day in (first + timedelta(days=n) for n in range((today - first).days)):
            where = [community_id for community_id, start_on in terms if start_on <= day]
            if day.weekday() >= 5 or not where or (user_id, day) in logged or rng.random() > .65:
                continue
            for _ in range(rng.choice((1, 1, 1, 2))):
                rows.append(random_log(rng, user_id, day, where, names,
                                       lambda day, hour: local_at(day, hour).astimezone(timezone.utc)))
    for activity_id, row in made:
        day = row["starts_at"].date()
        if row["organiser_id"] and row["state"] is A.verified and day >= first and rng.random() < .6:
            rows.append({"author_id": row["organiser_id"], "community_id": row["community_id"], "work_date": day,
                         "hours": round((row["ends_at"] - row["starts_at"]).total_seconds() / 3600, 1),
                         "kind": WorkLogKind.activity, "activity_id": activity_id, "summary": f"组织{row['title']}",
                         "created_at": row["closed_at"].astimezone(timezone.utc)})
    return rows


def has_recent() -> bool:
    own = select(Place.id).where(Place.code.in_({code for _kind, code, *_rest in SEASON}))
    return db.session.scalar(select(Activity.id).where(
        Activity.starts_at >= local_at(local_today().replace(day=1), 0), Activity.community_id.not_in(own))
        .limit(1)) is not None


def seed_recent_activities(admin: User) -> tuple[int, int, int]:
    """The recent and the coming weeks; returns how many activities, registrations and work logs were added."""
    if has_recent():
        return 0, 0, 0
    writer = _Writer(admin, random.Random(RECENT_SEED))
    made = writer.activities()
    ids = db.session.scalars(insert(Activity).returning(Activity.id, sort_by_parameter_order=True),
                             [row for row, _events in made]).all()
    db.session.execute(insert(ActivityEvent), [{"activity_id": activity_id, **event}
                                               for activity_id, (_row, events) in zip(ids, made) for event in events])
    registrations = _registrations(writer.rng, writer.now)
    if registrations:
        db.session.execute(insert(Registration), registrations)
    logs = _work_logs(writer, [(activity_id, row) for activity_id, (row, _events) in zip(ids, made)])
    if logs:
        db.session.execute(insert(WorkLog), logs)
    return len(made), len(registrations), len(logs)
