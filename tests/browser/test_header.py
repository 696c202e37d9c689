"""The header fits a desktop (1280 px, one row) and a phone (360 px, behind the menu button) in both languages for
every role: nothing overflows, every dropdown opens by keyboard inside the screen, and the language switch, the
larger-text switch, the notifications (once) and "Log out" are within reach. With larger text the menu stays behind
its button at every width, and still fits."""
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in, open_menu, t
from tests.browser.test_role_homes import ROLE_PLACES
from tests.conftest import PASSWORD

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


def assert_no_horizontal_overflow(page, where):
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{where}: the page is {widths[0]} px wide in a {widths[1]} px window"


def assert_inside_window(page, locator, where):
    expect(locator).to_be_visible()
    box, width = locator.bounding_box(), page.viewport_size["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{where}: {box} is outside the {width} px window"


def assert_one_row(page, where):
    """Title, menu entries and header tools share one line: their vertical centres lie within 2 px."""
    centres = page.locator(
        ".navbar-brand, #main-nav .navbar-nav > .nav-item, #main-nav .header-tools > *").evaluate_all(
        "nodes => nodes.map(n => { const r = n.getBoundingClientRect(); return r.top + r.height / 2; })")
    tops = page.locator("#main-nav .navbar-nav > .nav-item").evaluate_all(
        "nodes => nodes.map(n => Math.round(n.getBoundingClientRect().top))")
    assert len(set(tops)) == 1 and max(centres) - min(centres) <= 2, f"{where}: the header wraps ({centres})"


def check_dropdowns(page, where):
    """Open each dropdown of the menu by keyboard: it says so, its first item takes the focus with ↓, and its list
    stays inside the window; Escape closes it."""
    toggles = page.locator("#main-nav [data-bs-toggle=dropdown]")
    for index in range(toggles.count()):
        toggle = toggles.nth(index)
        toggle.focus()
        page.keyboard.press("Enter")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        menu = toggle.locator("xpath=following-sibling::ul[contains(@class, 'dropdown-menu')]")
        page.keyboard.press("ArrowDown")
        expect(menu.locator(".dropdown-item").first).to_be_focused()
        assert_inside_window(page, menu, f"{where}, {toggle.inner_text()}")
        assert_no_horizontal_overflow(page, f"{where}, {toggle.inner_text()} open")
        page.keyboard.press("Escape")
        expect(toggle).to_have_attribute("aria-expanded", "false")


def check_header(page, signed_in, where, staff=False, larger=False):
    assert_no_horizontal_overflow(page, where)
    open_menu(page)  # on the phone; on the desktop there is no menu button
    assert_no_horizontal_overflow(page, f"{where}, menu open")
    for language in ("中文", "English"):
        assert_inside_window(page, page.get_by_role("button", name=language, exact=True), where)
    # The larger-text switch: beside the language for residents and visitors, in the footer for everyone.
    switch = page.get_by_role("button", name=t(page, "Standard text" if larger else "Larger text"), exact=True)
    expect(page.locator("header").locator(switch)).to_have_count(0 if staff else 1)
    if not staff:
        assert_inside_window(page, page.locator("header").locator(switch), where)
    expect(page.locator("footer").locator(switch)).to_have_count(1)
    if not signed_in:
        assert_inside_window(page, page.locator("#main-nav").get_by_role("link", name=t(page, "Log in")), where)
        return
    expect(page.locator("header a[href='/notifications/']"), f"{where}: notifications once").to_have_count(1)
    me = page.locator("#main-nav").get_by_role("button", name=t(page, "Me"), exact=True)
    me.click()
    expect(me).to_have_attribute("aria-expanded", "true")
    assert_inside_window(page, page.get_by_role("button", name=t(page, "Log out"), exact=True), where)
    page.keyboard.press("Escape")
    check_dropdowns(page, where)


@pytest.mark.parametrize("role", [None, *ROLE_PLACES], ids=lambda role: role.value if role else "anonymous")
def test_the_header_fits_desktop_and_phone_in_both_languages(page, make_user, role):
    page.set_viewport_size(DESKTOP)
    if role:
        log_in(page, make_user(role, ROLE_PLACES[role]).phone, PASSWORD)
    page.goto("/")
    for language in ("中文", "English"):
        if language == "English":
            open_menu(page)
            with page.expect_navigation():
                page.get_by_role("button", name=language, exact=True).click()
        for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(viewport)
            page.reload()
            where = f"{role.value if role else 'anonymous'}, {language}, {name}"
            if viewport is DESKTOP:
                expect(page.locator(".navbar-toggler")).to_be_hidden()
                assert_one_row(page, where)
            check_header(page, role is not None, where, staff=bool(role and role.is_staff))


@pytest.mark.parametrize("role", [None, *ROLE_PLACES], ids=lambda role: role.value if role else "anonymous")
def test_the_header_fits_in_larger_text(page, make_user, role):
    if role:
        log_in(page, make_user(role, ROLE_PLACES[role]).phone, PASSWORD)
    page.goto("/")
    with page.expect_navigation():
        page.locator("footer").get_by_role("button", name=t(page, "Larger text"), exact=True).click()
    for language in ("中文", "English"):
        if language == "English":
            open_menu(page)
            with page.expect_navigation():
                page.get_by_role("button", name=language, exact=True).click()
        for viewport in (PHONE, DESKTOP, {"width": 1920, "height": 1000}):
            page.set_viewport_size(viewport)
            page.reload()
            where = f"{role.value if role else 'anonymous'}, {language}, larger text, {viewport['width']} px"
            expect(page.locator(".navbar-toggler")).to_be_visible()
            check_header(page, role is not None, where, staff=bool(role and role.is_staff), larger=True)
