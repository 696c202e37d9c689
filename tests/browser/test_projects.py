"""A renewal project on a phone, in Chinese: the street office starts it from an adopted proposal, it passes its
public notice (after the minimum days, on a clock the test moves), the lead planner signs the review opinion, and
it is built and completed with before and after photos; the proposal's author follows every step on the public
page and in the inbox."""
import re
from datetime import timedelta

from playwright.sync_api import expect

from planner_platform.core.db import utcnow
from tests.browser.helpers import check_accessibility, log_in, t
from tests.conftest import PASSWORD
from tests.projects.conftest import adopted_proposal
from tests.proposals.conftest import cast, image_bytes  # noqa: F401  (cast: fixture)

TITLE = "茶港口袋公园微更新"
STEPS = ("Co-design", "Public notice", "Planner review", "Approved and funded", "Under construction",
         "Completed and accepted")


def phone(browser, live_server, user):
    """A new phone (its own cookies) with `user` logged in."""
    page = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 740}, locale="zh-CN",
                               reduced_motion="reduce").new_page()
    log_in(page, user.phone, PASSWORD)
    return page


def change_stage(page, stage: str, reason: str = ""):
    page.get_by_label(t(page, "Next stage"), exact=True).select_option(label=t(page, stage))
    if reason:
        page.get_by_label(t(page, "Reason (required to suspend or cancel)"), exact=True).fill(reason)
    with page.expect_navigation():
        page.get_by_role("button", name=t(page, "Change the stage"), exact=True).click()


def upload(page, kind: str, path) -> None:
    page.locator("summary", has_text=t(page, "Add photos")).click()  # the office's tools are folded away
    page.get_by_label(t(page, "Photo of"), exact=True).select_option(label=t(page, kind))
    page.locator("#photo-files").set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_role("button", name=t(page, "Upload the photos"), exact=True).click()


def test_a_project_from_an_adopted_proposal_to_completion_followed_by_its_author(
        app, browser, live_server, cast, clock, tmp_path):  # noqa: F811  (cast: the imported fixture)
    proposal_id = adopted_proposal(app, cast, title="茶港小区口袋公园")
    before, after = tmp_path / "施工前.jpg", tmp_path / "施工后.jpg"
    before.write_bytes(image_bytes("JPEG", size=(640, 480)))
    after.write_bytes(image_bytes("PNG", size=(640, 480)))

    street = phone(browser, live_server, cast.street)
    street.goto(f"/proposals/{proposal_id}")
    with street.expect_navigation():
        street.get_by_role("link", name=t(street, "Start a renewal project from this proposal")).click()
    street.get_by_label(t(street, "Title"), exact=True).fill(TITLE)
    street.get_by_label(t(street, "Lead planner"), exact=True).select_option(label=cast.planner.display_name)
    street.get_by_label(t(street, "Starting stage"), exact=True).select_option(label=t(street, "Listed"))
    street.get_by_label(t(street, "Estimated budget in yuan (optional)"), exact=True).fill("350,000")
    check_accessibility(street)
    with street.expect_navigation():
        street.get_by_role("button", name=t(street, "Create the project"), exact=True).click()
    expect(street.locator("#project-stage")).to_have_text(t(street, "Listed"))
    project_url = street.url
    check_accessibility(street)

    change_stage(street, "Co-design")
    change_stage(street, "Public notice")
    change_stage(street, "Planner review")  # too early: the notice lasts at least 7 days
    expect(street.locator(".alert-danger").first).to_contain_text(t(street, "Public notice"))
    expect(street.locator("#project-stage")).to_have_text(t(street, "Public notice"))

    clock(utcnow() + timedelta(days=8))  # the platform's clock, read by the live server in this process
    street = phone(browser, live_server, cast.street)  # a week later the old session has timed out
    street.goto(project_url)
    change_stage(street, "Planner review")
    change_stage(street, "Approved and funded")  # no signed opinion yet
    expect(street.locator(".alert-danger").first).to_have_text(t(
        street, "The review needs a signed opinion (agree, or agree with changes) before the project moves on."))

    planner = phone(browser, live_server, cast.planner)
    planner.goto(project_url)
    planner.get_by_label(t(planner, "Opinion"), exact=True).select_option(label=t(planner, "Agree with changes"))
    planner.get_by_label(t(planner, "Opinion text"), exact=True).fill("方案可行；无障碍坡道坡度需调整为1:12。")
    with planner.expect_navigation():
        planner.get_by_role("button", name=t(planner, "Sign the opinion"), exact=True).click()
    expect(planner.locator("section[aria-labelledby=review]")).to_contain_text("无障碍坡道坡度")
    check_accessibility(planner)

    street.goto(project_url)
    change_stage(street, "Approved and funded")
    change_stage(street, "Under construction")
    change_stage(street, "Completed and accepted")  # no photos yet
    expect(street.locator(".alert-danger").first).to_have_text(t(
        street, "Add at least one photo from before and one from after the work before completion."))
    upload(street, "Before the work", before)
    upload(street, "After the work", after)
    change_stage(street, "Completed and accepted")
    expect(street.locator("#project-stage")).to_have_text(t(street, "Completed and accepted"))
    check_accessibility(street)

    resident = phone(browser, live_server, cast.resident)
    resident.goto(f"/proposals/{proposal_id}")
    with resident.expect_navigation():
        resident.get_by_role("link", name=TITLE).click()
    timeline = resident.locator("#project-timeline")
    for step in ("Listed",) + STEPS:
        expect(timeline).to_contain_text(t(resident, step))
    expect(resident.locator("section[aria-labelledby=photos] img")).to_have_count(2)
    expect(resident.locator("section[aria-labelledby=review]")).to_contain_text("无障碍坡道坡度")
    check_accessibility(resident)
    resident.goto("/notifications/")
    inbox = resident.locator("main")
    for step in STEPS:
        expect(inbox).to_contain_text(t(resident, "The renewal project %(title)s moved to the stage “%(stage)s”.",
                                        title=TITLE, stage=t(resident, step)))
    assert re.search(r"/projects/\d+$", project_url)
