"""Each role's home page: its label, its next step, links that all open, and no accessibility violations."""
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from planner_platform.accounts.models import Role
from planner_platform.shell.navigation import ROLE_NEXT_STEPS
from tests.browser.helpers import check_accessibility, log_in, open_menu, t
from tests.conftest import PASSWORD

ROLE_PLACES = {
    Role.resident: "D1S1C1",
    Role.community_worker: "D1S1C1",
    Role.planner: "D1",
    Role.subdistrict_staff: "D1S1",
    Role.district_staff: "D1",
    Role.city_observer: "C",
    Role.admin: "C",
}


def test_every_role_is_covered():
    assert set(ROLE_PLACES) == set(Role)


def same_site_links(page, live_server) -> list[str]:
    """The paths of every link on the page that stays on the site (navbar, page body and footer)."""
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
    paths = []
    for href in hrefs:
        url = urlsplit(href)
        if href.startswith(live_server) and not (url.fragment and url.path == urlsplit(page.url).path):
            path = url.path + (f"?{url.query}" if url.query else "")
            if path not in paths:
                paths.append(path)
    return paths


@pytest.mark.parametrize("role", list(ROLE_PLACES), ids=lambda role: role.value)
def test_role_home_page(page, live_server, make_user, role):
    user = make_user(role, ROLE_PLACES[role])
    log_in(page, user.phone, PASSWORD)

    expect(page).to_have_url("/")
    next_steps = page.locator("#next-steps + ul > li")
    expect(next_steps).to_have_count(1)
    expect(next_steps.locator("strong")).to_have_text(t(page, role.label))
    expect(next_steps).to_contain_text(t(page, ROLE_NEXT_STEPS[role]))
    open_menu(page)  # so that axe checks the menu too
    check_accessibility(page)

    # The home page's cards list the same pages as the header (its menu, dropdowns, notifications and "Me"), once.
    menu = page.locator("header a[href]").evaluate_all("links => links.map(a => a.pathname)")
    cards = page.locator("main .card a").evaluate_all("links => links.map(a => a.pathname)")
    menu.remove("/")  # the title
    assert menu and sorted(menu) == sorted(cards)

    links = same_site_links(page, live_server)
    assert set(menu) <= set(links)
    for path in links:
        response = page.goto(path, wait_until="domcontentloaded")
        assert response is not None and response.status < 500, f"{path} answered {response and response.status}"
        assert "/accounts/login" not in page.url, f"{path} sent a logged-in {role.value} to the login page"


def test_anonymous_home_page(page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t(page, "Community planners, residents and street offices, working together"))
    expect(page.locator("main").get_by_role("link", name=t(page, "Register as a resident"))).to_be_visible()
    open_menu(page)
    check_accessibility(page)


def test_login_page(page):
    page.goto("/accounts/login")
    expect(page.get_by_label(t(page, "Phone number or email"), exact=True)).to_be_visible()
    check_accessibility(page)


def test_failed_login_shows_the_error_and_stays_accessible(page, make_user):
    user = make_user(Role.resident, "D1S1C1")
    log_in(page, user.phone, "not-the-password")
    expect(page).to_have_url("/accounts/login")
    expect(page.get_by_label(t(page, "Password"), exact=True)).to_have_attribute("aria-invalid", "true")
    check_accessibility(page)


def test_places_index_and_detail(page, places):
    page.goto("/places/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(page, "Places"))
    expect(page.get_by_role("link", name=places["D1"].name, exact=True)).to_be_visible()
    check_accessibility(page)

    page.get_by_role("link", name=places["D1"].name, exact=True).click()
    expect(page).to_have_url(f"/places/{places['D1'].id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(places["D1"].name)
    expect(page.get_by_role("link", name=places["D1S1"].name, exact=True)).to_be_visible()
    check_accessibility(page)


def test_switch_to_english(page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    open_menu(page)
    english = page.get_by_role("button", name="English", exact=True)
    expect(english).to_have_attribute("aria-pressed", "false")
    with page.expect_navigation():
        english.click()

    expect(page).to_have_url("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Community planners, residents and street offices, working together")
    expect(page.locator("main").get_by_role("link", name="Register as a resident")).to_be_visible()
    open_menu(page)
    expect(page.get_by_role("button", name="English", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="中文", exact=True)).to_have_attribute("aria-pressed", "false")
    check_accessibility(page)
