"""Roster files (organisations, planners or appointments; CSV or XLSX, English or Chinese headers): their columns,
what each row must hold, and how it is imported through the roster services (all or nothing). Callers commit.
"""
import logging

from flask_babel import gettext as _
from sqlalchemy import select

from planner_platform.access import actor_of
from planner_platform.accounts.models import User
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core import tabular
from planner_platform.core.audit import record_audit
from planner_platform.core.errors import DomainError, NotAllowed
from planner_platform.extensions import db
from planner_platform.planners import assignments, services
from planner_platform.planners.forms import split_tags
from planner_platform.planners.models import (HOLDING_STATES, Assignment, AssignmentRole, Organisation,
                                              OrganisationType, PlannerProfile, PlannerType, Team)
from planner_platform.planners.permissions import ROSTER_STAFF, can_manage_roster

logger = logging.getLogger(__name__)

#: Rows per file: an appointment row costs 10–15 ms on PostgreSQL (measured), so a full file stays well inside
#: a web worker's 30 s timeout. Larger rosters are imported in several files.
MAX_ROWS = 1000
#: The columns of each kind and the other header names accepted for them (Chinese headers from templates).
COLUMNS = {
    "organisations": {
        "name": ("名称", "机构名称", "单位名称"), "type": ("类型", "机构类型"),
        "district_code": ("所属区代码", "区代码", "区划代码")},
    "planners": {
        "name": ("姓名", "名称"), "type": ("类型", "规划师类型"),
        "organisation": ("所属机构", "机构", "工作单位", "单位"), "district_code": ("所属区代码", "区代码", "区划代码"),
        "full_time": ("全职", "是否全职"), "phone": ("手机号", "手机", "联系电话"), "email": ("邮箱", "电子邮箱"),
        "expertise": ("专长", "专业领域", "擅长领域"), "qualifications": ("资质", "资格", "职称"),
        "account_phone": ("账号手机号", "关联账号", "登录手机号")},
    "assignments": {
        "community_code": ("社区代码",), "planner_name": ("规划师", "规划师姓名"), "team_name": ("团队", "团队名称"),
        "role": ("角色",), "start_on": ("开始日期",), "end_on": ("结束日期",), "appointing_body": ("聘任单位",),
        "contract_ref": ("合同编号",)},
}
REQUIRED = {"organisations": ("name", "type", "district_code"), "planners": ("name", "type", "district_code"),
            "assignments": ("community_code", "role", "start_on", "appointing_body")}
#: Enum values accepted besides the value itself and its label; the first alias is shown in messages.
ALIASES = {
    OrganisationType.design_institute: ("设计院", "设计研究院", "规划院", "规划设计院"),
    OrganisationType.university: ("高校", "大学", "院校"), OrganisationType.firm: ("企业", "公司"),
    OrganisationType.social_org: ("社会组织", "社会机构"),
    PlannerType.institute: ("设计院", "设计院规划师", "设计研究院"),
    PlannerType.university: ("高校", "高校规划师"), PlannerType.firm: ("企业", "企业规划师"),
    PlannerType.social_org: ("社会组织",), PlannerType.volunteer: ("志愿者", "志愿规划师"),
    PlannerType.resident: ("居民", "居民规划师"), PlannerType.expert: ("专家",),
    AssignmentRole.lead: ("负责", "主责", "主责规划师", "责任规划师"),
    AssignmentRole.assistant: ("协助", "协助规划师", "助理"),
}


def parse_upload(filename: str, raw: bytes, kind: str) -> list[tabular.Row]:
    """Rows of an uploaded CSV or XLSX file of `kind`; raises DomainError when the file as a whole is unusable."""
    if kind not in COLUMNS:
        raise DomainError(_("Choose what the file holds."))
    table = tabular.read_table(filename, raw, MAX_ROWS)
    if len(table) < 2:
        raise DomainError(_("The file contains no rows."))
    header = tabular.Header(table[0][1], COLUMNS[kind])
    missing = header.missing(REQUIRED[kind])
    if missing or (kind == "assignments" and not {"planner_name", "team_name"} & header.positions.keys()):
        raise DomainError(_("The first row must name the columns; missing: %(columns)s. Expected: %(expected)s.",
                            columns=", ".join(missing or ["planner_name / team_name"]),
                            expected=", ".join(COLUMNS[kind])))
    check = {"organisations": _organisation_row, "planners": _planner_row, "assignments": _assignment_row}[kind]
    rows = [header.row(number, cells) for number, cells in table[1:]]
    for row in rows:
        check(row)
    return rows


def _organisation_row(row: tabular.Row) -> None:
    row.text("name", 120, required=True)
    row.choice("type", OrganisationType, ALIASES)
    row.text("district_code", 32, required=True)


def _planner_row(row: tabular.Row) -> None:
    row.text("name", 50, required=True)
    row.choice("type", PlannerType, ALIASES)
    row.text("district_code", 32, required=True)
    row.text("organisation", 120)
    row.flag("full_time")
    row.phone("phone")
    row.email("email")
    row.values["expertise"] = split_tags(row.text("expertise", 500))
    row.text("qualifications", 2000)
    row.phone("account_phone")


def _assignment_row(row: tabular.Row) -> None:
    row.text("community_code", 32, required=True)
    planner, team = row.text("planner_name", 50), row.text("team_name", 120)
    if bool(planner) == bool(team):
        row.errors.append(_("Give either a planner or a team, not both.") if planner else
                          _("Give the name of the planner or of the team."))
    row.choice("role", AssignmentRole, ALIASES)
    row.day("start_on", required=True)
    row.day("end_on")
    start, end = row.values.get("start_on"), row.values.get("end_on")
    if start and end and end <= start:
        row.errors.append(_("The term must end after it starts."))
    row.text("appointing_body", 120, required=True)
    row.text("contract_ref", 64)


class _Lookup:
    """Places, organisations, teams and accounts named in a file: looked up once, checked against the actor."""

    def __init__(self, actor: User):
        self.actor = actor
        self.found: dict[tuple, object] = {}

    def one(self, model, **criteria):
        """The row of `model` matching `criteria` (or None), queried once per file."""
        key = (model, *criteria.items())
        if key not in self.found:
            self.found[key] = db.session.scalar(select(model).filter_by(**criteria))
        return self.found[key]

    def place(self, code: str, level: PlaceLevel) -> Place:
        """The district or community with this code, if the actor manages the roster of its district."""
        place = self.one(Place, code=code)
        if place is None:
            raise DomainError(_("No place has the code %(code)s.", code=code))
        if place.level is not level:
            raise DomainError(_("%(code)s is the code of %(name)s, not of a %(level)s.", code=code, name=place.name,
                                level=level.label))
        district = services.district_of(place)
        if not can_manage_roster(actor_of(self.actor), district):
            raise NotAllowed(_("You may not manage the roster of %(district)s.", district=district.name))
        return place

    def organisation(self, name: str) -> Organisation:
        organisation = self.one(Organisation, name=name)
        if organisation is None or not can_manage_roster(actor_of(self.actor), organisation.district):
            raise DomainError(_("No organisation named %(name)s in the districts you manage.", name=name))
        return organisation


def _holder(values: dict, district: Place, lookup: _Lookup) -> PlannerProfile | Team:
    """The team or planner a row names, found by name within the community's district."""
    name = values["team_name"] or values["planner_name"]
    if values["team_name"]:
        if (team := lookup.one(Team, district_id=district.id, name=name)) is None:
            raise DomainError(_("No team named %(name)s in %(district)s.", name=name, district=district.name))
        return team
    planners = db.session.scalars(select(PlannerProfile).where(PlannerProfile.district_id == district.id,
                                                               PlannerProfile.name == name)).all()
    if not planners:
        raise DomainError(_("No planner named %(name)s in %(district)s.", name=name, district=district.name))
    if len(planners) > 1:
        raise DomainError(_("%(district)s has several planners named %(name)s: appoint this one through the form.",
                            name=name, district=district.name))
    return planners[0]


def _import_organisation(actor: User, values: dict, lookup: _Lookup) -> None:
    services.create_organisation(actor, name=values["name"], org_type=values["type"],
                                 district=lookup.place(values["district_code"], PlaceLevel.district))


def _import_planner(actor: User, values: dict, lookup: _Lookup) -> None:
    district = lookup.place(values["district_code"], PlaceLevel.district)
    # Imports find planners by name, so a second namesake in a district would make every later file ambiguous.
    if db.session.scalar(select(PlannerProfile.id).where(PlannerProfile.district_id == district.id,
                                                         PlannerProfile.name == values["name"])):
        raise DomainError(_("%(district)s already has a planner named %(name)s.", district=district.name,
                            name=values["name"]))
    account = services.planner_account(values["account_phone"], district) if values["account_phone"] else None
    services.save_planner(actor, None, {
        "name": values["name"], "planner_type": values["type"], "district_id": district.id,
        "organisation_id": lookup.organisation(values["organisation"]).id if values["organisation"] else None,
        "qualifications": values["qualifications"], "expertise": values["expertise"],
        "full_time": values["full_time"], "phone": values["phone"], "email": values["email"],
        "user_id": account.id if account else None})


def _import_assignment(actor: User, values: dict, lookup: _Lookup) -> None:
    community = lookup.place(values["community_code"], PlaceLevel.community)
    holder = _holder(values, services.district_of(community), lookup)
    holder_column = Assignment.planner_id if isinstance(holder, PlannerProfile) else Assignment.team_id
    if db.session.scalar(select(Assignment.id).where(
            Assignment.community_id == community.id, holder_column == holder.id,
            Assignment.role == values["role"], Assignment.start_on == values["start_on"],
            Assignment.state.in_(HOLDING_STATES))):
        raise DomainError(_("This term is already recorded."))
    assignments.appoint(actor, holder, [community], role=values["role"], start_on=values["start_on"],
                        end_on=values["end_on"], appointing_body=values["appointing_body"],
                        contract_ref=values["contract_ref"])


_IMPORTERS = {"organisations": _import_organisation, "planners": _import_planner, "assignments": _import_assignment}


def import_roster(actor: User, kind: str, rows: list[tabular.Row]) -> int:
    """Create the records of parsed rows through the roster services, all or nothing; returns how many.

    Raises ImportFailed listing (row number, message) for every problem (tabular.import_all).
    """
    if not actor_of(actor).places(*ROSTER_STAFF):
        raise NotAllowed(_("Only sub-district staff, district staff and administrators keep the roster."))
    lookup = _Lookup(actor)
    tabular.import_all(rows, lambda row: _IMPORTERS[kind](actor, row.values, lookup))
    record_audit(db.session, "roster.imported", actor=actor, kind=kind, created=len(rows))
    logger.info("User %s imported %d %s", actor.id, len(rows), kind)
    return len(rows)
