"""Admins and district staff keep the place register: edit, add, import with per-row errors, all or nothing."""
import io
import json

import pytest
from sqlalchemy import func, select

from planner_platform.accounts.models import Role
from planner_platform.areas.models import Place
from planner_platform.core.audit import AuditEntry
from planner_platform.extensions import db
from tests.conftest import submit

SQUARE = {"type": "Polygon", "coordinates": [[[114.3, 30.5], [114.31, 30.5], [114.31, 30.51], [114.3, 30.51],
                                              [114.3, 30.5]]]}


@pytest.fixture(autouse=True)
def english(client):
    with client.session_transaction() as session:
        session["locale"] = "en"


def _place_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Place))


def test_anyone_can_browse_places_and_see_a_boundary_drawn_without_tiles(app, client, places):
    with app.app_context():
        db.session.get(Place, places["D1S1C1"].id).boundary = SQUARE
        db.session.commit()
    assert client.get("/places/").status_code == 200
    html = client.get(f"/places/{places['D1S1'].id}").get_data(as_text=True)
    assert "<svg" in html and "D1社区1" in html
    # Residents see names, not the register's codes (the staff who keep the register do).
    assert ">D1S1C1<" not in html and "代码" not in html


def test_the_staff_who_keep_the_register_see_its_codes(client, places, make_user, login_as):
    login_as(make_user(Role.district_staff, "D1"))
    html = client.get(f"/places/{places['D1S1'].id}").get_data(as_text=True)
    assert ">D1S1C1<" in html and ">D1S1<" in html


def test_district_staff_add_a_community_with_a_boundary(app, client, places, make_user, login_as):
    login_as(make_user(Role.district_staff, "D1"))
    response = submit(client, f"/places/{places['D1S1'].id}/new",
                      {"code": "D1S1C9", "name": "新社区", "population": "3000", "households": "1200",
                       "boundary": json.dumps(SQUARE)})
    assert response.status_code == 302
    with app.app_context():
        place = db.session.scalar(select(Place).where(Place.code == "D1S1C9"))
        assert place.parent_id == places["D1S1"].id and place.path.startswith(places["D1S1"].path)
        assert place.centre_lat == pytest.approx(30.505) and place.centre_lng == pytest.approx(114.305)
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.object_id == str(place.id)))


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"code": "D1S1C1"}, "code", "already used"),
    ({"code": "bad code!"}, "code", "digits, letters"),
    ({"population": "-5"}, "population", "between 0"),
    ({"households": "9000", "population": "100"}, "households", "more households than people"),
    ({"boundary": "{not json"}, "boundary", "not valid JSON"),
    ({"boundary": json.dumps({"type": "Point", "coordinates": [1, 2]})}, "boundary", "Polygon"),
    ({"boundary": json.dumps({"type": "Polygon", "coordinates": [[[500, 30], [1, 1], [2, 2], [500, 30]]]})},
     "boundary", "WGS-84"),
    ({"name": ""}, "name", "required"),
])
def test_bad_place_input_is_refused_next_to_the_field(app, client, places, make_user, login_as, data, field, message):
    login_as(make_user(Role.district_staff, "D1"))
    before = _place_count(app)
    form = {"code": "D1S1C9", "name": "新社区", "population": "", "households": "", "boundary": "", **data}
    html = submit(client, f"/places/{places['D1S1'].id}/new", form).get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert _place_count(app) == before


@pytest.mark.parametrize(("role", "code", "target", "status"), [
    (Role.district_staff, "D1", "D1S1C1", 200),
    (Role.district_staff, "D1", "D2S1C1", 403),  # another district, reached by id
    (Role.district_staff, "D1", "D1", 403),  # the district itself is the admin's
    (Role.subdistrict_staff, "D1S1", "D1S1C1", 403),
    (Role.planner, "D1", "D1S1C1", 403),
    (Role.resident, "D1S1C1", "D1S1C1", 403),
    (Role.city_observer, "C", "D1S1C1", 403),
    (Role.admin, "C", "D2", 200),
])
def test_who_may_edit_a_place(client, places, make_user, login_as, role, code, target, status):
    login_as(make_user(role, code))
    assert client.get(f"/places/{places[target].id}/edit").status_code == status
    posted = submit(client, f"/places/{places[target].id}/edit", {"name": "改名"}, form_url="/")
    assert posted.status_code == (302 if status == 200 else status)


def test_anonymous_visitors_are_sent_to_the_login_page(client, places):
    response = client.get(f"/places/{places['D1'].id}/edit")
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]


def _import(client, name: str, content: bytes):
    return submit(client, "/places/import", {"file": (io.BytesIO(content), name)},
                  content_type="multipart/form-data")


GOOD_CSV = ("code,name,level,parent_code,population,households,boundary\n"
            "D1S2,新街道,subdistrict,D1,10000,4000,\n"
            f"D1S2C1,新社区一,community,D1S2,5000,2000,\"{json.dumps(SQUARE).replace(chr(34), chr(34) * 2)}\"\n"
            "D1S1C1,D1社区1改名,社区,D1S1,5200,2100,\n")


def test_csv_import_adds_and_updates_places_parents_first(app, client, places, make_user, login_as):
    login_as(make_user(Role.district_staff, "D1"))
    response = _import(client, "places.csv", GOOD_CSV.encode("utf-8-sig"))
    assert response.status_code == 302
    with app.app_context():
        community = db.session.scalar(select(Place).where(Place.code == "D1S2C1"))
        assert community.parent.code == "D1S2" and community.boundary["type"] == "Polygon"
        assert db.session.scalar(select(Place.name).where(Place.code == "D1S1C1")) == "D1社区1改名"


def test_gbk_csv_from_excel_is_read(app, client, places, make_user, login_as):
    login_as(make_user(Role.admin, "C"))
    assert _import(client, "places.csv", GOOD_CSV.encode("gb18030")).status_code == 302


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_problem(app, client, places, make_user, login_as):
    login_as(make_user(Role.district_staff, "D1"))
    before = _place_count(app)
    bad = ("code,name,level,parent_code,population,households,boundary\n"
           "D1S3,好街道,subdistrict,D1,100,50,\n"
           ",没有代码,community,D1S3,,,\n"
           "D1S3C1,人口错误,community,D1S3,many,,\n"
           "D2S1C9,别区社区,community,D2S1,,,\n"
           "X1,无上级,community,NOPE,,,\n")
    html = _import(client, "places.csv", bad.encode()).get_data(as_text=True)
    assert "Nothing was imported" in html
    for row, text in [(3, "A code of 1 to 32"), (4, "Population must be a whole number"),
                      (5, "You may not add places there"), (6, "The parent code NOPE does not exist")]:
        assert f"<td>{row}</td><td>{text}" in html
    assert _place_count(app) == before


def test_csv_headers_ignore_case_and_rows_are_numbered_as_in_the_spreadsheet(app, client, places, make_user, login_as):
    # Blank lines and rows of empty cells (Excel leaves them) are skipped but still counted.
    login_as(make_user(Role.district_staff, "D1"))
    content = ("Code, Name ,LEVEL,parent_code\n"
               "\n"
               ",,,\n"
               "D1S4,好街道,subdistrict,D1\n"
               "D1S4C1,,community,D1S4\n")
    html = _import(client, "places.csv", content.encode()).get_data(as_text=True)
    assert "Nothing was imported: 1 rows have problems." in html
    assert "<td>5</td><td>A name of 1 to 100 characters is required." in html


def test_a_csv_that_cannot_be_parsed_is_refused_with_a_message(app, client, places, make_user, login_as):
    login_as(make_user(Role.admin, "C"))
    boundary = "x" * 200_000  # longer than a CSV field may be
    response = _import(client, "places.csv", f"code,name,level,boundary\nC9,新市,city,{boundary}\n".encode())
    assert response.status_code == 422 and "The file cannot be read as CSV." in response.get_data(as_text=True)


def test_geojson_import_takes_boundaries_from_geometries(app, client, places, make_user, login_as):
    login_as(make_user(Role.admin, "C"))
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": SQUARE,
         "properties": {"code": "D2S1C7", "name": "湖畔社区", "level": "community", "parent_code": "D2S1",
                        "population": 4200}}]}
    assert _import(client, "places.geojson", json.dumps(collection).encode()).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Place.boundary).where(Place.code == "D2S1C7")) == SQUARE


@pytest.mark.parametrize("content", [b"\xff\xfe\x00garbage", b'{"type": "Feature"}', b"[]", b"not json at all"])
def test_unreadable_files_are_refused_with_a_message(app, client, places, make_user, login_as, content):
    login_as(make_user(Role.admin, "C"))
    html = _import(client, "places.geojson", content).get_data(as_text=True)
    assert 'id="file-error"' in html


def test_residents_cannot_import(client, make_user, login_as):
    login_as(make_user(Role.resident, "D1S1C1"))
    assert client.get("/places/import").status_code == 403
