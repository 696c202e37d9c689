"""On phones: a planner schedules a public workshop, a resident registers and checks in with the organiser's code,
the planner closes it with attendance and a proposal born in the workshop, and the street officer verifies it."""
from datetime import timedelta

from playwright.sync_api import expect

from planner_platform.activities.models import Activity
from planner_platform.core.calendar import local_now
from planner_platform.extensions import db
from tests.activities.conftest import cast  # noqa: F401  (fixture)
from tests.browser.helpers import check_accessibility, go_to, log_in, t
from tests.conftest import PASSWORD


def _phone(browser, live_server):
    return browser.new_context(base_url=live_server, viewport={"width": 360, "height": 740}, locale="zh-CN",
                               reduced_motion="reduce").new_page()


def test_a_workshop_from_planning_to_verification(page, browser, live_server, app, cast):  # noqa: F811
    with app.app_context():
        start = local_now().replace(second=0, microsecond=0) + timedelta(minutes=30)
    log_in(page, cast.planner.phone, PASSWORD)
    go_to(page, "My work")
    check_accessibility(page)
    with page.expect_navigation():
        page.get_by_role("link", name=t(page, "Plan an activity"), exact=True).click()
    page.get_by_label(t(page, "Title"), exact=True).fill("口袋公园设计工作坊")
    page.get_by_label(t(page, "Type"), exact=True).select_option("工作坊")
    page.get_by_label(t(page, "Place"), exact=True).fill("社区活动中心二楼")
    page.get_by_label(t(page, "Starts"), exact=True).fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label(t(page, "Ends"), exact=True).fill((start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label(t(page, "Capacity"), exact=True).fill("20")
    check_accessibility(page)
    with page.expect_navigation():
        page.get_by_role("button", name=t(page, "Plan the activity"), exact=True).click()
    expect(page.get_by_role("status")).to_have_text(t(page, "The activity is planned."))
    code = page.locator("#checkin-code").inner_text()
    check_accessibility(page)  # with the QR code
    activity_url = page.url

    resident = _phone(browser, live_server)
    log_in(resident, cast.resident.phone, PASSWORD)
    resident.goto(f"/places/{cast.community.id}")
    with resident.expect_navigation():
        resident.locator("section[aria-labelledby=coming-activities]").get_by_role(
            "link", name="口袋公园设计工作坊").click()
    with resident.expect_navigation():
        resident.get_by_role("button", name=t(resident, "Register"), exact=True).click()
    expect(resident.get_by_role("status")).to_have_text(
        t(resident, "You are registered. Check in on site with the organiser's code."))
    check_accessibility(resident)
    resident.goto(activity_url + f"/check-in?code={code}")  # what scanning the QR code opens
    check_accessibility(resident)
    with resident.expect_navigation():
        resident.get_by_role("button", name=t(resident, "Check in"), exact=True).click()
    expect(resident.get_by_role("status")).to_have_text(t(resident, "You are checked in. Welcome!"))

    with app.app_context():  # two hours later: the workshop is over
        activity = db.session.scalar(db.select(Activity))
        activity.starts_at -= timedelta(hours=3)
        activity.ends_at -= timedelta(hours=3)
        db.session.commit()
    page.goto(activity_url)
    with page.expect_navigation():
        page.get_by_role("link", name=t(page, "Close the activity"), exact=True).click()
    expect(page.get_by_label(str(t(page, "Residents")), exact=True)).to_have_value("1")
    page.get_by_label(t(page, "Residents"), exact=True).fill("15")
    page.get_by_label(t(page, "Residents' committee"), exact=True).fill("2")
    page.get_by_label(t(page, "Minutes"), exact=True).fill("居民讨论了口袋公园的座椅、照明和儿童游戏区。")
    page.get_by_label(t(page, "Title of a new proposal made at the activity (optional)"), exact=True).fill(
        "口袋公园增设座椅")
    page.get_by_label(t(page, "What should change, and why?"), exact=True).fill("老人希望散步时有地方休息。")
    page.get_by_label(t(page, "Category"), exact=True).select_option("公共空间")
    page.get_by_label(t(page, "Proposed by"), exact=True).fill("工作坊第1组")
    page.get_by_label(t(page, "The proposers agreed that their proposal and name are recorded here"),
                      exact=True).check()
    check_accessibility(page)
    with page.expect_navigation():
        page.get_by_role("button", name=t(page, "Close and send for verification"), exact=True).click()
    expect(page.get_by_role("status")).to_have_text(t(page, "The activity is closed and sent for verification."))
    expect(page.locator("section[aria-labelledby=record]")).to_contain_text("口袋公园增设座椅")

    officer = _phone(browser, live_server)
    log_in(officer, cast.street.phone, PASSWORD)
    go_to(officer, "Activity records")
    check_accessibility(officer)
    with officer.expect_navigation():
        officer.get_by_role("link", name="口袋公园设计工作坊").click()
    check_accessibility(officer)
    with officer.expect_navigation():
        officer.get_by_role("button", name=t(officer, "Verify"), exact=True).click()
    expect(officer.get_by_role("status")).to_have_text(t(officer, "The activity is verified."))
    expect(officer.locator("#activity-state")).to_contain_text(t(officer, "Verified"))
