"""A resident registers with a texted code, lands logged in, logs out through the collapsed phone menu and logs in
again."""
import re

from playwright.sync_api import expect

from tests.browser.helpers import check_accessibility, log_in, menu_entry, t
from tests.conftest import PASSWORD

PHONE = "13912345678"
NAME = "王阿姨"


def ask_for_code(page, phone=PHONE):
    page.get_by_label(t(page, "Mobile phone number"), exact=True).fill(phone)
    with page.expect_navigation():
        page.get_by_role("button", name=t(page, "Text me a code"), exact=True).click()


def texted_code(app, phone=PHONE) -> str:
    """The code of the last text message to `phone` (the test configuration keeps messages in memory)."""
    body = [m["body"] for m in app.extensions.get("sent_messages", []) if m["to"] == phone][-1]
    return re.search(r"\d{6}", body).group(0)


def fill_registration(page, places, code):
    page.get_by_label(t(page, "Code"), exact=True).fill(code)
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


def test_resident_registers_logs_out_and_logs_in_again(app, page, places):
    page.goto("/accounts/register")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(page, "Register as a resident"))
    check_accessibility(page)

    ask_for_code(page)
    expect(page).to_have_url("/accounts/register/details")
    expect(page.locator("#code-sent")).to_contain_text(
        t(page, "We have texted a code to %(phone)s. It is valid for %(minutes)d minutes.", phone=PHONE,
          minutes=app.config["VERIFICATION_CODE_TTL_MINUTES"]))
    check_accessibility(page)
    fill_registration(page, places, texted_code(app))
    submit_registration(page)
    expect_logged_in_home(page)
    expect(page.get_by_role("status")).to_have_text(t(page, "Welcome! Your account is ready."))
    expect(page.get_by_role("link", name=t(page, "My community: %(name)s", name=places["D1S1C1"].name))).to_be_visible()
    check_accessibility(page)

    logout = page.get_by_role("button", name=t(page, "Log out"), exact=True)
    expect(logout).to_be_hidden()  # behind the toggler and the "Me" menu on a 360 px screen
    menu_entry(page, "button", "Log out")
    expect(page.locator("#main-nav .user-name")).to_have_text(NAME)
    with page.expect_navigation():
        logout.click()
    expect(page.get_by_role("status")).to_have_text(t(page, "You have logged out."))
    expect(page.get_by_role("heading", level=1)).not_to_have_text(t(page, "Hello, %(name)s", name=NAME))
    check_accessibility(page)

    log_in(page, PHONE, PASSWORD)
    expect_logged_in_home(page)


def test_bad_registration_shows_the_error_at_the_field(app, page, places):
    page.goto("/accounts/register")
    ask_for_code(page, phone="13912")

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
    check_accessibility(page)

    ask_for_code(page)
    code = texted_code(app)
    fill_registration(page, places, f"{(int(code) + 1) % 1_000_000:06d}")
    submit_registration(page)
    expect(page).to_have_url("/accounts/register/details")
    field = page.get_by_label(t(page, "Code"), exact=True)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#code-error")).to_have_text(t(page, "The code is not correct."))
    # Only the code was wrong: the other answers are kept (passwords are not sent back).
    expect(page.get_by_label(t(page, "Name"), exact=True)).to_have_value(NAME)
    expect(page.get_by_label(t(page, "Password"), exact=True)).to_have_value("")
    check_accessibility(page)
