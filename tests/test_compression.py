"""Text answers are compressed (brotli or gzip, as the client prefers) and say so; files that are compressed already
(XLSX, ZIP, PDF, photos) are sent as they are; a CSV file streamed from disk decodes to the same rows; ETag,
Content-Length and byte ranges stay true of what is sent."""
import csv
import gzip
import io
import re
from pathlib import Path

import brotli
import pytest
from sqlalchemy import select

from planner_platform.accounts.models import Role
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.extensions import db
from planner_platform.monitoring.models import ExportJob, ExportState
from tests.conftest import csrf_token_from, login

CSS = Path(__file__).parents[1] / "planner_platform" / "static" / "css" / "app.css"
GZIP = {"Accept-Encoding": "gzip"}


def _without_tokens(html: str) -> str:
    """A page without its CSRF tokens, which carry the moment they were made."""
    return re.sub(r'(name="csrf_token"[^>]*value=|value=)"[^"]*\.[^"]*"', "", html)


def _rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_a_page_comes_in_gzip_or_brotli_as_the_client_prefers(client):
    plain = client.get("/")
    assert "Content-Encoding" not in plain.headers and "Accept-Encoding" in plain.headers["Vary"]
    zipped = client.get("/", headers=GZIP)
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert int(zipped.headers["Content-Length"]) == len(zipped.data) < len(plain.data) / 2
    assert _without_tokens(gzip.decompress(zipped.data).decode()) == _without_tokens(plain.get_data(as_text=True))
    both = client.get("/", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert both.headers["Content-Encoding"] == "br"
    assert _without_tokens(brotli.decompress(both.data).decode()) == _without_tokens(plain.get_data(as_text=True))
    # A client that prefers gzip by its weights gets gzip, and one that refuses both gets the page as it is.
    assert client.get("/", headers={"Accept-Encoding": "br;q=0.5, gzip"}).headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in client.get("/", headers={"Accept-Encoding": "identity"}).headers


def test_a_stylesheet_is_compressed_with_its_etag_marked_and_still_revalidates(client):
    css = CSS.read_bytes()
    response = client.get("/static/css/app.css", headers=GZIP)
    assert response.headers["Content-Encoding"] == "gzip" and gzip.decompress(response.data) == css
    etag = response.headers["ETag"]
    assert etag.endswith(':gzip"') and "Accept-Ranges" not in response.headers
    plain = client.get("/static/css/app.css")
    assert plain.data == css and int(plain.headers["Content-Length"]) == len(css)
    assert plain.headers["ETag"] != etag  # another representation, another validator
    assert client.get("/static/css/app.css", headers={**GZIP, "If-None-Match": etag}).status_code == 304
    # A byte range is a range of the file as stored: sent uncompressed, exactly those bytes.
    part = client.get("/static/css/app.css", headers={**GZIP, "Range": "bytes=0-99"})
    assert part.status_code == 206 and "Content-Encoding" not in part.headers and part.data == css[:100]


@pytest.fixture
def communities(app, places):
    """20 more communities in D1S1, known by their centre: lists and files long enough to be worth compressing."""
    with app.app_context():
        parent = db.session.get(Place, places["D1S1"].id)
        for n in range(20):
            db.session.add(Place(code=f"J{n:02}", name=f"有中心的社区{n:02}", level=PlaceLevel.community,
                                 parent=parent, path=f"{parent.path}j{n:02}/", centre_lat=30.5 + n / 1000,
                                 centre_lng=114.3))
        db.session.commit()


def test_json_is_compressed(client, communities):
    url = "/map/sites.json?bbox=114,30,115,31"
    plain = client.get(url)
    response = client.get(url, headers={"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br" and response.mimetype == "application/json"
    assert brotli.decompress(response.data) == plain.data and len(plain.json["sites"]) == 20


@pytest.fixture
def staff(client, make_user):
    login(client, make_user(Role.district_staff, "D1"))
    return client


def test_an_xlsx_file_is_sent_as_it_is_and_a_csv_file_compressed(staff, places, communities):
    base = f"/monitoring/places/{places['D1'].id}/records/coverage"
    xlsx = staff.get(f"{base}/file.xlsx", headers={"Accept-Encoding": "gzip, br"})
    assert xlsx.status_code == 200 and "Content-Encoding" not in xlsx.headers
    assert xlsx.data[:2] == b"PK" and int(xlsx.headers["Content-Length"]) == len(xlsx.data)
    plain = _rows(staff.get(f"{base}/file.csv").data)
    zipped = staff.get(f"{base}/file.csv", headers=GZIP)
    assert zipped.headers["Content-Encoding"] == "gzip" and "attachment" in zipped.headers["Content-Disposition"]
    assert _rows(gzip.decompress(zipped.data)) == plain and len(plain) == 23  # the header and D1's communities


def test_a_csv_file_built_in_the_background_streams_compressed_to_the_same_rows(app, staff, places, communities,
                                                                              monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_INLINE_MAX_ROWS", 10)  # 22 communities: built by the (eager) worker
    base = f"/monitoring/places/{places['D1'].id}/records/coverage"
    page = staff.get(base)
    asked = staff.post(f"{base}/export", data={"csrf_token": csrf_token_from(page.data), "file_kind": "csv"})
    assert asked.status_code == 303
    with app.app_context():
        job = db.session.scalar(select(ExportJob))
        assert job.state is ExportState.ready
        job_id = job.id
    plain = staff.get(f"/monitoring/exports/{job_id}/file")
    assert plain.is_streamed and "Content-Encoding" not in plain.headers
    for encoding, decompress in (("gzip", gzip.decompress), ("br", brotli.decompress)):
        streamed = staff.get(f"/monitoring/exports/{job_id}/file", headers={"Accept-Encoding": encoding})
        assert streamed.status_code == 200 and streamed.headers["Content-Encoding"] == encoding
        # Compressed as it streams: no length is promised for bytes not yet written.
        assert "Content-Length" not in streamed.headers and "Accept-Ranges" not in streamed.headers
        assert _rows(decompress(streamed.data)) == _rows(plain.data)
    rows = _rows(plain.data)
    assert len(rows) == 23 and rows[1] == ["D1社区1", "D1街道", "暂无主责规划师"]
