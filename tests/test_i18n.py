"""Chinese by default, English on request, for every visitor."""
from planner_platform.accounts.models import Role
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
