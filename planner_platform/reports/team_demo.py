"""Demo data of the team monthly reports: the last two months drafted from the demo city's record for every team
and planner; in each district some accepted, one returned with the office's comment, one waiting for the office,
and one of the month before last still a draft, so overdue. Idempotent: a report is only moved while a draft."""
from sqlalchemy import select

from planner_platform.accounts.models import Role, RoleGrant, User
from planner_platform.core.calendar import add_months, local_today
from planner_platform.extensions import db
from planner_platform.planners.services import district_of
from planner_platform.reports import services
from planner_platform.reports.models import ReportState, TeamReport

PLANS = ["组织一次社区漫步，走访老旧小区加装电梯意向户；完成口袋公园方案第二轮公示。",
         "召开居民议事会讨论停车秩序；整理本月居民提案并逐条答复。",
         "开展儿童友好空间共建工作坊；跟进适老化改造项目的施工进度。"]
RETURN_COMMENT = "请补充居民意见征集的情况和参与人数。"


def _author(report: TeamReport) -> User | None:
    holder = report.team.lead if report.team else report.planner
    return db.session.get(User, holder.user_id) if holder.user_id else None


def _office(report: TeamReport) -> User:
    """A demo officer of the report's street office if there is one, else of its district, else the administrator."""
    for place in (report.subdistrict, district_of(report.subdistrict)):
        grant = db.session.scalar(select(RoleGrant).where(
            RoleGrant.place_id == place.id, RoleGrant.revoked_at.is_(None),
            RoleGrant.role.in_([Role.subdistrict_staff, Role.district_staff])))
        if grant:
            return grant.user
    return db.session.scalar(select(User).join(RoleGrant, RoleGrant.user_id == User.id)
                             .where(RoleGrant.role == Role.admin))


def _submit(report: TeamReport, author: User, plan: str) -> None:
    services.save_text(author, report, report.version, plan=plan, escalations="", notes={})
    services.submit(author, report, report.version)


def seed_team_reports() -> int:
    """Draft the last two months and move the demo's chosen reports along; returns how many reports exist."""
    last = add_months(local_today().replace(day=1), -1)
    before = add_months(last, -1)
    for month in (before, last):
        services.draft_month(month)
    db.session.flush()
    by_district: dict[int, list[TeamReport]] = {}
    moved = set()  # districts whose reports the demo moved already (a second seed leaves them)
    for report in db.session.scalars(select(TeamReport).where(TeamReport.month.in_([before, last]))
                                     .order_by(TeamReport.month, TeamReport.id)):
        district_id = district_of(report.subdistrict).id
        if report.state is not ReportState.draft:
            moved.add(district_id)
        elif _author(report) is not None:
            by_district.setdefault(district_id, []).append(report)
    for district_id, reports in by_district.items():
        if district_id in moved:
            continue
        earlier = [r for r in reports if r.month == before]
        for index, report in enumerate(earlier[:-1]):  # the last one of the month before stays a draft: overdue
            _accept(report, PLANS[index % len(PLANS)])
        for index, report in enumerate(r for r in reports if r.month == last):
            author, office = _author(report), _office(report)
            if index == 0:
                _accept(report, PLANS[index % len(PLANS)])
            elif index == 1:
                _submit(report, author, PLANS[index % len(PLANS)])
                services.decide(office, report, report.version, False, RETURN_COMMENT)
            elif index == 2:
                _submit(report, author, PLANS[index % len(PLANS)])
    db.session.flush()
    return db.session.scalar(select(db.func.count()).select_from(TeamReport))


def _accept(report: TeamReport, plan: str) -> None:
    _submit(report, _author(report), plan)
    services.decide(_office(report), report, report.version, True, "")
