"""A staff member without an authenticator is sent to enrol before anything else, scans (here: reads) the key,
keeps the recovery codes, and then logs in with a code, on a 360 px phone."""
import pyotp
from playwright.sync_api import expect

from planner_platform.accounts.models import Role
from planner_platform.core.db import utcnow
from tests.browser.helpers import check_accessibility, log_in, log_out, t
from tests.conftest import PASSWORD, totp_code


def test_staff_enrol_then_log_in_with_a_code(app, page, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "MFA_GRACE_LOGINS", 0)
    planner = make_user(Role.planner, "D1", mfa=False)
    log_in(page, planner.phone, PASSWORD)
    expect(page).to_have_url("/accounts/two-factor")
    expect(page.get_by_role("status")).to_have_text(
        t(page, "Your role requires two-step verification: please set it up to continue."))
    qr = page.get_by_role("img", name=t(page, "QR code for your authenticator app"))
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, "the QR code does not fit a 360 px screen"
    check_accessibility(page)
    page.goto("/proposals/")  # nothing else opens before enrolment
    expect(page).to_have_url("/accounts/two-factor")

    secret = page.locator("#mfa-secret").inner_text()
    page.get_by_label(t(page, "Verification code"), exact=True).fill(pyotp.TOTP(secret).at(utcnow()))
    with page.expect_navigation():
        page.get_by_role("button", name=t(page, "Turn on two-step verification"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(page, "Your recovery codes"))
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    check_accessibility(page)
    with page.expect_navigation():
        page.get_by_role("link", name=t(page, "I have kept my codes"), exact=True).click()
    expect(page).to_have_url("/")

    log_out(page)
    page.goto("/accounts/login")
    page.get_by_label(t(page, "Phone number or email"), exact=True).fill(planner.phone)
    page.get_by_label(t(page, "Password"), exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name=t(page, "Log in"), exact=True).click()
    expect(page).to_have_url("/accounts/login/code")
    check_accessibility(page)
    code = page.get_by_label(t(page, "Verification code"), exact=True)
    code.fill("12345")
    page.locator("main").get_by_role("button", name=t(page, "Log in"), exact=True).click()
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#code-error")).to_have_text(t(page, "The code is not correct."))
    code.fill(totp_code(app, planner.phone))
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name=t(page, "Log in"), exact=True).click()
    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(page, "Hello, %(name)s", name=planner.display_name))
