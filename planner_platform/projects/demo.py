"""The demo city's renewal projects: one or more in every stage, in communities of both districts, led by several
planners, some grown from the demo's adopted proposals (whose authors then follow them).

Everything goes through the services (create, change_stage, sign_opinion), so the history, the gates and the audit
are real. The platform's clock is never moved (application code must not): instead, after each service call the
stage's start (`stage_since`), the event's time and the completion dates are set back along a timeline in the past
months, before the next call. That is also what lets the real gates pass: a public notice "started" 12 days ago
may end, a project "completed" 13 months ago is due for its post-evaluation. The audit rows keep the seed's own
time. Deterministic and idempotent: it adds no project once any exists (it only completes the planner accounts).
"""
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from PIL import Image, ImageDraw
from sqlalchemy import func, select

from planner_platform.accounts.models import Role, RoleGrant, User
from planner_platform.accounts.passwords import hash_password
from planner_platform.areas.models import Place
from planner_platform.core import media
from planner_platform.core.calendar import add_months, local_today, local_zone
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from planner_platform.planners import services as planner_services
from planner_platform.planners.demo import office_accounts
from planner_platform.planners.models import PlannerProfile
from planner_platform.projects import ledger, services, survey, work
from planner_platform.projects.models import (FundingSource, NeedMet, PhotoKind, Project, ProjectOrigin, Stage, Verdict)
from planner_platform.projects.stages import rules_for
from planner_platform.proposals.models import Proposal, ProposalState

DEMO_PASSWORD = "Demo-Planner-2026"
#: Planner profiles of the roster demo that get an account here (every one of them), so that projects elsewhere than
#: the demo planner's communities have a lead who can log in, and every serving planner logs work: (name, phone).
PLANNER_ACCOUNTS = [("孙设计师", "13900000011"), ("陈教授", "13900000012"), ("黄阿姨", "13900000013"),
                    ("吴社工", "13900000014"), ("周工", "13900000015"), ("刘同学", "13900000016"),
                    ("郑专家", "13900000017"), ("王志愿者", "13900000018")]
DEMO_PLANNER = "13900000005"

L = Stage  # the paths below read as the line
#: How long each stage lasted, in days, where the path passes through it (the last one lasts until today).
DAYS_IN = {L.need_collection: 20, L.diagnosis: 25, L.listed: 15, L.co_design: 40, L.public_notice: 12,
           L.review: 10, L.approved_funded: 25, L.construction: 70, L.completed: 400, L.operation: 30}


@dataclass
class Plan:
    key: str
    community: str
    lead: str
    title: str
    #: The stages walked, the first being where it starts; "disagree" (a signed disagree in review) and the side
    #: stages are written where they happen.
    path: list
    site: str = ""
    implementer: str = ""
    estimate_yuan: int = 0
    reason: str = ""
    #: Days the last stage has lasted so far.
    current_days: int = 20
    from_proposal: bool = True
    description: str = ""


_UP_TO_REVIEW = [L.listed, L.co_design, L.public_notice, L.review]
_BUILT = _UP_TO_REVIEW + ["agree", L.approved_funded, L.construction, L.completed]
PLANS = [
    Plan("need_collection", "420102001001", DEMO_PLANNER, "东亭社区公共空间问需", [L.need_collection],
         site="东亭社区全域", current_days=12, from_proposal=False),
    Plan("diagnosis", "420102001002", DEMO_PLANNER, "翠柳社区老旧小区体检", [L.need_collection, L.diagnosis],
         site="翠柳小区", from_proposal=False),
    Plan("listed", "420103001001", "13900000011", "大夹社区楼道适老化改造", [L.listed], site="大夹街12号院",
         implementer="江城建工集团", estimate_yuan=180_000),
    Plan("co_design", "420102002001", "13900000012", "宝通社区儿童游戏角", [L.listed, L.co_design],
         site="宝通小区中心绿地", estimate_yuan=260_000),
    Plan("public_notice", "420102001003", DEMO_PLANNER, "茶港社区口袋公园", _UP_TO_REVIEW[:3], site="茶港3号楼东侧",
         implementer="城事营造施工队", estimate_yuan=350_000, current_days=3),
    Plan("review", "420103001002", "13900000011", "万安社区非机动车充电棚", _UP_TO_REVIEW, site="万安里",
         implementer="江城建工集团", estimate_yuan=220_000, current_days=5),
    Plan("sent_back", "420102003001", "13900000013", "临江社区滨江步道节点", _UP_TO_REVIEW + ["disagree"],
         site="临江大道沿线", estimate_yuan=900_000, current_days=15,
         reason="方案占用消防通道，且未回应居民对夜间照明的意见，请修改后重新公示。"),
    Plan("approved_funded", "420102001001", DEMO_PLANNER, "东亭社区楼道加装扶手", _UP_TO_REVIEW + ["agree",
         L.approved_funded], site="东亭小区1-6栋", implementer="江城建工集团", estimate_yuan=120_000),
    Plan("construction", "420103001003", "13900000011", "利济社区雨水花园", _BUILT[:-1], site="利济北路口",
         implementer="城事营造施工队", estimate_yuan=480_000, current_days=35),
    Plan("completed", "420102002002", "13900000012", "珞珈社区无障碍坡道", _BUILT, site="珞珈小区各单元门",
         implementer="江城建工集团", estimate_yuan=90_000, current_days=40),
    Plan("operation", "420103002002", "13900000014", "百步社区共享菜园", _BUILT + [L.operation],
         site="百步亭屋顶平台", implementer="邻里共建社会工作服务中心", estimate_yuan=60_000),
    Plan("post_evaluation", "420102001002", DEMO_PLANNER, "翠柳社区健身步道", _BUILT + [L.post_evaluation],
         site="翠柳小区环路", implementer="江城建工集团", estimate_yuan=300_000, current_days=25),
    Plan("suspended", "420103002003", "13900000014", "新村社区停车位重新划线", [L.listed, L.co_design, L.suspended],
         site="新村小区", estimate_yuan=40_000, reason="地下管网改造工程将先行施工，待管网完工后恢复。"),
    Plan("cancelled", "420102003002", "13900000013", "和平社区临时菜场改造", [L.listed, L.cancelled],
         site="和平路菜场", estimate_yuan=500_000, current_days=30,
         reason="该地块已纳入区级片区更新统一实施，本项目撤销，居民意见转入片区项目。"),
    # More of 西山区's streets, and 周工's communities: every district has projects early, midway and finished.
    Plan("construction_east", "420102001004", "13900000015", "路局社区非机动车充电棚", _BUILT[:-1],
         site="路局宿舍北侧空地", implementer="江城建工集团", estimate_yuan=200_000, current_days=18),
    Plan("need_collection_west", "420103001004", "13900000017", "永宁社区老街公共空间问需", [L.need_collection],
         site="永宁巷沿线", current_days=18, from_proposal=False),
    Plan("diagnosis_west", "420103001005", "13900000017", "存仁社区历史街区体检", [L.need_collection, L.diagnosis],
         site="存仁里片区", current_days=9, from_proposal=False),
    Plan("public_notice_west", "420103002004", "13900000018", "工农社区无障碍通道", _UP_TO_REVIEW[:3],
         site="工农新村各单元门", implementer="城事营造施工队", estimate_yuan=150_000, current_days=6),
    Plan("completed_west", "420103002001", "13900000014", "花桥社区儿童游戏场", _BUILT, site="花桥公园东侧",
         implementer="城事营造施工队", estimate_yuan=210_000, current_days=60),
]


def seed_projects(admin: User) -> int:
    """Create the demo projects unless some exist; returns how many there are."""
    leads = _planner_accounts(admin)  # also on a city seeded before some of them had one (idempotent)
    if db.session.scalar(select(Project.id).limit(1)):
        return count_projects()
    photos = _demo_photos()
    projects = {plan.key: _one_project(admin, plan, leads, photos) for plan in PLANS}
    db.session.flush()
    seed_milestones(projects)
    seed_updates(projects)
    seed_ledger(projects, admin)
    seed_survey(projects)
    return len(projects)


def count_projects() -> int:
    return db.session.scalar(select(func.count()).select_from(Project))


# The parts of a project beyond its stages, through their services too (each gets the demo projects by plan key).

#: (plan key, title, days from today (negative: past), done): milestones; one past and not done is overdue.
MILESTONES = [
    ("approved_funded", "施工图设计完成", -10, True), ("approved_funded", "施工单位进场", 12, False),
    ("construction", "扶手安装完成", -5, False), ("construction", "竣工验收申请", 20, False),
    ("review", "专家把关会", 6, False), ("operation", "首季运维检查", 30, False),
    ("construction_east", "车棚钢结构安装", -3, True), ("construction_east", "充电桩通电调试", 8, False),
    ("public_notice_west", "公示意见汇总答复", 5, False), ("completed_west", "游戏设施安全巡检", 14, False),
]
UPDATES = {
    "construction": ["雨水花园土方开挖完成，植物进场。", "碎石层铺设中，周末暂停施工以免扰民。"],
    "completed": ["坡道全部完工，已请居民代表试走。"],
    "operation": ["菜园第一季收获，30户居民参与认养。"],
    "construction_east": ["车棚基础浇筑完成，下周安装钢结构，施工期间北侧通道临时改道。"],
    "completed_west": ["游戏场已开放，周末孩子很多，家长自发组织了看护志愿队。"],
}
#: (plan key, source, approved yuan, spent yuan): the ledger of the funded projects.
LEDGER = [
    ("approved_funded", FundingSource.self_governance_fund, 40_000, 0),
    ("approved_funded", FundingSource.subdistrict_budget, 80_000, 0),
    ("construction", FundingSource.special_renewal_fund, 400_000, 186_500),
    ("construction", FundingSource.social_capital, 80_000, 20_000),
    ("completed", FundingSource.district_budget, 90_000, 88_200),
    ("operation", FundingSource.self_governance_fund, 60_000, 57_300),
    ("post_evaluation", FundingSource.special_renewal_fund, 300_000, 296_800),
    ("construction_east", FundingSource.special_renewal_fund, 200_000, 65_000),
    ("completed_west", FundingSource.self_governance_fund, 50_000, 48_000),
    ("completed_west", FundingSource.district_budget, 160_000, 152_400),
]
#: Satisfaction answers on the project in post-evaluation: (satisfaction, need met, comment).
SURVEY = [(5, NeedMet.yes, "步道很好走，晚上也亮。"), (4, NeedMet.yes, ""), (4, NeedMet.partly, "希望多设几处座椅。"),
          (3, NeedMet.partly, ""), (5, NeedMet.yes, "老人散步方便多了。")]


def seed_milestones(projects: dict[str, Project]) -> None:
    """Milestones on funded and building projects, one of them overdue (the boards show it first)."""
    today = local_today()
    for key, title, days, done in MILESTONES:
        project = projects[key]
        lead = db.session.get(User, project.lead_planner_id)
        milestone = work.add_milestone(lead, project, work.MilestoneInput(
            title=title, due_on=today + timedelta(days=days), owner=lead))
        if done:
            work.mark_done(lead, project, milestone, done_on=today + timedelta(days=days - 1))


def seed_updates(projects: dict[str, Project]) -> None:
    """Progress updates by the lead planners on the building and built projects."""
    for key, bodies in UPDATES.items():
        project = projects[key]
        lead = db.session.get(User, project.lead_planner_id)
        for body in bodies:
            work.post_update(lead, project, body)


def seed_ledger(projects: dict[str, Project], admin: User) -> None:
    """Funding sources (自治金, special renewal fund, budgets, social capital) and spending on the funded projects."""
    for key, source, approved, spent in LEDGER:
        project = projects[key]
        office = _office_for(admin, project.community)
        funding = ledger.set_funding(office, project, source, approved * 100)
        if spent:
            ledger.record_spending(office, project, ledger.SpendingInput(
                funding=funding, spent_on=local_today() - timedelta(days=20), purpose="材料及施工进度款",
                amount_fen=spent * 100))


def seed_survey(projects: dict[str, Project]) -> None:
    """Satisfaction answers by residents of the community of the project in post-evaluation, once each."""
    project = projects["post_evaluation"]
    residents = db.session.scalars(select(User).join(RoleGrant, RoleGrant.user_id == User.id).where(
        RoleGrant.role == Role.resident, RoleGrant.place_id == project.community_id, RoleGrant.revoked_at.is_(None))
        .order_by(User.id).limit(len(SURVEY))).all()
    for resident, (score, need_met, comment) in zip(residents, SURVEY):
        survey.answer(resident, project, score, need_met, comment)


def _user(phone: str) -> User:
    return db.session.scalar(select(User).where(User.phone == phone))


def _place(code: str) -> Place:
    return db.session.scalar(select(Place).where(Place.code == code))


def _planner_accounts(admin: User) -> dict[str, User]:
    """Accounts for a few roster planners (linked to their profiles, with a planner grant over their district)."""
    leads = {DEMO_PLANNER: _user(DEMO_PLANNER)}
    password = hash_password(DEMO_PASSWORD)  # hashed once: scrypt per account would slow the seed down
    for name, phone in PLANNER_ACCOUNTS:
        user = _user(phone)
        if user is None:
            user = User(phone=phone, display_name=name, password_hash=password, password_changed_at=utcnow())
            db.session.add(user)
            db.session.flush()
        profile = db.session.scalar(select(PlannerProfile).where(PlannerProfile.name == name))
        if profile.user_id is None:
            planner_services.save_planner(admin, profile, {"user_id": user.id})
            db.session.add(RoleGrant(user_id=user.id, role=Role.planner, place_id=profile.district_id,
                                     granted_by_id=admin.id))
        leads[phone] = user
    db.session.flush()
    return leads


def _office_for(admin: User, community: Place) -> User:
    """Who runs the project: the demo officer of the community's street office if there is one (水果湖街道,
    汉正街道), else of its district."""
    return db.session.get(User, office_accounts(admin)[community.id])


def _origin(community: Place, title: str) -> list[Proposal]:
    """An adopted proposal of the community not yet grown into a project, preferring one with the same idea."""
    taken = select(ProjectOrigin.proposal_id)
    candidates = db.session.scalars(select(Proposal).where(
        Proposal.community_id == community.id, Proposal.state == ProposalState.adopted, Proposal.id.not_in(taken))
        .order_by(Proposal.id)).all()
    alike = [p for p in candidates if p.title.endswith(title[len(community.name):])]
    return (alike or candidates)[:1]


def _title(plan: Plan, community: Place, origins: list[Proposal]) -> str:
    """The plan's title, or the origin proposal's idea when the demo had no proposal of the plan's idea there."""
    if not origins or origins[0].title.endswith(plan.title[len(community.name):]):
        return plan.title
    idea = origins[0].title.removeprefix(community.name)
    return f"{community.name}{idea}"


def _timeline(plan: Plan) -> list[date]:
    """When each stage of the path began: backwards from today, each lasting DAYS_IN (the last, current_days)."""
    stages = [step for step in plan.path if isinstance(step, Stage)]
    if "disagree" in plan.path:
        stages.append(Stage.co_design)
    starts = [local_today() - timedelta(days=plan.current_days)]
    for stage in reversed(stages[:-1]):
        starts.insert(0, starts[0] - timedelta(days=DAYS_IN[stage]))
    return starts


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=local_zone())


def _backdate(project: Project, day: date) -> None:
    """Set the stage just entered back to `day` (its start, its event's time; completion dates with it)."""
    project.stage_since = day
    project.history[-1].occurred_at = _at(day)
    if project.state is Stage.completed:
        project.completed_on = day
        project.evaluation_due_on = add_months(day, rules_for(project.community).evaluation_months)


def _one_project(admin: User, plan: Plan, leads: dict[str, User], photos) -> Project:
    community = _place(plan.community)
    office = _office_for(admin, community)
    lead = leads[plan.lead]
    starts = iter(_timeline(plan))
    first = next(starts)
    origins = _origin(community, plan.title) if plan.from_proposal else []
    title = _title(plan, community, origins)
    project = services.create(office, services.ProjectInput(
        title=title, community=community, lead_planner=lead, start_stage=plan.path[0],
        site=plan.site, implementer=plan.implementer, budget_estimate_fen=plan.estimate_yuan * 100,
        description=plan.description or f"{title}：由社区规划师陪伴，居民全程参与方案共商。",
        origins=origins))
    project.created_at = _at(first)
    _backdate(project, first)
    for step in plan.path[1:]:
        if step in ("agree", "disagree"):
            review_began = project.history[-1].occurred_at
            opinion = services.sign_opinion(lead, project, Verdict[step], plan.reason if step == "disagree"
                                            else "方案回应了居民意见，同意实施；施工期间注意保障居民出行。")
            if step == "disagree":  # the opinion itself sent the project back to co-design
                _backdate(project, next(starts))
            opinion.signed_at = project.history[-1].occurred_at if step == "disagree" else (
                review_began + timedelta(days=DAYS_IN[Stage.review] - 2))
            continue
        if step is Stage.completed:
            _add_photos(project, lead, photos)
        services.change_stage(office, project, step, reason=plan.reason if step in (L.suspended, L.cancelled)
                              else "")
        _backdate(project, next(starts))
        db.session.flush()
    return project


def _demo_photos() -> dict[PhotoKind, media.CleanPhoto]:
    """A "before" (a bare, grey corner) and an "after" (the same corner planted), re-encoded like any upload."""
    result = {}
    for kind, ground, extra in ((PhotoKind.before, (150, 145, 140), False), (PhotoKind.after, (110, 170, 90), True)):
        image = Image.new("RGB", (480, 360), (170, 200, 230))
        draw = ImageDraw.Draw(image)
        draw.rectangle((40, 90, 250, 360), fill=(195, 175, 155))
        draw.polygon([(0, 360), (480, 360), (480, 250), (200, 290)], fill=ground)
        if extra:
            for x in (300, 360, 420):
                draw.ellipse((x - 25, 200, x + 25, 260), fill=(60, 130, 60))
            draw.rectangle((280, 300, 440, 312), fill=(120, 80, 50))
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        buffer.seek(0)
        result[kind] = media.clean_photo(buffer, f"demo-{kind.value}.png")
    return result


def _add_photos(project: Project, author: User, photos: dict[PhotoKind, media.CleanPhoto]) -> None:
    """The before/after photos the completion gate asks for, through the project's upload service."""
    for kind, photo in photos.items():
        work.add_photos(author, project, kind, [photo])
