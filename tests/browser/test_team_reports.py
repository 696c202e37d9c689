"""A team lead and a street officer at their desks take a monthly report through its chain: the lead opens the
drafted report, writes the plan and submits; the officer returns it with a comment; the lead reads the comment,
changes the plan and resubmits; the officer accepts. Both see the same five-step history."""
from sqlalchemy import select

from planner_platform.accounts.models import Role
from planner_platform.extensions import db
from planner_platform.reports import services
from planner_platform.reports.models import TeamReport
from tests.browser.helpers import check_accessibility, log_in, t
from tests.conftest import PASSWORD
from tests.reports.conftest import MAY, city, frozen, team_city  # noqa: F401  (fixtures)


def _desk(browser, live_server, user):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                  reduced_motion="reduce")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, user.phone, PASSWORD)
    return page, errors


def _press(page, selector):
    with page.expect_navigation():
        page.locator(selector).click()


def test_a_report_is_submitted_returned_resubmitted_and_accepted(
        app, browser, live_server, team_city, make_user):  # noqa: F811  (the imported fixtures)
    with app.app_context():
        services.draft_month(MAY)
        db.session.commit()
        report_id = db.session.scalar(select(TeamReport.id).where(TeamReport.team_id == team_city["team"]))
    lead, lead_errors = _desk(browser, live_server, team_city["lead"])
    officer, officer_errors = _desk(browser, live_server, make_user(Role.subdistrict_staff, "D1S1"))

    lead.goto("/reports/")
    with lead.expect_navigation():
        lead.locator(f'tr[data-report="{report_id}"] a').click()
    assert lead.locator("#report-state").get_attribute("data-state") == "draft"
    assert lead.locator('[data-figure="received"]').inner_text().strip() not in ("", "—")
    check_accessibility(lead)
    lead.get_by_label(t(lead, "Next month's plan")).fill("六月：两次社区漫步，一次方案公示")
    lead.locator("#note_activities").fill("雨季户外活动减少")
    _press(lead, "#submit-report")
    assert lead.locator("#report-state").get_attribute("data-state") == "submitted"

    officer.goto(f"/reports/{report_id}")
    assert "六月：两次社区漫步" in officer.locator("#plan-text").inner_text()
    officer.get_by_label(t(officer, "Comment")).fill("请写明方案公示的日期")
    _press(officer, "#return-report")
    assert officer.locator("#report-state").get_attribute("data-state") == "returned"

    lead.goto(f"/reports/{report_id}")
    assert "请写明方案公示的日期" in lead.locator("#report-history").inner_text()
    lead.get_by_label(t(lead, "Next month's plan")).fill("六月：两次社区漫步，6 月 20 日方案公示")
    _press(lead, "#submit-report")

    officer.goto(f"/reports/{report_id}")
    assert "6 月 20 日" in officer.locator("#plan-text").inner_text()
    _press(officer, "#accept-report")
    for page in (lead, officer):
        page.goto(f"/reports/{report_id}")
        assert page.locator("#report-state").get_attribute("data-state") == "accepted"
        steps = page.locator("#report-history li")
        assert [steps.nth(i).get_attribute("data-step") for i in range(steps.count())] == [
            "draft", "submitted", "returned", "submitted", "accepted"]
    assert lead.locator('[data-note="activities"]').inner_text() == "雨季户外活动减少"
    assert lead_errors == [] and officer_errors == []
