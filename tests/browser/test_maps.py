"""The maps people recognise: community names, sites, a scale bar and the marked spot, without tiles (closed
networks) and on a city's tile service, here a tile server on 127.0.0.1 standing in for Tianditu (WGS-84) or an
AMap-style provider (GCJ-02, shifted in the browser, stored in WGS-84)."""
import io
import re
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image
from playwright.sync_api import expect
from werkzeug.serving import make_server

from config import TestingConfig
from planner_platform import create_app
from planner_platform.extensions import db
from tests.activities.conftest import make_activity
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.helpers import check_accessibility, log_in, serving, small_text, tap_target_problems
from tests.conftest import PASSWORD
from tests.proposals.conftest import INSIDE, cast, make_proposal  # noqa: F401  (cast: fixture)

#: The middle of the cast's community (tests/proposals/conftest.py BOUNDARY), which fills the maps.
CENTRE = (30.555, 114.305)
#: The pane a map element is drawn in, against another's: both children of the map's pane, higher z-index on top.
DRAWN_ABOVE = """([top, under]) => {
  const pane = el => el.closest('.leaflet-pane:not(.leaflet-map-pane)');
  const [a, b] = [pane(top), pane(under)];
  return {same_parent: a.parentElement === b.parentElement, top: a.className, under: b.className,
          above: Number(getComputedStyle(a).zIndex) > Number(getComputedStyle(b).zIndex)};
}"""


def _drawn_above(page, top, under) -> None:
    order = page.evaluate(DRAWN_ABOVE, [top.element_handle(), under.element_handle()])
    assert order["same_parent"] and order["above"], order


def _tile_png() -> bytes:
    tile = Image.new("RGB", (256, 256), (236, 240, 230))
    tile.paste((200, 210, 200), (0, 0, 256, 2))  # a grid line: adjacent tiles are told apart on a screenshot
    buffer = io.BytesIO()
    tile.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def tile_server():
    """A tile service on 127.0.0.1: every /z/x/y.png is a small PNG; `requested` lists the paths asked for."""
    png, requested = _tile_png(), []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802  (the handler's required name)
            requested.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(png)))
            self.end_headers()
            self.wfile.write(png)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    with serving(server, "tile-server") as url:
        server.requested, server.url = requested, url
        yield server


@contextmanager
def _site_with_tiles(database_url, tile_url: str, crs: str):
    """The platform, on the test database, configured for a tile service as a city would (MAP_TILE_*)."""
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        MAP_TILE_URL = tile_url + "/{z}/{x}/{y}.png?key={key}"
        MAP_TILE_KEY = "city-key"
        MAP_TILE_ATTRIBUTION = "测试底图 · 审图号：测试"
        MAP_TILE_CRS = crs

    app = create_app(Config)
    try:
        with serving(make_server("127.0.0.1", 0, app, threaded=True), "tiled-site") as url:
            yield url
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def tiled_page(browser, live_server, database_url, tile_server, request):
    """A phone page on a second app with tiles (live_server makes the test commit, so both apps see its rows);
    `problems` collects console errors (a CSP refusal is one) and failed requests."""
    crs = getattr(request, "param", "wgs84")
    with _site_with_tiles(database_url, tile_server.url, crs) as site:
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", base_url=site,
                                      reduced_motion="reduce")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.problems = []
        page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
        page.on("requestfailed", lambda r: page.problems.append(f"{r.url}: {r.failure}"))
        try:
            yield page
        finally:
            context.close()


def _expect_scale_bar(page, box: str) -> None:
    scale = page.locator(f"{box} .leaflet-control-scale-line")
    expect(scale).to_be_visible()
    expect(scale).to_have_text(re.compile(r"^\d+ k?m$"))  # metric only: one bar, no feet or miles
    expect(page.locator(f"{box} .leaflet-control-scale-line")).to_have_count(1)


def test_tiles_load_under_the_names_from_the_city_tile_service(tiled_page, tile_server, app, cast):  # noqa: F811
    page = tiled_page
    make_activity(app, cast.planner, venue="社区党群服务中心", lat=INSIDE[0] + 0.002, lng=INSIDE[1] + 0.002)
    tile_server.requested.clear()
    page.goto("/proposals/map")
    expect(page.locator("#proposal-map img.leaflet-tile-loaded").first).to_be_visible()
    assert all(path.endswith("?key=city-key") for path in tile_server.requested)  # MAP_TILE_KEY filled in
    loaded = page.locator("#proposal-map img.leaflet-tile-loaded")
    assert page.evaluate("tiles => tiles.every(t => t.naturalWidth === 256)", loaded.element_handles())
    expect(page.locator("#proposal-map .map-label-community")).to_have_text("D1社区1")
    expect(page.locator("#proposal-map .map-label-community")).to_be_visible()
    expect(page.locator("#proposal-map .map-label-site")).to_have_text("社区党群服务中心")
    expect(page.locator("#proposal-map .leaflet-control-attribution")).to_contain_text("审图号")
    assert tap_target_problems(page) == []  # the credits are text, no link too small to tap
    _expect_scale_bar(page, "#proposal-map")
    assert page.problems == []  # no CSP refusal, no failed tile


def test_without_tiles_the_detail_page_shows_the_spot_in_its_named_community(page, app, cast):  # noqa: F811
    proposal_id = make_proposal(app, cast.resident, title="路灯不亮", lat=INSIDE[0], lng=INSIDE[1])
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.goto(f"/proposals/{proposal_id}")
    the_map = page.locator("#proposal-point-map")
    expect(the_map.locator("path.map-marked-point")).to_have_count(1)
    expect(the_map.locator(".map-label-community")).to_have_text("D1社区1")
    _expect_scale_bar(page, "#proposal-point-map")
    expect(the_map.locator("img.leaflet-tile")).to_have_count(0)
    expect(page.locator("#proposal-point-caption")).to_contain_text("30.55500, 114.30500")
    # The dot sits inside the outline on screen: the spot is marked where it was tapped.
    dot, outline = (the_map.locator(selector).bounding_box() for selector in ("path.map-marked-point",
                                                                               "path.leaflet-interactive"))
    assert outline["x"] < dot["x"] < outline["x"] + outline["width"]
    assert outline["y"] < dot["y"] < outline["y"] + outline["height"]
    _drawn_above(page, the_map.locator("path.map-marked-point"), the_map.locator(".map-label-community"))
    check_accessibility(page)
    assert problems == []


def _overlap(a: dict, b: dict) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and a["y"] < b["y"] + b["height"]
            and b["y"] < a["y"] + a["height"])


def test_proposals_are_drawn_over_the_names_as_targets_a_finger_can_tap(page, app, cast):  # noqa: F811
    """A proposal where the community's name is written, and three marked at one gate (a cluster): both are drawn
    above the names, and every marker, the popup's link and its close button are targets of 44 × 44 px."""
    make_proposal(app, cast.resident, title="路灯不亮", lat=CENTRE[0], lng=CENTRE[1])
    for title in ("小区门口积水", "门口台阶加扶手", "门口增设座椅"):
        make_proposal(app, cast.resident, title=title, lat=CENTRE[0] - .003, lng=CENTRE[1] - .003)
    page.goto("/proposals/map")
    the_map = page.locator("#proposal-map")
    single, cluster = the_map.locator(".map-point-target"), the_map.locator(".leaflet-marker-icon:has(.map-cluster)")
    name = the_map.locator(".map-label-community")
    expect(single).to_have_count(1)
    expect(cluster).to_have_text("3")
    expect(name).to_have_text("D1社区1")
    assert _overlap(single.bounding_box(), name.bounding_box())  # the name is written where the point is
    _drawn_above(page, single, name)
    _drawn_above(page, cluster, name)
    for marker in (single, cluster):
        box = marker.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, box
    assert tap_target_problems(page) == []  # the markers among them (measured, not exempt)

    single.click()
    popup = the_map.locator(".leaflet-popup")
    expect(popup.get_by_role("link", name="路灯不亮")).to_be_visible()
    assert tap_target_problems(page) == []  # the popup's link and its close button
    assert small_text(page)[0] == []  # the popup's title at the 16 px floor too
    check_accessibility(page)
    popup.locator(".leaflet-popup-close-button").click()
    expect(popup).to_have_count(0)


def test_names_wait_for_a_zoom_where_they_fit(page, app, cast):  # noqa: F811
    page.goto("/proposals/map")
    the_map = page.locator("#proposal-map")
    expect(the_map.locator(".map-label-community")).to_have_text("D1社区1")
    _expect_scale_bar(page, "#proposal-map")
    scale = the_map.locator(".leaflet-control-scale-line")
    for _ in range(3):  # a 1 km community is then a few pixels wide: its name would cover the neighbours'
        before = scale.inner_text()
        the_map.locator(".leaflet-control-zoom-out").click()
        expect(scale).not_to_have_text(before)  # the zoom is done (a click during its animation is ignored)
    expect(the_map.locator(".map-label-community")).to_have_count(0)
    check_accessibility(page)


COORDINATES = """() => {
  const c = window.plannerCoords, crs = c.gcj02Crs(), worst = {shift: 0, trip: 0, click: 0};
  for (let lat = 18.5; lat < 53; lat += 1.7) {
    for (let lng = 74; lng < 134; lng += 2.3) {
      const wgs = L.latLng(lat, lng), g = c.toGcj02(lat, lng), back = c.toWgs84(g[0], g[1]);
      worst.trip = Math.max(worst.trip, wgs.distanceTo(L.latLng(back[0], back[1])));
      const tapped = crs.pointToLatLng(crs.latLngToPoint(wgs, 17), 17);  // drawn, then tapped on the same pixel
      worst.click = Math.max(worst.click, wgs.distanceTo(tapped));
    }
  }
  const known = c.toGcj02(39.915, 116.404);
  return {known: known, metres: L.latLng(39.915, 116.404).distanceTo(L.latLng(known[0], known[1])),
          trip: worst.trip, click: worst.click, abroad: c.toGcj02(48.8566, 2.3522)};
}"""


def test_the_gcj02_shift_is_the_published_one_and_undone_to_the_centimetre(page):
    page.goto("/proposals/map")
    page.locator("#proposal-map.leaflet-container").wait_for()
    result = page.evaluate(COORDINATES)
    # The value published with the common open-source implementations (e.g. wandergis/coordtransform).
    assert result["known"] == pytest.approx([39.91640428150164, 116.41024449916938], abs=1e-9)
    assert 500 < result["metres"] < 700  # the few hundred metres a GCJ-02 map is off without the shift
    assert result["trip"] < 0.01 and result["click"] < 0.05
    assert result["abroad"] == [48.8566, 2.3522]  # outside China nothing moves


@pytest.mark.parametrize("tiled_page", ["gcj02"], indirect=True)
def test_on_gcj02_tiles_a_tap_is_stored_in_wgs84(tiled_page, tile_server, app, cast):  # noqa: F811
    page = tiled_page
    log_in(page, cast.resident.phone, PASSWORD)
    page.goto("/proposals/new")
    page.locator("#point-map path.leaflet-interactive").wait_for()
    expect(page.locator("#point-map img.leaflet-tile-loaded").first).to_be_visible()
    expect(page.locator("#point-map .map-label-community")).to_have_text("D1社区1")
    the_map = page.locator("#point-map")
    the_map.scroll_into_view_if_needed()
    box = the_map.bounding_box()
    the_map.click(position={"x": box["width"] / 2, "y": box["height"] / 2})  # the outline is centred on the map
    lat, lng = (float(page.locator(f"#{name}").input_value()) for name in ("lat", "lng"))
    # The outline (WGS-84) is drawn shifted onto the GCJ-02 tiles and the tap shifted back: the stored point is
    # the community's middle, within a few pixels (about 5 m each at this zoom), not 500 m off.
    assert lat == pytest.approx(CENTRE[0], abs=0.0002) and lng == pytest.approx(CENTRE[1], abs=0.0002)
    assert page.problems == []


def test_a_community_page_draws_it_named_among_its_neighbours_and_a_tap_opens_theirs(page, app, places, cast):  # noqa: F811
    neighbour = places["D1S1C2"]
    with app.app_context():
        db.session.get(type(neighbour), neighbour.id).boundary = {"type": "Polygon", "coordinates": [[
            [114.31, 30.55], [114.32, 30.55], [114.32, 30.56], [114.31, 30.56], [114.31, 30.55]]]}
        db.session.commit()
    page.goto(f"/places/{places['D1S1C1'].id}")
    the_map = page.locator("#place-map")
    expect(the_map.locator("path.leaflet-interactive")).to_have_count(2)
    expect(the_map.locator("svg.place-map")).to_have_count(0)  # the server's outline gave way to the map
    expect(the_map.locator(".map-label-community").first).to_have_text("D1社区1")
    _expect_scale_bar(page, "#place-map")
    widths = the_map.locator("path.leaflet-interactive").evaluate_all(
        "paths => paths.map(p => Number(p.getAttribute('stroke-width')))")
    assert sorted(widths) == [1.5, 4]  # its own outline is the strong one
    with page.expect_navigation():
        the_map.locator("path.leaflet-interactive[stroke-width='1.5']").dispatch_event("click")
    assert page.url.endswith(f"/places/{neighbour.id}")
