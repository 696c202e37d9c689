"""Browser tests: Playwright (sync API) driving Debian's Chromium against the app served from a thread.

Every test here is marked `browser`. Without /usr/bin/chromium they skip locally and fail in CI (require_service).
The page is a small phone (360×740, zh-CN), so the navbar is collapsed behind its toggler.
"""
import re
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.browser.helpers import serve_translations_of, serving
from tests.conftest import require_service

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
#: Playwright's default is 30 s; a local page that needs more than this is a failure worth seeing quickly.
TIMEOUT_MS = 5_000


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Record each phase's report on the item (item.rep_setup, item.rep_call) so fixtures can see failures."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    require_service(CHROMIUM.exists(), "Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def live_server(app):
    serve_translations_of(app)
    with serving(make_server("127.0.0.1", 0, app, threaded=True), "live-server") as url:
        yield url


@pytest.fixture
def page(browser, live_server, request):
    # Reduced motion: Bootstrap then skips its transitions, so opening the menu does not wait for an animation.
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", base_url=live_server,
                                  reduced_motion="reduce")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        failed = any(getattr(request.node, f"rep_{when}", None) is not None
                     and getattr(request.node, f"rep_{when}").failed for when in ("setup", "call"))
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            path = ARTIFACTS / (re.sub(r"[^\w.-]+", "_", request.node.name) + ".png")
            try:
                page.screenshot(path=str(path), full_page=True)
                print(f"\nscreenshot of the failed test: {path}")
            except Exception as error:  # the page may already be gone; the test's own failure matters more
                print(f"\nno screenshot ({type(error).__name__}: {error})")
        context.close()
