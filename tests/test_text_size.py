"""The larger-text switch (POST /text-size): a browser remembers it in a cookie, an account on its row, and the
account's choice follows the person to another browser; a value it does not offer is refused with a message."""
import pytest
from sqlalchemy import select

from planner_platform.accounts import data_export
from planner_platform.accounts.models import Role, User
from planner_platform.extensions import db
from tests.conftest import csrf_token_from, login

LARGE = '<html lang="zh-CN" class="text-large">'


def choose(client, size, next_url="/places/", token=True):
    data = {"text_size": size, "next": next_url}
    if token:
        data["csrf_token"] = csrf_token_from(client.get("/places/").data)
    return client.post("/text-size", data=data)


def text_size_of(app, user) -> str | None:
    with app.app_context():
        return db.session.scalar(select(User.text_size).where(User.id == user.id))


def test_a_visitor_chooses_larger_text_and_this_browser_keeps_it(client, places):
    assert LARGE not in client.get("/places/").get_data(as_text=True)
    assert "大字号" in client.get("/places/").get_data(as_text=True)
    response = choose(client, "large")
    assert response.status_code == 302 and response.headers["Location"] == "/places/"
    cookie = client.get_cookie("text_size")
    assert cookie.value == "large" and cookie.http_only and cookie.max_age and cookie.max_age > 300 * 86400
    html = client.get("/places/").get_data(as_text=True)
    assert LARGE in html and "标准字号" in html  # the switch now offers the way back
    choose(client, "standard")
    assert LARGE not in client.get("/places/").get_data(as_text=True)


@pytest.mark.parametrize("size", ["huge", "", "LARGE", "large' OR 1=1", None])
def test_a_size_not_offered_is_refused_with_a_message(client, places, size):
    response = choose(client, size)
    assert response.status_code == 400
    assert "请选择页面上提供的字号。" in response.get_data(as_text=True)
    assert client.get_cookie("text_size") is None


def test_the_switch_needs_the_forms_csrf_token(client, places):
    response = choose(client, "large", token=False)
    assert response.status_code == 400
    assert client.get_cookie("text_size") is None
    assert LARGE not in client.get("/places/").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "javascript:alert(1)"])
def test_the_switch_never_sends_the_browser_off_site(client, places, target):
    response = choose(client, "large", next_url=target)
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_a_signed_in_choice_is_kept_on_the_account_and_follows_the_person(app, client, make_user):
    resident = make_user(Role.resident, "D1S1C1")
    login(client, resident)
    choose(client, "large", next_url="/")
    assert text_size_of(app, resident) == "large"
    other_browser = app.test_client()
    assert LARGE not in other_browser.get("/").get_data(as_text=True)
    other_browser.set_cookie("text_size", "standard")  # this browser's own choice gives way to the account's
    login(other_browser, resident)
    assert LARGE in other_browser.get("/").get_data(as_text=True)
    choose(other_browser, "standard", next_url="/")
    assert text_size_of(app, resident) == "standard"
    assert LARGE not in client.get("/").get_data(as_text=True)  # the first browser follows the account too


def test_an_account_without_a_choice_follows_the_browser(app, client, make_user):
    resident = make_user(Role.resident, "D1S1C1")
    choose(client, "large")
    login(client, resident)
    assert text_size_of(app, resident) is None and LARGE in client.get("/").get_data(as_text=True)


def test_the_database_refuses_a_size_it_does_not_know(app, make_user):
    resident = make_user(Role.resident, "D1S1C1")
    with app.app_context():
        db.session.get(User, resident.id).text_size = "huge"
        with pytest.raises(Exception, match="(?i)check|constraint"):
            db.session.flush()
        db.session.rollback()


def test_the_personal_data_copy_names_the_chosen_text_size(app, client, make_user):
    resident = make_user(Role.resident, "D1S1C1")
    login(client, resident)
    choose(client, "large", next_url="/")
    profile = next(section for section in data_export.ACCOUNT_SECTIONS if section.name == "profile")
    with app.app_context():
        rows = profile.rows(db.session.get(User, resident.id))
    assert "text_size" in profile.columns and rows[0]["text_size"] == "large"
