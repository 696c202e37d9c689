"""Chinese by default, English on request, for every visitor."""
from datetime import datetime, timezone

from flask_babel import force_locale

from planner_platform.accounts.models import Role
from planner_platform.shell.templating import local_datetime
from tests.conftest import csrf_token_from, login


def test_pages_are_chinese_by_default(client, places):
    html = client.get("/accounts/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and "登录" in html and "Log in" not in html


def test_an_english_browser_gets_english(client, places):
    html = client.get("/accounts/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in html and "Log in" in html


def test_the_language_switch_is_remembered_across_login(client, make_user):
    page = client.get("/")
    client.post("/language", data={"csrf_token": csrf_token_from(page.data), "locale": "en", "next": "/places/"})
    assert "Places" in client.get("/places/").get_data(as_text=True)
    login(client, make_user(Role.resident, "D1S1C1"))
    assert "What to do next" in client.get("/").get_data(as_text=True)


def test_the_language_switch_never_redirects_off_site(client, places):
    page = client.get("/")
    response = client.post("/language", data={"csrf_token": csrf_token_from(page.data), "locale": "en",
                                              "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_a_time_is_written_in_each_readers_language_and_local_zone(app):
    """The `datetime` filter keeps what it wrote (shell.templating._formatted): by language and zone, never one
    reader's for another's."""
    moment = datetime(2026, 3, 5, 1, 30, tzinfo=timezone.utc)  # 09:30 in Shanghai
    written = {}
    for language in ("en", "zh_CN", "en"):
        with app.test_request_context("/"), force_locale(language):
            written.setdefault(language, set()).add(local_datetime(moment, "short"))
    assert written["en"] == {"3/5/26, 9:30\u202fAM"} and written["zh_CN"] == {"2026/3/5 09:30"}
