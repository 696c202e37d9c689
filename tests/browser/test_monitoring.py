"""District staff at a desktop read their dashboard: the charts draw as SVG, a category's bar opens its proposals,
they switch the period and the map's indicator, drill down to a sub-district and a community, click a number and
land on the list of those records, and download the comparison table as XLSX holding the numbers the page shows."""
import re
from io import BytesIO
from urllib.parse import urlparse

from openpyxl import load_workbook

from planner_platform.accounts.models import Role
from tests.browser.helpers import check_accessibility, log_in, t
from tests.conftest import PASSWORD
from tests.monitoring.conftest import generate_history, city, frozen  # noqa: F401  (fixtures)
from tests.monitoring.test_map import _place_everything


def _table(page) -> list[tuple[str, str]]:
    """(unit name, proposals received) per row of the comparison table as the page shows them."""
    rows = page.locator("#comparison tbody tr")
    return [(rows.nth(i).locator("th").inner_text().strip(),
             rows.nth(i).locator('td[data-indicator="received"]').inner_text().strip())
            for i in range(rows.count())]


def _click_first_category_bar(page) -> None:
    """Click the middle of the first bar (received, of the most received category) where ECharts drew it."""
    chart = page.locator("#chart-categories")
    chart.locator("svg").first.wait_for()
    chart.scroll_into_view_if_needed()
    x, y = chart.evaluate("""element => {
        const bar = echarts.getInstanceByDom(element).getModel().getSeriesByIndex(0).getData().getItemLayout(0);
        return [bar.x + bar.width / 2, bar.y + bar.height / 2];
    }""")
    box = chart.bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)


def test_district_staff_read_switch_drill_down_and_download(
        app, browser, live_server, city, make_user, frozen):  # noqa: F811  (the imported fixtures)
    generate_history(app, 5, activities=24)
    _place_everything(app, "D1S1C1")  # one outline, the other communities by their centres
    staff = make_user(Role.district_staff, "D1")
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                  reduced_motion="reduce", accept_downloads=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: response.status >= 400 and errors.append(f"{response.status} {response.url}"))
    log_in(page, staff.phone, PASSWORD)

    page.goto("/monitoring/")
    assert urlparse(page.url).path == f"/monitoring/places/{city['D1']}"
    page.locator("#chart-trend svg").first.wait_for()  # ECharts drew the trend with its SVG renderer

    page.locator("#period").select_option("year")
    page.locator("#at").fill("2026-01")
    with page.expect_navigation():
        page.locator("form[aria-label] button[type=submit]").first.click()
    assert "period=year" in page.url and "2026" in page.locator("main p.text-body-secondary").first.inner_text()
    page.locator("#chart-stages svg").first.wait_for()  # projects by stage
    first = page.locator("#category-table tbody tr").first  # the table says what the chart draws
    category, received = first.locator("td").first.inner_text(), first.locator("td a").first.inner_text().strip()
    _click_first_category_bar(page)  # proposals by category: a bar opens the proposals of its category
    assert "/records/received" in page.url and "category=" in page.url and "period=year" in page.url
    assert re.search(rf"\b{received}\b", page.locator("#record-count").inner_text())
    assert category in page.locator("#record-filter").inner_text()
    with page.expect_navigation():
        page.go_back()
    communities = page.locator("#monitoring-map [data-community-id]")
    communities.first.wait_for()
    assert communities.count() == 5  # D1's five communities, drawn without any tile
    assert page.locator("#map-legend .fw-semibold").inner_text() == t(page, "Proposals received")
    page.locator("#map-indicator").select_option("response_rate")
    assert page.locator("#map-legend .fw-semibold").inner_text() == t(page, "Response rate")
    assert "map=response_rate" in page.url
    check_accessibility(page)

    shown = _table(page)
    assert len(shown) == 2 and any(value not in ("0", "—") for _name, value in shown)
    with page.expect_download() as download:
        page.locator("#export-xlsx").click()
    sheet = list(load_workbook(BytesIO(download.value.path().read_bytes())).active.values)
    received = next(i for i, heading in enumerate(sheet[0]) if heading.startswith("收到提案"))
    assert [(row[0], f"{row[received]:g}") for row in sheet[1:]] == shown

    with page.expect_navigation():
        page.locator("#comparison tbody tr th a").first.click()  # a sub-district
    assert "period=year" in page.url
    with page.expect_navigation():
        page.locator("#comparison tbody tr th a").first.click()  # one of its communities
    community_url = page.url
    number = page.locator('[data-indicator="received"] a').first
    count = number.inner_text().strip()
    with page.expect_navigation():
        number.click()
    assert "/records/received" in page.url and "period=year" in page.url
    assert re.search(rf"\b{count}\b", page.locator("#record-count").inner_text())
    assert page.locator("#records tbody tr").count() == min(int(count), 200)
    back = page.locator("main nav a").first.get_attribute("href")  # the breadcrumb leads back to the community
    assert back.split("?")[0] == community_url.split("?")[0].removeprefix(live_server)
    assert errors == []
    context.close()
