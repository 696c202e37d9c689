"""A screenshot tour of the demo city: every role's menu pages at a phone (360 px) and a desktop (1280 px), in Chinese
and in English, as PNG files to look at before a release, with what a reviewer would flag printed beside them.

    .venv/bin/python scripts/screenshots.py --base-url http://127.0.0.1:5000 --out instance/screenshots

The site must serve the demo city (`make run`). Each role logs in once per language (staff give the demo
authenticator's code) and then opens every page its menu links to. Printed per page: a status other than 200, a page
wider than the window, console errors, and, in Chinese, runs of English words left in the page's main text.
"""
import argparse
import re
import sys
from pathlib import Path

import pyotp
from playwright.sync_api import sync_playwright

PASSWORD = "Demo-Planner-2026"
TOTP_KEY = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ROLES = {"visitor": None, "resident": "13900000007", "community-worker": "13900000006",
         "planner": "13900000005", "subdistrict-staff": "13900000004", "district-staff": "13900000003",
         "city-observer": "13900000002", "admin": "13900000001"}
WIDTHS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}
LANGUAGES = {"zh": ("zh-CN", "中文"), "en": ("en", "English")}
#: Two or more English words in a row in Chinese page text: a string that missed its translation.
ENGLISH_RUN = re.compile(r"\b[A-Za-z]{3,}(?:[ -][A-Za-z]{2,})+\b")
#: Words that are the same in both languages (formats, product names, the demo's own Latin text).
ALLOWED = re.compile(r"^(CSV|XLSX|PDF|ZIP|JSON|Excel|OpenStreetMap|Leaflet|TOTP|Google Authenticator|Microsoft "
                     r"Authenticator|Demo Planner.*|ID)$", re.I)


def log_in(page, phone: str) -> None:
    page.goto("/accounts/login")
    page.locator("input[name=login]").fill(phone)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    if page.url.endswith("/accounts/login/code"):
        page.locator("input[name=code]").fill(pyotp.TOTP(TOTP_KEY).now())
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()


def choose_language(page, label: str) -> None:
    button = page.locator("header, footer").get_by_role("button", name=label, exact=True).first
    if not button.is_visible():
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible():
            toggler.click()
    with page.expect_navigation():
        button.click()


def menu_pages(page) -> list[str]:
    """The distinct pages the header links to (the menu's entries, dropdowns included)."""
    hrefs = page.locator("header a[href^='/']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    pages = []
    for href in hrefs:
        path = href.split("#")[0]
        if path and path not in pages:
            pages.append(path)
    return pages


def detail_pages(page) -> list[str]:
    """Pages a menu does not link to but every visitor reaches: the map, a proposal, a community, an activity."""
    found = ["/proposals/map"]
    for listing, link in (("/proposals/", "main a[href^='/proposals/']"),
                          ("/activities/", "main a[href^='/activities/']")):
        page.goto(listing)
        hrefs = page.locator(link).evaluate_all("links => links.map(a => a.getAttribute('href'))")
        found += [h for h in hrefs if re.fullmatch(r"/(proposals|activities)/\d+", h)][:1]
    page.goto("/places/")
    hrefs = page.locator("main a[href^='/places/']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    found += [h for h in hrefs if re.fullmatch(r"/places/\d+", h)][-1:]
    return found


def english_left(page) -> list[str]:
    text = page.locator("main").inner_text()
    runs = {m.group(0) for m in ENGLISH_RUN.finditer(text)}
    return sorted(run for run in runs if not ALLOWED.match(run))


def tour(browser, base_url: str, out: Path, role: str, phone: str | None, language: str) -> list[str]:
    locale, label = LANGUAGES[language]
    context = browser.new_context(base_url=base_url, locale=locale, viewport=WIDTHS["desktop"],
                                  reduced_motion="reduce")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    findings = []
    if phone:
        log_in(page, phone)
    else:
        page.goto("/")
    choose_language(page, label)
    page.goto("/")
    paths = ["/", *[p for p in menu_pages(page) if p != "/"]]
    paths += [p for p in detail_pages(page) if p not in paths]
    for path in paths:
        for width_name, viewport in WIDTHS.items():
            page.set_viewport_size(viewport)
            errors.clear()
            response = page.goto(path)
            # A full-page picture should show the photos below the fold too: load the lazy ones now.
            page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })")
            page.wait_for_load_state("networkidle")
            name = f"{language}-{width_name}-{re.sub(r'[^A-Za-z0-9]+', '_', path).strip('_') or 'home'}.png"
            (out / role).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out / role / name), full_page=True)
            where = f"{role} {language} {width_name} {path}"
            if response is None or response.status != 200:
                findings.append(f"{where}: status {response.status if response else 'none'}")
            wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if wide > 0:
                findings.append(f"{where}: {wide} px wider than the window")
            findings += [f"{where}: console error {e}" for e in errors]
            if language == "zh" and width_name == "desktop":
                findings += [f"{where}: English left: {run!r}" for run in english_left(page)]
    context.close()
    print(f"{role} {language}: {len(paths)} pages", flush=True)
    return findings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:5000")
    parser.add_argument("--out", type=Path, default=Path("instance/screenshots"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--role", action="append", choices=sorted(ROLES), help="only these roles (repeatable)")
    args = parser.parse_args()
    findings = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        for role in args.role or ROLES:
            for language in LANGUAGES:
                findings += tour(browser, args.base_url, args.out, role, ROLES[role], language)
        browser.close()
    print("\n".join(findings) or "nothing to flag")
    print(f"screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
