"""A resident proposes with a photo and a map point; the planner accepts, assesses and adopts it with a reply;
the resident follows the timeline, reads the notifications and rates the outcome. On a phone, in Chinese."""
import re

from playwright.sync_api import expect

from tests.browser.helpers import check_accessibility, go_to, log_in, t
from tests.conftest import PASSWORD
from tests.proposals.conftest import INSIDE, cast, image_bytes, make_proposal  # noqa: F401  (cast: fixture)

REPLY = "经现场踏勘和居民议事会讨论，采纳该提案，纳入本年度微更新项目。"


def test_a_proposal_goes_from_a_phone_to_an_adopted_reply_and_a_rating(page, browser, live_server, cast,  # noqa: F811
                                                                        tmp_path):
    photo = tmp_path / "楼道.jpg"
    photo.write_bytes(image_bytes("JPEG", size=(640, 480)))
    log_in(page, cast.resident.phone, PASSWORD)
    go_to(page, "My proposals")
    with page.expect_navigation():
        page.get_by_role("link", name=t(page, "Make a proposal"), exact=True).first.click()
    check_accessibility(page)
    page.get_by_label(t(page, "Title"), exact=True).fill("楼道加装扶手")
    page.get_by_label(t(page, "What should change, and why?"), exact=True).fill("老人上下楼很吃力，建议加装扶手。")
    page.get_by_label(t(page, "Category"), exact=True).select_option("适老化")
    page.get_by_label(t(page, "Photos (optional)"), exact=True).set_input_files(str(photo))
    page.locator("#point-map path.leaflet-interactive").wait_for()  # the community's outline, drawn offline
    the_map = page.locator("#point-map")
    the_map.scroll_into_view_if_needed()
    box = the_map.bounding_box()
    the_map.click(position={"x": box["width"] / 2, "y": box["height"] / 2})  # the outline is centred on the map
    expect(page.locator("#point-status")).to_contain_text("✓")
    with page.expect_navigation():
        page.get_by_role("button", name=t(page, "Submit"), exact=True).click()
    expect(page.get_by_role("status").first).to_have_text(
        t(page, "Thank you. Your proposal is submitted; you will be told of every step."))
    expect(page.locator("img.proposal-photo")).to_have_count(1)
    proposal_url = page.url
    check_accessibility(page)

    planner = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 740},
                                  locale="zh-CN").new_page()
    log_in(planner, cast.planner.phone, PASSWORD)
    go_to(planner, "Workspace")
    check_accessibility(planner)
    with planner.expect_navigation():
        planner.get_by_role("link", name="楼道加装扶手").click()
    for step in ("Accept", "Start the assessment"):
        with planner.expect_navigation():
            planner.get_by_role("button", name=t(planner, step), exact=True).click()
    planner.get_by_label(t(planner, "Public reply"), exact=True).fill(REPLY)
    with planner.expect_navigation():
        # The button's name goes on with "(needs a reply)" for screen readers.
        planner.get_by_role("button", name=re.compile("^" + re.escape(t(planner, "Adopt")) + r"(\s|$)")).click()
    expect(planner.get_by_role("status").first).to_have_text(
        t(planner, "The proposal is now: %(state)s.", state=t(planner, "Adopted")))
    check_accessibility(planner)

    page.goto(proposal_url)
    timeline = page.locator("ol.timeline")
    for state in ("Submitted", "Accepted for handling", "Being assessed", "Adopted"):
        expect(timeline).to_contain_text(t(page, state))
    expect(timeline).to_contain_text(REPLY)
    page.get_by_label(t(page, "4 – satisfied"), exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name=t(page, "Send my rating"), exact=True).click()
    expect(page.get_by_role("status").first).to_have_text(t(page, "Thank you for rating the outcome."))
    expect(page.locator("main")).to_contain_text(t(page, "The proposer rated the outcome %(score)d of 5.", score=4))
    check_accessibility(page)

    page.goto("/notifications/")
    inbox = page.locator("main")
    expect(inbox).to_contain_text(t(page, 'Your proposal "%(title)s": %(state)s', title="楼道加装扶手",
                                    state=t(page, "Adopted")))
    expect(inbox).to_contain_text(t(page, 'Your proposal "%(title)s": %(state)s', title="楼道加装扶手",
                                    state=t(page, "Accepted for handling")))
    check_accessibility(page)


def test_the_public_map_draws_outlines_and_loads_the_proposals_in_view(page, app, cast):  # noqa: F811
    make_proposal(app, cast.resident, title="地图上的提案", lat=INSIDE[0], lng=INSIDE[1])
    with page.expect_response(lambda r: "/proposals/map/cells.json" in r.url) as answer:
        page.goto("/proposals/map")
    assert [c.get("title") for c in answer.value.json()["cells"]] == ["地图上的提案"]
    page.locator("#proposal-map path.leaflet-interactive").first.wait_for()
    check_accessibility(page)
