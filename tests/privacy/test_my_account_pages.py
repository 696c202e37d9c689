"""My account leads to each of its pages (consents, a copy of one's data, deletion, sessions, two-step
verification), and each leads back to it, in both languages; a staff member who must enrol first gets no way out."""
import re

import pytest

from planner_platform.accounts.models import Role
from tests.conftest import login

PAGES = {"/accounts/me/consents": ("我的同意记录", "My consents"),
         "/accounts/me/data": ("我的数据副本", "A copy of my data"),
         "/accounts/me/delete": ("注销我的账号", "Delete my account"),
         "/accounts/sessions": ("我的会话", "My sessions"),
         "/accounts/two-factor": ("两步验证", "Two-step verification")}
TRAIL = re.compile(r'<ol class="breadcrumb">\s*<li class="breadcrumb-item"><a href="/accounts/profile">([^<]+)</a>'
                   r'</li>\s*<li class="breadcrumb-item active" aria-current="page">([^<]+)</li>')


@pytest.mark.parametrize("language, column, home", [("zh_CN", 0, "我的账号"), ("en", 1, "My account")])
def test_every_page_under_my_account_is_linked_from_it_and_leads_back(app, client, make_user, language, column, home):
    login(client, make_user(Role.resident, "D1S1C1"))
    with client.session_transaction() as session:
        session["locale"] = language
    profile = client.get("/accounts/profile").get_data(as_text=True)
    for url, titles in PAGES.items():
        assert f'href="{url}"' in profile, url
        page = client.get(url)
        assert page.status_code == 200, url
        assert TRAIL.search(page.get_data(as_text=True)).groups() == (home, titles[column]), url


def test_a_staff_member_who_must_enrol_sees_no_way_out_of_the_enrolment_page(app, client, make_user):
    staff = make_user(Role.subdistrict_staff, "D1S1", mfa=False)
    for _grace in range(app.config["MFA_GRACE_LOGINS"]):
        login(app.test_client(), staff)
    login(client, staff)
    page = client.get("/accounts/two-factor").get_data(as_text=True)
    assert 'id="mfa-secret"' in page and "breadcrumb" not in page
    assert client.get("/accounts/me/consents").headers["Location"] == "/accounts/two-factor"
