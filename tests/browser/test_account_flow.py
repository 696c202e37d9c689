"""A resident registers, lands logged in, logs out through the collapsed phone menu and logs in again."""
from playwright.sync_api import expect

from tests.browser.helpers import check_accessibility, log_in, open_menu, t
from tests.conftest import PASSWORD

PHONE = "13912345678"
NAME = "王阿姨"


def fill_registration(page, places, *, phone=PHONE):
    page.get_by_label(t(page, "Mobile phone number"), exact=True).fill(phone)
    page.get_by_label(t(page, "Name"), exact=True).fill(NAME)
    community = f"{places['D1S1'].name} · {places['D1S1C1'].name}"
    page.get_by_label(t(page, "Your community"), exact=True).select_option(label=community)
    page.get_by_label(t(page, "Password"), exact=True).fill(PASSWORD)
    page.get_by_label(t(page, "Repeat password"), exact=True).fill(PASSWORD)
    page.get_by_role("checkbox", name=t(page, "I have read and agree to the privacy notice")).check()


def submit_registration(page):
    with page.expect_navigation():
        page.get_by_role("button", name=t(page, "Create my account"), exact=True).click()


def expect_logged_in_home(page):
    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(page, "Hello, %(name)s", name=NAME))
    expect(page.locator("#next-steps")).to_be_visible()


def test_resident_registers_logs_out_and_logs_in_again(page, places):
    page.goto("/accounts/register")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(page, "Register as a resident"))
    check_accessibility(page)

    fill_registration(page, places)
    submit_registration(page)
    expect_logged_in_home(page)
    expect(page.get_by_role("status")).to_have_text(t(page, "Welcome! Your account is ready."))
    expect(page.get_by_role("link", name=t(page, "My community: %(name)s", name=places["D1S1C1"].name))).to_be_visible()
    check_accessibility(page)

    logout = page.get_by_role("button", name=t(page, "Log out"), exact=True)
    expect(logout).to_be_hidden()  # behind the toggler on a 360 px screen
    open_menu(page)
    expect(page.locator("#main-nav .navbar-text")).to_have_text(NAME)
    with page.expect_navigation():
        logout.click()
    expect(page.get_by_role("status")).to_have_text(t(page, "You have logged out."))
    expect(page.get_by_role("heading", level=1)).not_to_have_text(t(page, "Hello, %(name)s", name=NAME))
    check_accessibility(page)

    log_in(page, PHONE, PASSWORD)
    expect_logged_in_home(page)


def test_bad_registration_shows_the_error_at_the_field(page, places):
    page.goto("/accounts/register")
    fill_registration(page, places, phone="13912")
    submit_registration(page)

    expect(page).to_have_url("/accounts/register")
    phone = page.get_by_label(t(page, "Mobile phone number"), exact=True)
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_value("13912")
    error = page.locator("#phone-error")
    expect(error).to_have_text(t(page, "Enter an 11-digit mainland mobile number, e.g. 13800138000."))
    expect(phone).to_have_accessible_description(
        f"{t(page, 'Used to log in and to tell you about your proposals.')} "
        f"{t(page, 'Enter an 11-digit mainland mobile number, e.g. 13800138000.')}")
    expect(page.get_by_role("alert")).to_have_text(t(page, "Please correct the fields marked below."))
    # Only the phone was wrong: the other answers are kept (passwords are not sent back).
    expect(page.get_by_label(t(page, "Name"), exact=True)).to_have_value(NAME)
    expect(page.get_by_label(t(page, "Password"), exact=True)).to_have_value("")
    check_accessibility(page)
