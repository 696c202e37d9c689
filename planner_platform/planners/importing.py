"""Roster files (organisations, planners or appointments; CSV or XLSX, English or Chinese headers) read into
rows with their own problems, then imported all or nothing through the roster services. Callers commit.
"""
import csv
import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel
from sqlalchemy import select

from planner_platform.access import actor_of
from planner_platform.accounts.models import User
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.audit import record_audit
from planner_platform.core.errors import DomainError, ImportFailed, NotAllowed
from planner_platform.core.uploads import decode_text
from planner_platform.core.forms import PHONE_PATTERN, normalise_phone
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
#: Uncompressed size a workbook may claim; a 10 MB upload must not unpack into gigabytes.
MAX_XLSX_BYTES = 50 * 1024 * 1024
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
TRUE_WORDS = {"是", "全职", "yes", "y", "true", "1"}
FALSE_WORDS = {"否", "兼职", "no", "n", "false", "0", ""}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DAY = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?$")


@dataclass
class RosterRow:
    number: int
    #: Checked values by column, e.g. {"name": "李规划", "type": PlannerType.institute}.
    values: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def parse_upload(filename: str, raw: bytes, kind: str) -> list[RosterRow]:
    """Rows of an uploaded CSV or XLSX file of `kind`; raises DomainError when the file as a whole is unusable."""
    if kind not in COLUMNS:
        raise DomainError(_("Choose what the file holds."))
    extension = (filename or "").lower().rpartition(".")[2]
    if extension not in ("csv", "xlsx"):
        raise DomainError(_("Upload a .csv or .xlsx file (save .xls workbooks as .xlsx first)."))
    # Decided by content, not by the name: an .xlsx is a zip archive, anything else must be text.
    table = _xlsx_table(raw) if raw.startswith(b"PK\x03\x04") else _csv_table(raw)
    return _rows(kind, table)


def _collect(rows) -> list[tuple[int, list]]:
    """(row number, cells) of the header and every non-empty row, refusing files longer than MAX_ROWS."""
    table = []
    for number, cells in enumerate(rows, start=1):
        if not any(str(cell).strip() for cell in cells if cell is not None):
            continue
        if len(table) > MAX_ROWS:
            raise DomainError(_("A file may hold at most %(n)d rows.", n=MAX_ROWS))
        table.append((number, list(cells)))
    return table


def _csv_table(raw: bytes) -> list[tuple[int, list]]:
    try:
        return _collect(csv.reader(io.StringIO(decode_text(raw), newline="")))
    except csv.Error:
        raise DomainError(_("The file cannot be read as CSV.")) from None


def _xlsx_table(raw: bytes) -> list[tuple[int, list]]:
    """The first worksheet's rows, read streaming (openpyxl read-only mode)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_BYTES:
                raise DomainError(_("The workbook is too large once unpacked."))
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        try:
            return _collect(workbook.worksheets[0].iter_rows(values_only=True))
        finally:
            workbook.close()
    except DomainError:
        raise
    except Exception:  # a damaged or foreign archive fails in many ways (zip, XML, missing parts): all mean this
        raise DomainError(_("The file cannot be read as an .xlsx workbook.")) from None


def _header_key(text) -> str:
    return re.sub(r"\s+", "_", str(text or "").strip().strip("*＊").strip().lower())


def _rows(kind: str, table: list[tuple[int, list]]) -> list[RosterRow]:
    if len(table) < 2:
        raise DomainError(_("The file contains no rows."))
    names = {_header_key(alias): column for column, aliases in COLUMNS[kind].items() for alias in (column,) + aliases}
    positions, headers = {}, {}
    for position, text in enumerate(table[0][1]):
        column = names.get(_header_key(text))
        if column and column not in positions:
            positions[column], headers[column] = position, str(text).strip()
    missing = [c for c in REQUIRED[kind] if c not in positions]
    if missing or (kind == "assignments" and not {"planner_name", "team_name"} & positions.keys()):
        raise DomainError(_("The first row must name the columns; missing: %(columns)s. Expected: %(expected)s.",
                            columns=", ".join(missing or ["planner_name / team_name"]),
                            expected=", ".join(COLUMNS[kind])))
    check = {"organisations": _organisation_row, "planners": _planner_row, "assignments": _assignment_row}[kind]
    rows = []
    for number, cells in table[1:]:
        cells = _Cells(RosterRow(number=number), {c: cells[p] if p < len(cells) else None
                                                  for c, p in positions.items()}, headers)
        check(cells)
        rows.append(cells.row)
    return rows


class _Cells:
    """One row's raw cells; each reader stores the checked value or records a problem naming the column."""

    def __init__(self, row: RosterRow, raw: dict, headers: dict):
        self.row, self.raw, self.headers, self.errors = row, raw, headers, row.errors

    def _string(self, column: str) -> str:
        value = self.raw.get(column)
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # Excel stores 13800138000 as 13800138000.0
        return "" if value is None else str(value.date() if isinstance(value, datetime) else value).strip()

    def text(self, column: str, max_length: int, required: bool = False) -> str:
        value, label = self._string(column), self.headers.get(column, column)
        if required and not value:
            self.errors.append(_("%(column)s is required.", column=label))
        elif len(value) > max_length:
            self.errors.append(_("%(column)s is longer than %(max)d characters.", column=label, max=max_length))
        elif _CONTROL.search(value):
            self.errors.append(_("%(column)s contains characters that cannot be stored.", column=label))
        else:
            self.row.values[column] = value
        return value

    def choice(self, column: str, enum_cls) -> None:
        accepted = {name.lower(): member for member in reversed(enum_cls)
                    for name in (member.value, str(member.label)) + ALIASES[member]}
        member = accepted.get(self._string(column).lower())
        if member is None:
            self.errors.append(_("%(column)s must be one of: %(choices)s.", column=self.headers.get(column, column),
                                 choices=", ".join(f"{m.value} ({ALIASES[m][0]})" for m in enum_cls)))
        self.row.values[column] = member

    def phone(self, column: str) -> None:
        value, label = normalise_phone(self._string(column)), self.headers.get(column, column)
        if value and re.fullmatch(r"\d+(\.\d+)?[eE]\+?\d+", value):
            self.errors.append(_("%(column)s was shortened by Excel (%(value)s): format the column as text and "
                                 "export again.", column=label, value=value))
        elif value and not re.match(PHONE_PATTERN, value):
            self.errors.append(_("%(column)s must be an 11-digit mainland mobile number, e.g. 13800138000.",
                                 column=label))
        self.row.values[column] = value or None

    def email(self, column: str) -> None:
        value = self._string(column).lower()
        try:
            self.row.values[column] = validate_email(value, check_deliverability=False).normalized if value else None
        except EmailNotValidError:
            self.errors.append(_("%(column)s is not a valid email address.", column=self.headers.get(column, column)))

    def flag(self, column: str) -> None:
        value, word = self.raw.get(column), self._string(column).lower()
        if isinstance(value, bool) or word in TRUE_WORDS | FALSE_WORDS:
            self.row.values[column] = value if isinstance(value, bool) else word in TRUE_WORDS
        else:
            self.errors.append(_("%(column)s must be 是 or 否 (yes or no).", column=self.headers.get(column, column)))

    def day(self, column: str, required: bool = False) -> None:
        value, text, label = self.raw.get(column), self._string(column), self.headers.get(column, column)
        if isinstance(value, (datetime, date)):  # a date cell of a workbook
            self.row.values[column] = value.date() if isinstance(value, datetime) else value
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 2958466:
            self.row.values[column] = from_excel(value).date()  # a date cell formatted as a number: Excel's day count
        elif not text:
            if required:
                self.errors.append(_("%(column)s is required.", column=label))
            self.row.values[column] = None
        elif (parsed := _parse_day(text)) is not None:
            self.row.values[column] = parsed
        else:
            self.errors.append(_("%(column)s must be a date written as YYYY-MM-DD, e.g. 2025-03-01.", column=label))


def _parse_day(text: str) -> date | None:
    """2025-03-01, or 2025/3/1 as Chinese Excel writes dates into CSV files."""
    match = _DAY.match(text)
    try:
        return date(*map(int, match.groups())) if match else None
    except ValueError:  # 2025-02-30
        return None


def _organisation_row(cells: _Cells) -> None:
    cells.text("name", 120, required=True)
    cells.choice("type", OrganisationType)
    cells.text("district_code", 32, required=True)


def _planner_row(cells: _Cells) -> None:
    cells.text("name", 50, required=True)
    cells.choice("type", PlannerType)
    cells.text("district_code", 32, required=True)
    cells.text("organisation", 120)
    cells.flag("full_time")
    cells.phone("phone")
    cells.email("email")
    cells.row.values["expertise"] = split_tags(cells.text("expertise", 500))
    cells.text("qualifications", 2000)
    cells.phone("account_phone")


def _assignment_row(cells: _Cells) -> None:
    cells.text("community_code", 32, required=True)
    planner, team = cells.text("planner_name", 50), cells.text("team_name", 120)
    if bool(planner) == bool(team):
        cells.row.errors.append(_("Give either a planner or a team, not both.") if planner else
                                _("Give the name of the planner or of the team."))
    cells.choice("role", AssignmentRole)
    cells.day("start_on", required=True)
    cells.day("end_on")
    start, end = cells.row.values.get("start_on"), cells.row.values.get("end_on")
    if start and end and end <= start:
        cells.row.errors.append(_("The term must end after it starts."))
    cells.text("appointing_body", 120, required=True)
    cells.text("contract_ref", 64)


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


def import_roster(actor: User, kind: str, rows: list[RosterRow]) -> int:
    """Create the records of parsed rows through the roster services, all or nothing; returns how many.

    Each row runs in its own savepoint, so a refused row does not stop the others from being checked.
    Raises ImportFailed listing (row number, message) for every problem; in that case nothing is stored.
    """
    if not actor_of(actor).places(*ROSTER_STAFF):
        raise NotAllowed(_("Only sub-district staff, district staff and administrators keep the roster."))
    lookup = _Lookup(actor)
    errors = [(row.number, message) for row in rows for message in row.errors]
    savepoint = db.session.begin_nested()
    for row in rows:
        if row.errors:
            continue
        try:
            with db.session.begin_nested():
                _IMPORTERS[kind](actor, row.values, lookup)
        except DomainError as error:
            errors.append((row.number, error.message))
    if errors:
        savepoint.rollback()
        raise ImportFailed(sorted(errors, key=lambda error: error[0]))
    savepoint.commit()
    record_audit(db.session, "roster.imported", actor=actor, kind=kind, created=len(rows))
    logger.info("User %s imported %d %s", actor.id, len(rows), kind)
    return len(rows)
