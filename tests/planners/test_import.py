"""Importing the roster from CSV and XLSX: per-row problems, all or nothing, only inside one's jurisdiction."""
import io
from datetime import datetime, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from planner_platform.accounts.models import Role
from planner_platform.areas.models import Place
from planner_platform.core.audit import AuditEntry
from planner_platform.extensions import db
from planner_platform.planners import assignments, importing
from planner_platform.planners.models import (Assignment, AssignmentRole, AssignmentState, Organisation,
                                              OrganisationType, PlannerProfile, PlannerType)
from tests.conftest import local_date, submit
from tests.planners.conftest import actor, load

START = local_date() - timedelta(days=30)


@pytest.fixture(autouse=True)
def english(client):
    with client.session_transaction() as session:
        session["locale"] = "en"


def _upload(client, kind: str, name: str, content: bytes):
    return submit(client, "/planners/import", {"kind": kind, "file": (io.BytesIO(content), name)},
                  content_type="multipart/form-data")


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _assert_rows(html: str, expected: list[tuple[int, str]]) -> None:
    assert "Nothing was imported" in html
    for row, text in expected:
        assert f"<td>{row}</td><td>{text}" in html, (row, text)


def test_organisations_then_planners_import_from_csv(app, client, places, make_user, roster, login_as):
    account = make_user(Role.planner, "D1")
    login_as(make_user(Role.district_staff, "D1"))
    organisations = ("name,type,district_code\n"
                     "东湖规划工作室,企业,D1\n"
                     "江城大学建筑学院,university,D1\n")
    response = _upload(client, "organisations", "organisations.csv", organisations.encode("utf-8-sig"))
    assert response.status_code == 302 and response.headers["Location"] == "/planners/"
    assert "Imported 2 organisations." in client.get("/planners/").get_data(as_text=True)
    planners = ("name,type,organisation,district_code,full_time,phone,email,expertise,qualifications,account_phone\n"
                f"陈晓,高校,江城大学建筑学院,D1,是,138 0013 8000,Chen@Example.com,\"适老化，公共空间\",注册规划师,"
                f"{account.phone}\n"
                "周宁,volunteer,,D1,no,,,,,\n")
    assert _upload(client, "planners", "planners.csv", planners.encode()).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Organisation.org_type).where(Organisation.name == "东湖规划工作室")) \
            is OrganisationType.firm
        chen = db.session.scalar(select(PlannerProfile).where(PlannerProfile.name == "陈晓"))
        assert (chen.planner_type, chen.organisation.name, chen.district_id) == (
            PlannerType.university, "江城大学建筑学院", places["D1"].id)
        assert (chen.full_time, chen.phone, chen.email, chen.user_id) == (
            True, "13800138000", "chen@example.com", account.id)
        assert chen.expertise == ["适老化", "公共空间"] and chen.qualifications == "注册规划师"
        zhou = db.session.scalar(select(PlannerProfile).where(PlannerProfile.name == "周宁"))
        assert (zhou.full_time, zhou.organisation_id, zhou.user_id) == (False, None, None)
        assert db.session.scalars(select(AuditEntry.details).where(AuditEntry.action == "roster.imported")).all() \
            == [{"kind": "organisations", "created": 2}, {"kind": "planners", "created": 2}]


def test_appointments_from_an_xlsx_workbook_start_active_terms(app, client, places, make_user, roster, login_as):
    login_as(make_user(Role.subdistrict_staff, "D1S1"))
    content = _xlsx([
        ["社区代码", "规划师", "团队", "角色", "开始日期", "结束日期", "聘任单位", "合同编号"],
        ["D1S1C1", None, "东湖一队", "负责", datetime.combine(START, datetime.min.time()), None, "水果湖街道办事处",
         "SGH-2025-01"],
        [],  # blank rows in a sheet are skipped
        ["D1S1C2", "王助理", None, "assistant", START.strftime("%Y/%m/%d"),
         (START + timedelta(days=365)).isoformat(), "水果湖街道办事处", None],
    ])
    assert _upload(client, "assignments", "appointments.xlsx", content).status_code == 302
    with app.app_context():
        terms = db.session.scalars(select(Assignment).order_by(Assignment.community_id)).all()
        assert [(t.community_id, t.role, t.state, t.start_on) for t in terms] == [
            (places["D1S1C1"].id, AssignmentRole.lead, AssignmentState.active, START),
            (places["D1S1C2"].id, AssignmentRole.assistant, AssignmentState.active, START)]
        assert terms[0].team_id == roster["team"] and terms[0].end_on > START  # the district's term length
        assert terms[0].contract_ref == "SGH-2025-01"
        assert terms[1].planner_id == roster["member"] and terms[1].end_on == START + timedelta(days=365)
        assert [event.to_state for event in terms[0].history] == [AssignmentState.appointed, AssignmentState.active]
    html = _upload(client, "assignments", "appointments.xlsx", content).get_data(as_text=True)
    _assert_rows(html, [(2, "This term is already recorded."), (4, "This term is already recorded.")])


def test_bad_appointment_rows_import_nothing_and_each_is_listed(app, client, places, make_user, roster, login_as):
    officer = make_user(Role.subdistrict_staff, "D1S1")
    with app.app_context():
        assignments.appoint(actor(officer.id), load(PlannerProfile, roster["lead"]),
                            [db.session.get(Place, places["D1S1C2"].id)], role=AssignmentRole.lead,
                            start_on=START, end_on=None, appointing_body="水果湖街道办事处")
        db.session.commit()
    login_as(officer)
    content = ("community_code,planner_name,team_name,role,start_on,end_on,appointing_body,contract_ref\n"
               f"D1S1C1,王助理,,assistant,{START},,水果湖街道办事处,\n"  # fine on its own
               f"D1S1C9,王助理,,assistant,{START},,水果湖街道办事处,\n"
               "D1S1C1,王助理,,assistant,2025-02-30,,水果湖街道办事处,\n"
               f"D2S1C1,赵规划,,lead,{START},,水果湖街道办事处,\n"
               f"D1S1C2,王助理,,负责,{START + timedelta(days=10)},,水果湖街道办事处,\n"
               f"D1S1C1,无名氏,,协助,{START},,水果湖街道办事处,\n"
               f"D1S1C1,王助理,东湖一队,主管,{START},,,\n")
    html = _upload(client, "assignments", "bad.csv", content.encode()).get_data(as_text=True)
    _assert_rows(html, [
        (3, "No place has the code D1S1C9."),
        (4, "start_on must be a date written as YYYY-MM-DD"),
        (5, "You may not manage the roster of D2区."),
        (6, "D1社区2 already has a lead planner for part of this term: "),  # and by whom, until when
        (7, "No planner named 无名氏 in D1区."),
        (8, "Give either a planner or a team, not both."), (8, "role must be one of: lead (负责), assistant (协助)."),
        (8, "appointing_body is required.")])
    assert "<td>2</td>" not in html
    assert _count(app, Assignment) == 1


def test_bad_planner_rows_import_nothing_and_each_is_listed(app, client, places, make_user, roster, login_as):
    login_as(make_user(Role.district_staff, "D1"))
    content = ("name,type,organisation,district_code,full_time,phone,email,expertise,qualifications,account_phone\n"
               "孙好,firm,江城规划设计研究院,D1,yes,13900001111,,,,\n"
               "钱手机,firm,,D1,no,1380013800,,,,\n"
               "吴科学,firm,,D1,no,1.38001E+10,,,,\n"
               "郑外区,firm,,D2,no,,,,,\n"
               "冯未知,firm,没有这个机构,D1,maybe,,not-an-email,,,13999999999\n"
               "李规划,institute,,D1,no,,,,,\n"
               "褚账号,firm,,D1,否,,,,,13999999999\n"
               "卫机构,firm,没有这个机构,D1,否,,,,,\n")
    html = _upload(client, "planners", "bad.csv", content.encode()).get_data(as_text=True)
    _assert_rows(html, [
        (3, "phone must be an 11-digit mainland mobile number"), (4, "phone was shortened by Excel (1.38001E+10)"),
        (5, "You may not manage the roster of D2区."), (6, "full_time must be 是 or 否 (yes or no)."),
        (6, "email is not a valid email address."), (7, "D1区 already has a planner named 李规划."),
        (8, "No planner account of this district uses this phone number."),
        (9, "No organisation named 没有这个机构 in the districts you manage.")])
    assert "<td>2</td>" not in html
    assert _count(app, PlannerProfile) == 3


def test_a_gbk_csv_from_excel_with_chinese_headers_is_read(app, client, places, make_user, roster, login_as):
    login_as(make_user(Role.district_staff, "D1"))
    content = ("姓名,类型,所属机构,所属区代码,是否全职,手机号,邮箱,专长,资质,账号手机号\r\n"
               "许设计,设计院,江城规划设计研究院,D1,是,13700002222,,口袋公园；适老化,高级工程师,\r\n")
    assert _upload(client, "planners", "规划师.csv", content.encode("gbk")).status_code == 302
    with app.app_context():
        planner = db.session.scalar(select(PlannerProfile).where(PlannerProfile.name == "许设计"))
        assert (planner.planner_type, planner.organisation_id, planner.full_time, planner.expertise) == (
            PlannerType.institute, roster["org"], True, ["口袋公园", "适老化"])


@pytest.mark.parametrize("name, content, message", [
    ("roster.xlsx", b"PK\x03\x04 not really a zip", "cannot be read as an .xlsx workbook"),
    ("roster.csv", b"\xff\xfe\x00garbage", "neither an .xlsx workbook nor UTF-8 or GBK text"),
    ("roster.xls", b"\xd0\xcf\x11\xe0", "Upload a .csv or .xlsx file"),
    ("roster.csv", "姓名,电话\n张三,13800138000\n".encode(), "missing: type, district_code"),
    ("roster.csv", b"name,type,district_code\n", "The file contains no rows."),
])
def test_unreadable_files_are_refused_with_a_message(app, client, places, make_user, login_as, name, content,
                                                     message):
    login_as(make_user(Role.district_staff, "D1"))
    html = _upload(client, "planners", name, content).get_data(as_text=True)
    assert 'id="file-error"' in html and message in html


def test_a_file_longer_than_the_limit_is_refused(app, client, places, make_user, login_as, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    login_as(make_user(Role.district_staff, "D1"))
    content = _xlsx([["name", "type", "district_code"]] + [[f"机构{n}", "firm", "D1"] for n in range(3)])
    html = _upload(client, "organisations", "many.xlsx", content).get_data(as_text=True)
    assert "A file may hold at most 2 rows." in html and _count(app, Organisation) == 0


@pytest.mark.parametrize("role, code", [(Role.resident, "D1S1C1"), (Role.planner, "D1"), (Role.city_observer, "C")])
def test_only_roster_staff_may_import(client, make_user, login_as, role, code):
    login_as(make_user(role, code))
    assert client.get("/planners/import").status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, places):
    response = client.get("/planners/import")
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]
