"""A year of the demo city's participation activities and planners' work logs, in every community served by a
planner in both districts: each month one to three activities of the district's types, held, counted by
stakeholder group and mostly verified, and each planner's on-site days.

Written set-based (one INSERT per table) like proposals.demo_history, rows as the services would have left them
(states, stamps, a history event per step); the seed command rebuilds the monitoring summaries afterwards.
Deterministic (random.Random(2026)), dated relative to today, idempotent: nothing is added once the city has
activities older than six months.
"""
import random
import zlib
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import insert, select

from planner_platform.accounts.models import User
from planner_platform.activities.models import Activity, ActivityEvent, ActivityState, WorkLog, WorkLogKind
from planner_platform.areas.geometry import bounds_of, centre_of, contains_point
from planner_platform.areas.models import Place
from planner_platform.core.calendar import local_today, local_zone
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from planner_platform.planners.demo import history_months, moment_in, office_accounts, serving_accounts, serving_on
from planner_platform.planners.services import district_of, policy_for

HISTORY_SEED = 2026
A = ActivityState
#: Per type: titles ("{c}": the community), residents who come (low, high), public or internal.
TYPES = {
    "工作坊": (["{c}口袋公园设计工作坊", "{c}楼道微更新工作坊", "{c}社区花园共建工作坊", "{c}街角空间改造工作坊"],
            (12, 35), True),
    "社区漫步": (["{c}老旧小区社区漫步", "{c}街巷空间踏勘", "{c}儿童友好路线漫步", "{c}适老出行路线踏勘"],
             (8, 25), True),
    "问需调研": (["{c}适老化改造问需调研", "{c}停车需求入户调研", "{c}公共空间使用问卷调研", "{c}加装电梯意愿调研"],
             (15, 50), True),
    "议事会": (["{c}楼道整治居民议事会", "{c}停车管理议事会", "{c}微更新项目议事会", "{c}自治金使用议事会"],
            (10, 25), False),
    "参与式设计": (["{c}儿童游戏角参与式设计", "{c}休憩座椅参与式设计", "{c}入口空间参与式设计",
               "{c}共享菜园参与式设计"], (10, 30), True),
    "宣讲": (["{c}城市更新政策宣讲", "{c}加装电梯政策宣讲", "{c}垃圾分类宣讲"], (25, 70), True),
    "展览": (["{c}社区更新成果展", "{c}老街记忆图片展"], (30, 90), True),
    "培训": (["{c}居民规划师培训", "{c}社区营造骨干培训"], (10, 30), False),
}
VENUES = ["党群服务中心", "居委会会议室", "文化广场", "小区中心绿地", "老年活动中心"]
MINUTES = ["居民讨论了现状问题和改造意向，形成下一步工作清单。", "现场收集意见二十余条，规划师将整理后反馈居委会。",
           "与会各方就方案达成初步共识，分歧部分留待下次议事会讨论。", "参与者走访了重点点位，标注了问题地图。"]
#: Per kind: (share, hours to choose from, summaries; "{c}": the community).
LOG_KINDS = {
    WorkLogKind.on_site: (40, [2, 2.5, 3, 4, 5], ["{c}驻场巡查公共空间", "踏勘{c}闲置空地", "{c}现场核对方案尺寸"]),
    WorkLogKind.survey: (20, [2, 3, 4], ["{c}入户问需调研", "{c}居民问卷回收整理", "{c}停车现状调查"]),
    WorkLogKind.meeting: (25, [1, 1.5, 2], ["与{c}居委会讨论提案办理", "参加{c}物业协调会", "与街道沟通{c}项目进度"]),
    WorkLogKind.review: (15, [1, 1.5, 2, 3], ["审查{c}改造方案图纸", "{c}施工现场质量把关", "整理{c}体检报告"]),
}


def venue_point(community: Place, venue: str) -> tuple[float | None, float | None]:
    """Where a demo venue stands (lat, lng): a point inside its community's outline drawn from the venue's name, so
    every activity held there shares it (the maps name a site once) and the seed's random draws are untouched."""
    if not community.boundary:
        return None, None
    west, south, east, north = bounds_of([community.boundary])
    seed = zlib.crc32(venue.encode())
    for attempt in range(8):  # the outlines are nearly rectangles: the first draw is almost always inside
        x, y = (seed >> (4 * attempt)) % 97 / 96, (seed >> (4 * attempt + 12)) % 89 / 88
        lat, lng = south + (north - south) * (.2 + .6 * y), west + (east - west) * (.2 + .6 * x)
        if contains_point(community.boundary, lat, lng):
            return round(lat, 6), round(lng, 6)
    return centre_of(community.boundary)


def local_at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=local_zone())


def random_log(rng: random.Random, user_id: int, day: date, where: list[int], names: dict[int, str],
               created_at) -> dict:
    """One work-log row of a kind drawn by LOG_KINDS' shares, in one of the communities `where`; `created_at(day,
    hour)` stamps it, in the evening."""
    kinds = list(LOG_KINDS)
    kind = rng.choices(kinds, weights=[LOG_KINDS[k][0] for k in kinds])[0]
    _share, hours, summaries = LOG_KINDS[kind]
    community_id = rng.choice(where)
    return {"author_id": user_id, "community_id": community_id, "work_date": day, "hours": rng.choice(hours),
            "kind": kind, "activity_id": None, "summary": rng.choice(summaries).format(c=names[community_id]),
            "created_at": created_at(day, rng.randint(17, 21))}


def attendance_of(low_high: tuple[int, int], rng: random.Random) -> dict[str, int]:
    return {"att_residents": rng.randint(*low_high), "att_committee": rng.randint(1, 4),
            "att_property": rng.randint(0, 2), "att_business": rng.randint(0, 3), "att_social_org": rng.randint(0, 2),
            "att_government": rng.randint(0, 3), "att_experts": rng.randint(0, 4)}


def _activity(community: Place, kind: str, month: date, organiser: int | None, office: int,
              rng: random.Random, now: datetime) -> tuple[dict, list[dict]] | None:
    titles, residents, public = TYPES.get(kind, ([f"{{c}}{kind}"], (10, 30), True))
    starts = moment_in(month, rng, (9, 19)) if rng.random() < .3 else local_at(
        moment_in(month, rng).date(), rng.choice((9, 14, 15, 19)), rng.choice((0, 30)))
    ends = starts + timedelta(minutes=rng.choice((90, 120, 150, 180)))
    closed = min(ends + timedelta(hours=rng.randint(2, 60)), now - timedelta(minutes=1))
    if closed <= ends:
        return None  # it would have just ended: the month's history leaves it out
    attendance = attendance_of(residents, rng)
    verified = closed + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 6))
    if verified >= now or (month == history_months()[-1] and rng.random() < .25):
        verified = None  # the office has not got round to it yet
    title = rng.choice(titles).format(c=community.name)
    planned = starts - timedelta(days=rng.randint(7, 21), hours=rng.randint(0, 8))
    venue = f"{community.name}{rng.choice(VENUES)}"
    lat, lng = venue_point(community, venue)
    row = {"title": title, "activity_type": kind, "community_id": community.id,
           "venue": venue, "lat": lat, "lng": lng, "starts_at": starts,
           "ends_at": ends, "public": public, "capacity": max(rng.choice((30, 40, 50, 60)), sum(attendance.values())),
           "description": "欢迎社区居民参加，共同讨论身边的更新需求。", "organiser_id": organiser,
           "checkin_code": f"{rng.randrange(10**6):06d}", "state": A.verified if verified else A.closed,
           **attendance, "minutes": f"{title}：{rng.choice(MINUTES)}", "closed_at": closed, "closed_by_id": organiser,
           "verified_at": verified, "verified_by_id": office if verified else None, "return_comment": "",
           "version": 1, "created_at": planned}
    events = [{"from_state": None, "to_state": A.planned, "actor_id": organiser or office, "occurred_at": planned},
              {"from_state": A.planned, "to_state": A.closed, "actor_id": organiser or office, "occurred_at": closed}]
    if verified:
        events.append({"from_state": A.closed, "to_state": A.verified, "actor_id": office, "occurred_at": verified})
    return row, events


def _activities(admin: User, accounts: dict, rng: random.Random) -> list[tuple[dict, list[dict]]]:
    now, offices = utcnow(), office_accounts(admin)
    result = []
    communities = db.session.scalars(select(Place).where(Place.id.in_(accounts)).order_by(Place.code)).all()
    for community in communities:
        types, office = policy_for(district_of(community)).activity_types or list(TYPES), offices[community.id]
        for month in history_months():
            for _ in range(rng.choices((1, 2, 3), weights=(45, 40, 15))[0]):
                serving = serving_on(accounts[community.id], month)
                made = _activity(community, rng.choice(types), month, rng.choice(serving) if serving else None,
                                 office, rng, now)
                if made:
                    result.append(made)
    return result


def _work_logs(accounts: dict, rng: random.Random) -> list[dict]:
    """Each planner's logs, month by month, in the communities they serve (from the start of their term)."""
    places = dict(db.session.execute(select(Place.id, Place.name).where(Place.id.in_(accounts))).all())
    served: dict[int, list[tuple[int, date]]] = {}
    for community_id, terms in sorted(accounts.items()):
        for user_id, start_on in terms:
            served.setdefault(user_id, []).append((community_id, start_on))
    rows, today = [], local_today()
    for user_id, terms in sorted(served.items()):
        for month in history_months():
            for _ in range(rng.randint(6, 14)):
                day = moment_in(month, rng).date()
                where = [community_id for community_id, start_on in terms if start_on <= day]
                if not where or day >= today or day.weekday() >= 5:
                    continue
                rows.append(random_log(rng, user_id, day, where, places, local_at))
    return rows


def has_history() -> bool:
    return db.session.scalar(select(Activity.id).where(Activity.starts_at < datetime.combine(
        history_months()[6], time(), tzinfo=local_zone())).limit(1)) is not None


def seed_activity_history(admin: User) -> tuple[int, int]:
    """Twelve months of activities and work logs; returns how many of each were added."""
    if has_history():
        return 0, 0
    rng, accounts = random.Random(HISTORY_SEED), serving_accounts()
    made = sorted(_activities(admin, accounts, rng), key=lambda pair: pair[0]["starts_at"])
    ids = db.session.scalars(insert(Activity).returning(Activity.id, sort_by_parameter_order=True),
                             [row for row, _events in made]).all()
    db.session.execute(insert(ActivityEvent), [{"activity_id": activity_id, "comment": "", **event}
                                               for activity_id, (_row, events) in zip(ids, made) for event in events])
    logs = _work_logs(accounts, rng)
    # The organiser's own time at a verified activity counts through the activity: a log linked to it says so.
    for activity_id, (row, _events) in zip(ids, made):
        if row["organiser_id"] and row["state"] is A.verified and rng.random() < .3:
            day = row["starts_at"].astimezone(local_zone()).date()
            logs.append({"author_id": row["organiser_id"], "community_id": row["community_id"], "work_date": day,
                         "hours": round((row["ends_at"] - row["starts_at"]).total_seconds() / 3600, 1),
                         "kind": WorkLogKind.activity, "activity_id": activity_id, "summary": f"组织{row['title']}",
                         "created_at": row["closed_at"].astimezone(timezone.utc)})
    db.session.execute(insert(WorkLog), logs)
    return len(made), len(logs)
