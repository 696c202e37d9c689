"""Resident pages for elderly residents on a 360 px phone, in Chinese: no accessibility violation (axe), every
control a target of at least 44 × 44 px that overlaps no other, no text below 16 px, in standard and in larger text;
and the larger-text switch, remembered by the browser and by the account."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from planner_platform.accounts.models import User
from planner_platform.core.calendar import local_today
from planner_platform.extensions import db
from planner_platform.proposals import participation, services
from planner_platform.proposals.models import Proposal, ProposalState
from tests.activities.conftest import make_activity
from tests.browser.helpers import (check_accessibility, log_in, log_out, open_menu, root_font_px, small_text, t,
                                   tap_target_problems)
from tests.conftest import PASSWORD
from tests.proposals.conftest import INSIDE, cast, make_proposal  # noqa: F401  (cast: fixture)

ANONYMOUS_PAGES = ["/", "/accounts/login", "/accounts/register", "/accounts/password/forgot", "/privacy",
                   "/proposals/", "/activities/"]


@pytest.fixture
def resident_pages(app, cast):  # noqa: F811
    """The pages a resident uses, with something on each: their proposal waiting for a rating (its reply in the
    notifications), a neighbour's with a comment and a point, two more of the neighbour's at one spot (a cluster on the
    map), an activity this week in their community."""
    own = make_proposal(app, cast.resident, title="小区门口增设休息座椅")
    theirs = make_proposal(app, cast.neighbour, title="东亭社区增设休憩座椅", category="公共空间", lat=INSIDE[0],
                           lng=INSIDE[1])  # a marker on the map (measured as a target), a marked spot on its page
    for title in ("门口台阶加扶手", "门口增设座椅"):  # and a cluster of two at the gate
        make_proposal(app, cast.neighbour, title=title, lat=INSIDE[0] - .003, lng=INSIDE[1] - .003)
    activity = make_activity(app, cast.worker, community_id=cast.community.id, starts_in=timedelta(days=1))
    with app.app_context():
        services.advance(db.session.get(User, cast.street.id), db.session.get(Proposal, own),
                         ProposalState.not_accepted, "属于物业服务范围，请联系物业。")
        participation.add_comment(db.session.get(User, cast.resident.id), db.session.get(Proposal, theirs),
                                  "赞成，老人出门需要歇脚的地方。")
        db.session.commit()
        day = (local_today() + timedelta(days=1)).isoformat()
    return ["/", "/proposals/", "/proposals/mine", "/proposals/new", f"/proposals/{own}", f"/proposals/{theirs}",
            "/proposals/map", f"/places/{cast.community.id}", "/activities/", f"/activities/?day={day}",
            f"/activities/{activity}", "/notifications/", "/notifications/settings", "/accounts/profile",
            "/accounts/me/consents", "/accounts/me/data", "/accounts/sessions", "/accounts/password"]


def check_resident_page(page, path, *, axe=True) -> tuple[list[str], int]:
    """Open `path` with its menu open (so the header's controls count too); axe, then the tap targets and the text
    floor. Returns the problems of the last two, and how many meta/badge elements were measured."""
    page.goto(path)
    page.wait_for_load_state("networkidle")  # the maps have drawn their controls
    open_menu(page)
    if axe:
        check_accessibility(page)
    problems, sampled = small_text(page)
    return tap_target_problems(page) + problems, sampled


def check_pages(page, paths, *, axe=True):
    problems, sampled = [], 0
    for path in paths:
        found, count = check_resident_page(page, path, axe=axe)
        problems += found
        sampled += count
    assert sampled > len(paths), "no meta text or badge was measured: the sample is empty"
    assert not problems, "\n".join(problems)


def switch_text_size(page, to: str) -> None:
    open_menu(page)
    with page.expect_navigation():
        page.locator("header").get_by_role("button", name=t(page, to), exact=True).click()


def test_anonymous_pages(page):
    check_pages(page, ANONYMOUS_PAGES)
    switch_text_size(page, "Larger text")
    check_pages(page, ANONYMOUS_PAGES, axe=False)


def test_resident_pages(page, cast, resident_pages):  # noqa: F811
    log_in(page, cast.resident.phone, PASSWORD)
    check_pages(page, resident_pages)


def test_resident_pages_in_larger_text(page, cast, resident_pages):  # noqa: F811
    log_in(page, cast.resident.phone, PASSWORD)
    switch_text_size(page, "Larger text")
    check_pages(page, resident_pages, axe=False)  # the same elements as above: axe finds nothing new in them


def test_the_rating_is_one_aligned_column_of_large_choices(page, app, cast, resident_pages):  # noqa: F811
    log_in(page, cast.resident.phone, PASSWORD)
    page.goto(resident_pages[4])
    choices = page.locator("#rate .form-check")
    expect(choices).to_have_count(5)
    boxes = [choices.nth(i).locator("input").bounding_box() for i in range(5)]
    rows = [choices.nth(i).bounding_box() for i in range(5)]
    assert len({round(box["x"]) for box in boxes}) == 1, f"the radios are staggered: {boxes}"
    assert all(box["width"] >= 24 for box in boxes), boxes
    assert all(row["height"] >= 44 for row in rows) and len({round(row["width"]) for row in rows}) == 1, rows
    assert all(rows[i]["y"] + rows[i]["height"] <= rows[i + 1]["y"] for i in range(4)), "one choice a row"
    # A tap on the words (far from the circle) chooses.
    label = page.get_by_text(t(page, "4 – satisfied"), exact=True)
    label.click(position={"x": label.bounding_box()["width"] - 10, "y": 10})
    expect(page.get_by_role("radio", name=t(page, "4 – satisfied"))).to_be_checked()


def test_larger_text_is_remembered_by_the_browser_and_by_the_account(page, browser, live_server, cast):  # noqa: F811
    page.goto("/")
    standard = root_font_px(page)
    log_in(page, cast.resident.phone, PASSWORD)
    switch_text_size(page, "Larger text")
    larger = root_font_px(page)
    assert larger >= standard * 1.125, (standard, larger)
    page.reload()
    assert root_font_px(page) == larger
    open_menu(page)
    expect(page.locator("header").get_by_role("button", name=t(page, "Standard text"), exact=True)).to_be_visible()

    log_out(page)
    assert root_font_px(page) == larger, "this browser keeps the choice after the logout (its cookie)"

    other = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 740}, locale="zh-CN",
                                reduced_motion="reduce").new_page()
    other.goto("/")
    assert root_font_px(other) == standard
    log_in(other, cast.resident.phone, PASSWORD)
    assert root_font_px(other) == larger, "signing in brings the account's choice"
    switch_text_size(other, "Standard text")
    assert root_font_px(other) == standard
    log_out(other)
    log_in(other, cast.resident.phone, PASSWORD)
    assert root_font_px(other) == standard
    other.context.close()


def test_an_anonymous_choice_survives_in_the_browser(page, browser, live_server, places):
    page.goto("/")
    standard = root_font_px(page)
    switch_text_size(page, "Larger text")
    larger = root_font_px(page)
    assert larger > standard
    second_tab = page.context.new_page()
    second_tab.goto("/activities/")
    assert root_font_px(second_tab) == larger
    stranger = browser.new_context(base_url=live_server).new_page()
    stranger.goto("/activities/")
    assert root_font_px(stranger) == standard, "another browser is not affected"
    stranger.context.close()
