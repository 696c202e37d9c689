"""The demo city's pages fit a phone: every page a role's menu links to, and the map, a proposal, an activity and a
community, at 360 px in English (the longer language), are no wider than the screen. The demo city has what the
test database lacks: long e-mail addresses, full dashboards, tables of every category and stage."""
import re

import pytest
from werkzeug.serving import make_server

from tests.browser.conftest import TIMEOUT_MS
from tests.browser.helpers import log_in, menu_entry, serve_translations_of, serving
from planner_platform.shell.seed import DEMO_PASSWORD

PHONE = {"width": 360, "height": 740}
#: The roles whose menus, together, reach every kind of page: a resident's, a planner's, the district office's
#: (monitoring, appointments, reports) and the administrator's (staff, places, operations).
ACCOUNTS = {"resident": "13900000007", "planner": "13900000005", "district-staff": "13900000003",
            "admin": "13900000001"}


@pytest.fixture(scope="module")
def demo_site(app, demo_app):
    serve_translations_of(app)  # the helpers look UI text up through the test app; the catalogues are the same
    with serving(make_server("127.0.0.1", 0, demo_app, threaded=True), "demo-site") as url:
        yield url


def _links(page, selector: str) -> list[str]:
    return page.locator(selector).evaluate_all("links => links.map(a => a.getAttribute('href').split('#')[0])")


def _first(page, listing: str, pattern: str) -> list[str]:
    page.goto(listing)
    return [href for href in _links(page, "main a[href^='/']") if re.fullmatch(pattern, href)][:1]


@pytest.mark.parametrize("phone", ACCOUNTS.values(), ids=ACCOUNTS.keys())
def test_every_page_of_a_role_fits_a_phone_in_english(browser, demo_app, demo_site, phone):
    context = browser.new_context(viewport=PHONE, locale="en", base_url=demo_site, reduced_motion="reduce")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        log_in(page, phone, DEMO_PASSWORD, app=demo_app)
        with page.expect_navigation():  # the account's own language is Chinese: choose English, as a person would
            menu_entry(page, "button", "English").click()
        paths = dict.fromkeys(["/", *_links(page, "header a[href^='/']"), "/proposals/map"])
        paths.update(dict.fromkeys(_first(page, "/proposals/", r"/proposals/\d+") + _first(
            page, "/activities/", r"/activities/\d+") + _first(page, "/places/2", r"/places/\d+")))
        too_wide = []
        for path in paths:
            response = page.goto(path)
            assert response.status == 200, path
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide.append(f"{path}: {width} px")
        assert len(paths) > 8 and not too_wide, f"wider than a {PHONE['width']} px phone: {too_wide}"
    finally:
        context.close()
