"""The demo city's season of activities: every type of 东湖区's profile, most closed and verified, some returned,
some unclosed and overdue, a few still to come with a registration, and a planner's work logs. Idempotent."""
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from planner_platform.accounts.models import User
from planner_platform.activities import services
from planner_platform.activities.demo_history import venue_point
from planner_platform.activities.models import Activity, WorkLogKind
from planner_platform.areas.models import Place
from planner_platform.core.calendar import local_today, local_zone
from planner_platform.extensions import db
from planner_platform.proposals.services import ProposalInput

#: (type, community code, days from today, public, fate): fate is what happened after it ended.
SEASON = [
    ("工作坊", "420102001001", -80, True, "verified"),
    ("社区漫步", "420102001002", -66, True, "verified"),
    ("问需调研", "420102001003", -52, True, "verified"),
    ("议事会", "420102001001", -40, False, "verified"),
    ("参与式设计", "420102001002", -26, True, "returned"),
    ("宣讲", "420102001003", -15, True, "closed"),
    ("展览", "420102001001", -10, True, "unclosed"),
    ("培训", "420102001002", -5, False, "unclosed"),
    ("工作坊", "420102001001", 3, True, "coming"),
    ("社区漫步", "420102001003", 9, True, "coming"),
    ("议事会", "420102001002", 16, False, "coming"),
]
TITLES = {"工作坊": "口袋公园设计工作坊", "社区漫步": "老旧小区社区漫步", "问需调研": "适老化改造问需调研",
          "议事会": "楼道整治居民议事会", "参与式设计": "儿童游戏角参与式设计", "宣讲": "城市更新政策宣讲",
          "展览": "社区更新成果展", "培训": "居民规划师培训"}
#: (days ago, community code, hours, kind, summary)
LOGS = [(1, "420102001001", 3, WorkLogKind.on_site, "踏勘东亭社区3号楼周边空地"),
        (2, "420102001002", 2, WorkLogKind.meeting, "与居委会讨论停车整治方案"),
        (4, "420102001003", 4, WorkLogKind.survey, "入户问需调研，走访12户"),
        (6, "420102001001", 1.5, WorkLogKind.review, "审查楼道扶手方案图纸"),
        (8, "420102001002", 3, WorkLogKind.on_site, "现场核对儿童游戏角尺寸")]


def _user(phone: str) -> User:
    return db.session.scalar(select(User).where(User.phone == phone))


def _place(code: str) -> Place:
    return db.session.scalar(select(Place).where(Place.code == code))


def _at(days: int, hour: int) -> datetime:
    return datetime.combine(local_today() + timedelta(days=days), time(hour), tzinfo=local_zone())


def _close(planner: User, activity: Activity, number: int) -> None:
    attendance = {"att_residents": 12 + number * 3, "att_committee": 2, "att_property": 1, "att_business": number % 2,
                  "att_social_org": 1, "att_government": 1, "att_experts": 2}
    new_proposal = ProposalInput(title=f"{activity.community.name}增设休憩座椅", category="公共空间",
                                 description="工作坊中居民提出：活动场地缺少座椅。",
                                 community=activity.community) if number == 0 else None
    services.close(planner, activity, services.ClosingInput(
        attendance=attendance, minutes=f"{activity.title}：居民讨论了现状问题和改造意向，形成下一步工作清单。",
        new_proposal=new_proposal, proposer_name="工作坊第1组",
        proposer_consent=True))


def seed_activities() -> None:
    if db.session.scalar(select(Activity.id).limit(1)):
        return  # the season exists already; the demo never overwrites what people changed
    planner, officer, resident = _user("13900000005"), _user("13900000004"), _user("13900000007")
    for number, (kind, code, days, public, fate) in enumerate(SEASON):
        community = _place(code)
        venue = f"{community.name}党群服务中心"
        lat, lng = venue_point(community, venue)
        activity = services.plan(planner, services.ActivityInput(
            title=TITLES[kind], activity_type=kind, community=community, venue=venue, lat=lat, lng=lng,
            starts_at=_at(days, 14), ends_at=_at(days, 16), public=public, capacity=30,
            description="欢迎社区居民参加，共同讨论身边的更新需求。"))
        if fate == "coming" and public:
            services.register(resident, activity)
        if fate in ("verified", "returned", "closed"):
            _close(planner, activity, number)
        if fate == "verified":
            services.verify(officer, activity)
        elif fate == "returned":
            services.return_record(officer, activity, "请补充签到表扫描件。")
    for days, code, hours, kind, summary in LOGS:
        services.log_work(planner, services.WorkLogInput(community=_place(code), work_date=local_today() - timedelta(
            days=days), hours=hours, kind=kind, summary=summary))
    db.session.flush()


def count_activities() -> int:
    return db.session.scalar(select(func.count()).select_from(Activity))
