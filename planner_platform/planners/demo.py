"""The demo city's roster: organisations, planners, teams, policy profiles, and terms that leave a few
communities without a lead on purpose (so the coverage view has something to show). Idempotent."""
import calendar
import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from planner_platform.access import serving_today
from planner_platform.accounts.models import Role, RoleGrant, User
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.calendar import add_months, local_today, local_zone
from planner_platform.extensions import db
from planner_platform.planners import assignments, services
from planner_platform.planners.models import (AppointingLevel, Assignment, AssignmentRole, OrganisationType,
                                              PlannerProfile, PlannerType, Team, TeamMember, TeamMemberRole)

ORGANISATIONS = [("江城规划设计研究院", OrganisationType.design_institute, "420102"),
                 ("江城大学建筑与城市规划学院", OrganisationType.university, "420102"),
                 ("城事营造设计工作室", OrganisationType.firm, "420103"),
                 ("邻里共建社会工作服务中心", OrganisationType.social_org, "420103")]
#: (name, type, organisation, district code, full-time, expertise, account phone)
PLANNERS = [
    ("李规划师", PlannerType.institute, "江城规划设计研究院", "420102", True, ["公共空间", "适老化"], "13900000005"),
    ("周工", PlannerType.institute, "江城规划设计研究院", "420102", True, ["交通", "停车"], None),
    ("陈教授", PlannerType.university, "江城大学建筑与城市规划学院", "420102", False, ["社区营造", "参与式设计"], None),
    ("刘同学", PlannerType.university, "江城大学建筑与城市规划学院", "420102", False, ["调研"], None),
    ("黄阿姨", PlannerType.resident, None, "420102", False, ["邻里议事"], None),
    ("孙设计师", PlannerType.firm, "城事营造设计工作室", "420103", True, ["微更新", "景观"], None),
    ("吴社工", PlannerType.social_org, "邻里共建社会工作服务中心", "420103", True, ["儿童友好", "社区营造"], None),
    ("郑专家", PlannerType.expert, None, "420103", False, ["历史街区保护"], None),
    ("王志愿者", PlannerType.volunteer, None, "420103", False, ["无障碍"], None),
]
#: (team, district code, lead, [(member, role)])
TEAMS = [
    ("水果湖责任规划师团队", "420102", "李规划师", [("周工", TeamMemberRole.core), ("刘同学", TeamMemberRole.student),
                                            ("黄阿姨", TeamMemberRole.assistant)]),
    ("江城大学高校合伙人团队", "420102", "陈教授", [("刘同学", TeamMemberRole.student)]),
    ("汉正街微更新团队", "420103", "孙设计师", [("吴社工", TeamMemberRole.core), ("郑专家", TeamMemberRole.mentor)]),
]
#: (holder, community codes, role): 420102002005, 420102003004-5, 420103002005 and all of 420103003 (古田街道)
#: stay without a lead on purpose; 420103002005 has one appointed to begin later (PENDING_TERM).
TERMS = [
    ("水果湖责任规划师团队", ["420102001001", "420102001002", "420102001003"], AssignmentRole.lead),
    ("周工", ["420102001004", "420102001005"], AssignmentRole.lead),
    ("江城大学高校合伙人团队", ["420102002001", "420102002002", "420102002003"], AssignmentRole.lead),
    ("周工", ["420102002004"], AssignmentRole.lead),
    ("黄阿姨", ["420102003001", "420102003002", "420102003003"], AssignmentRole.lead),
    ("汉正街微更新团队", ["420103001001", "420103001002", "420103001003"], AssignmentRole.lead),
    ("郑专家", ["420103001004", "420103001005"], AssignmentRole.lead),
    ("吴社工", ["420103002001", "420103002002", "420103002003"], AssignmentRole.lead),
    ("王志愿者", ["420103002004"], AssignmentRole.lead),
    ("孙设计师", ["420103003001"], AssignmentRole.assistant),
    ("刘同学", ["420102001001", "420102002001"], AssignmentRole.assistant),
]


#: (holder, community, days from today): a lead appointed to begin later, shown as 待上岗 until the day comes.
PENDING_TERM = ("郑专家", "420103002005", 10)


def _place(code: str) -> Place:
    return db.session.scalar(select(Place).where(Place.code == code))


def _policies(admin: User) -> None:
    services.update_policy(admin, _place("420102"), {
        "term_months": 36, "max_communities_per_lead": 3, "appointing_level": AppointingLevel.subdistrict,
        "proposal_categories": ["公共空间", "绿化", "适老化", "儿童友好", "停车", "无障碍", "照明", "环境卫生",
                                "楼栋改造"],
        "activity_types": ["工作坊", "社区漫步", "问需调研", "议事会", "参与式设计", "宣讲", "展览", "培训"],
        "response_deadlines": {"accept": 3, "reply": 15}, "project_stage_rules": {"public_notice_min_days": 7}})
    services.update_policy(admin, _place("420103"), {
        "term_months": 12, "max_communities_per_lead": 3, "appointing_level": AppointingLevel.district,
        "proposal_categories": ["公共空间", "绿化", "适老化", "停车", "历史风貌"],
        "activity_types": ["工作坊", "社区漫步", "问需调研", "议事会", "参与式设计"],
        "response_deadlines": {"accept": 5, "reply": 20}, "project_stage_rules": {"public_notice_min_days": 10}})


def seed_roster(admin: User) -> None:
    if db.session.scalar(select(PlannerProfile.id).limit(1)):
        return  # the roster exists already; the demo never overwrites what people changed
    _policies(admin)
    organisations = {name: services.create_organisation(admin, name=name, org_type=kind, district=_place(code))
                     for name, kind, code in ORGANISATIONS}
    planners = {}
    for name, kind, org, code, full_time, expertise, phone in PLANNERS:
        account = db.session.scalar(select(User).where(User.phone == phone)) if phone else None
        planners[name] = services.save_planner(admin, None, {
            "name": name, "planner_type": kind, "organisation_id": organisations[org].id if org else None,
            "district_id": _place(code).id, "full_time": full_time, "expertise": expertise,
            "qualifications": "注册城乡规划师" if full_time else "", "user_id": account.id if account else None,
            "phone": f"1370000{len(planners):04d}", "email": None})
    teams = {name: services.save_team(admin, None, name=name, district=_place(code), lead=planners[lead],
                                      members=[(planners[m], role) for m, role in members])
             for name, code, lead, members in TEAMS}
    start = date(local_today().year, 1, 1)
    for holder_name, codes, role in TERMS:
        holder = teams.get(holder_name) or planners[holder_name]
        body = "东湖区水果湖街道办事处" if codes[0].startswith("420102") else "西山区人民政府"
        assignments.appoint(admin, holder, [_place(code) for code in codes], role=role, start_on=start, end_on=None,
                            appointing_body=body, contract_ref=f"HT-{start.year}-{len(codes):02d}")
    holder_name, code, days = PENDING_TERM
    begins = local_today() + timedelta(days=days)
    assignments.appoint(admin, planners[holder_name], [_place(code)], role=AssignmentRole.lead, start_on=begins,
                        end_on=None, appointing_body="西山区人民政府", contract_ref=f"HT-{begins.year}-P1")
    db.session.flush()


def count_terms() -> int:
    return db.session.scalar(select(func.count()).select_from(Assignment))


# --- the year of history (proposals.demo_history, activities.demo_history) ------------------------------------

#: How many months of history the demo city has, ending with last month.
HISTORY_MONTHS = 12


def history_months() -> list[date]:
    """The first days of the last HISTORY_MONTHS months before this one, oldest first."""
    this_month = local_today().replace(day=1)
    return [add_months(this_month, -n) for n in range(HISTORY_MONTHS, 0, -1)]


def moment_in(month: date, rng: random.Random, hours: tuple[int, int] = (8, 20)) -> datetime:
    """A local time on a random day of `month` (weekdays three times as likely), between `hours`."""
    days = [month.replace(day=d) for d in range(1, calendar.monthrange(month.year, month.month)[1] + 1)]
    day = rng.choices(days, weights=[3 if d.weekday() < 5 else 1 for d in days])[0]
    return datetime.combine(day, time(rng.randint(*hours), rng.choice((0, 15, 30, 45))), tzinfo=local_zone())


def serving_accounts() -> dict[int, list[tuple[int, date]]]:
    """{community id: [(planner account id, start of the term)]} for every community served today, directly or
    through a team; an empty list where no serving planner has an account."""
    terms = db.session.execute(select(Assignment.community_id, Assignment.planner_id, Assignment.team_id,
                                      Assignment.start_on).where(serving_today())
                               .order_by(Assignment.community_id, Assignment.id)).all()
    accounts = dict(db.session.execute(select(PlannerProfile.id, PlannerProfile.user_id).where(
        PlannerProfile.user_id.is_not(None))).all())
    members: dict[int, list[int]] = {}
    for team_id, planner_id in db.session.execute(select(TeamMember.team_id, TeamMember.planner_id)
                                                  .order_by(TeamMember.id)):
        members.setdefault(team_id, []).append(planner_id)
    for team in db.session.scalars(select(Team)):
        members.setdefault(team.id, []).insert(0, team.lead_id)
    result: dict[int, list[tuple[int, date]]] = {}
    for community_id, planner_id, team_id, start_on in terms:
        found = result.setdefault(community_id, [])
        for planner in [planner_id] if planner_id else members.get(team_id, []):
            if planner in accounts and accounts[planner] not in {user for user, _start in found}:
                found.append((accounts[planner], start_on))
    return result


def office_accounts(admin: User) -> dict[int, int]:
    """{community id: the account that takes the office's steps there}: a demo officer of its street office if
    there is one, else of its district (both districts have one), else the administrator."""
    staff = dict(db.session.execute(select(RoleGrant.place_id, func.min(RoleGrant.user_id)).where(
        RoleGrant.role.in_([Role.subdistrict_staff, Role.district_staff]), RoleGrant.revoked_at.is_(None))
        .group_by(RoleGrant.place_id)).all())
    communities = db.session.execute(select(Place.id, Place.parent_id).where(Place.level == PlaceLevel.community))
    districts = dict(db.session.execute(select(Place.id, Place.parent_id).where(
        Place.level == PlaceLevel.subdistrict)).all())
    return {community_id: staff.get(street) or staff.get(districts[street]) or admin.id
            for community_id, street in communities}


def serving_on(accounts: list[tuple[int, date]], day: date) -> list[int]:
    """The accounts among `accounts` whose term had begun on `day`."""
    return [user_id for user_id, start_on in accounts if start_on <= day]
