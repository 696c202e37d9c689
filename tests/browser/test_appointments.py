"""A street officer appoints a team to communities on a phone; its planner and the residents see the result."""
from playwright.sync_api import expect

from planner_platform.accounts.models import Role
from tests.browser.helpers import check_accessibility, go_to, log_in, t
from tests.conftest import PASSWORD, local_date
from tests.planners.conftest import roster  # noqa: F401  (fixture)


def test_officer_appoints_a_team_planner_and_residents_see_it(page, browser, live_server, places, make_user,
                                                               roster):  # noqa: F811
    officer = make_user(Role.subdistrict_staff, "D1S1")
    log_in(page, officer.phone, PASSWORD)
    go_to(page, "Appoint")
    check_accessibility(page)
    page.get_by_label(t(page, "Planner or team"), exact=True).select_option(
        label=t(page, "Team: %(name)s", name="东湖一队"))
    for community in ("D1S1C1", "D1S1C2"):
        page.get_by_label(f"{places['D1S1'].name} · {places[community].name}", exact=True).check()
    page.get_by_label(t(page, "Term starts"), exact=True).fill(local_date().isoformat())
    page.get_by_label(t(page, "Appointing body"), exact=True).fill("水果湖街道办事处")
    with page.expect_navigation():
        page.get_by_role("button", name=t(page, "Appoint"), exact=True).click()
    expect(page.get_by_role("status")).to_have_text(t(page, "Appointed to %(count)d communities.", count=2))
    expect(page.locator("table")).to_contain_text("东湖一队")
    check_accessibility(page)  # the coverage page the officer lands on

    planner_page = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 740},
                                       locale="zh-CN").new_page()
    log_in(planner_page, roster["accounts"]["member"].phone, PASSWORD)
    my_terms = planner_page.locator("section[aria-labelledby=my-terms]")
    expect(my_terms).to_contain_text(places["D1S1C1"].name)
    expect(my_terms).to_contain_text(places["D1S1C2"].name)
    check_accessibility(planner_page)

    resident = make_user(Role.resident, "D1S1C2")
    resident_page = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 740},
                                        locale="zh-CN").new_page()
    log_in(resident_page, resident.phone, PASSWORD)
    resident_page.goto(f"/places/{places['D1S1C2'].id}")
    ours = resident_page.locator("section[aria-labelledby=our-planners]")
    expect(ours).to_contain_text("东湖一队")
    expect(ours).to_contain_text("137****1111")
    check_accessibility(resident_page)
