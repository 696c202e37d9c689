"""Helpers for the browser tests: accessibility check, login, the menu (collapsed, with dropdowns) and UI text lookup.

They live here rather than in conftest.py so that the conftest and the test modules share one module
(tests import it as tests.browser.helpers; a conftest imported by name would be a second copy).
"""
import functools
import json
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import totp_code

HERE = Path(__file__).resolve().parent
AXE_JS = HERE / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: A tap target's least width and height (WCAG 2.5.5, CSS px) and the least text size on resident pages.
MIN_TARGET_PX = 44
MIN_TEXT_PX = 16
#: Not measured as targets (none at present: a selector, for a control the check cannot judge).
TARGET_EXEMPT = ""
#: Measured for their size but not for overlaps: a map's markers (proposals, clusters), placed where the data is.
TARGET_SIZE_ONLY = ".leaflet-marker-pane"
#: Always sampled for the text floor, so a page that has them cannot pass by showing none: meta text and badges.
TEXT_SAMPLE = ".badge, .small, small, .form-text, .btn-sm, .dropdown-header, .leaflet-control-attribution"


@contextmanager
def serving(server, name: str):
    """Run a socketserver-style server (werkzeug's or http.server's) on a daemon thread; yields its URL."""
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@functools.cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def check_accessibility(page) -> None:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) on the current page and fail listing every violation."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Not page.add_script_tag(): the app's CSP (script-src 'self') rightly blocks an inline <script>.
        # Evaluating the source through the DevTools protocol is not subject to the page's CSP.
        page.evaluate(_axe_source() + "\n;undefined")
    violations = page.evaluate(
        "async tags => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations", AXE_TAGS)
    if violations:
        lines = [f"{len(violations)} accessibility violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} "
                         f"<{violation['helpUrl']}>")
            for node in violation["nodes"]:
                lines.append(f"    at {json.dumps(node['target'], ensure_ascii=False)}: "
                             f"{node.get('failureSummary', '').strip()}".replace("\n", " "))
        pytest.fail("\n".join(lines), pytrace=False)


def tap_target_problems(page) -> list[str]:
    """Every visible control on the page whose target is under 44 × 44 px, and every two targets that overlap
    (tests/browser/tap_targets.js says what counts)."""
    found = page.evaluate((HERE / "tap_targets.js").read_text(encoding="utf-8"),
                          {"minSize": MIN_TARGET_PX, "exempt": TARGET_EXEMPT,
                           "sizeOnly": TARGET_SIZE_ONLY})
    return ([f"{page.url}: {item['control']} “{item['name']}” is {item['width']}×{item['height']} px"
             for item in found["small"]] +
            [f"{page.url}: {item['first']} and {item['second']} overlap by {item['width']}×{item['height']} px"
             for item in found["overlaps"]])


def small_text(page) -> tuple[list[str], int]:
    """Text on the page below 16 px, and how many meta/badge elements (TEXT_SAMPLE) were measured."""
    found = page.evaluate((HERE / "small_text.js").read_text(encoding="utf-8"),
                          {"minPx": MIN_TEXT_PX, "sample": TEXT_SAMPLE})
    return ([f"{page.url}: {item['element']} “{item['text']}” is {item['size']} px" for item in found["small"]],
            found["sampled"])


def root_font_px(page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")


_served = {}


def serve_translations_of(app) -> None:
    """Called by the live_server fixture: translate() renders messages through this app."""
    _served["app"] = app


def translate(message, locale: str = "zh-CN", **variables) -> str:
    """`message` as the served app renders it for a browser asking for `locale`.

    Tests match on this rather than on literal Chinese, so they pass whatever the catalogues hold today.
    """
    from flask_babel import gettext

    with _served["app"].test_request_context(headers={"Accept-Language": locale}):
        if not isinstance(message, str):  # a lazy string, e.g. Role.planner.label
            return str(message)
        return gettext(message, **variables)


def t(page, message, **variables) -> str:
    """`message` in the language of the page currently shown (its <html lang>)."""
    return translate(message, page.locator("html").get_attribute("lang") or "zh-CN", **variables)


def open_menu(page) -> None:
    """Open the collapsed navbar (360 px is below Bootstrap's xl breakpoint) and wait until it has opened."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
        page.locator("#main-nav.show").wait_for()
        page.locator("#main-nav.collapsing").wait_for(state="detached")


def menu_entry(page, role: str, label: str):
    """The menu's link or button named `label` (a UI message), shown: the menu opened, and its dropdown if in one."""
    open_menu(page)
    named = page.get_by_role(role, name=t(page, label), exact=True, include_hidden=True)
    entry = page.locator("header").locator(named)
    if not entry.is_visible():
        page.locator("header .dropdown").filter(has=named).locator("[data-bs-toggle=dropdown]").click()
    return entry


def go_to(page, label: str) -> None:
    """Follow the menu's link named `label` (a UI message), as a person would: menu button, dropdown, link."""
    with page.expect_navigation():
        menu_entry(page, "link", label).click()


def log_out(page) -> None:
    with page.expect_navigation():
        menu_entry(page, "button", "Log out").click()


def log_in(page, phone: str, password: str, app=None) -> None:
    """Fill the login form by its labels, send it, give the authenticator's code if the account has one, and wait
    for the page it leads to. `app` is the one serving the page when it is not the live server's."""
    page.goto("/accounts/login")
    page.get_by_label(t(page, "Phone number or email"), exact=True).fill(phone)
    page.get_by_label(t(page, "Password"), exact=True).fill(password)
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name=t(page, "Log in"), exact=True).click()
    if page.url.endswith("/accounts/login/code"):
        page.get_by_label(t(page, "Verification code"), exact=True).fill(totp_code(app or _served["app"], phone))
        with page.expect_navigation():
            page.locator("main").get_by_role("button", name=t(page, "Log in"), exact=True).click()
