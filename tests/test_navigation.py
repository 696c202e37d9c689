"""The header's menu: every page of navigation_for() in it exactly once (or on the header's right), grouped into
dropdowns only when the actor has more than a resident's few pages."""
import pytest

from planner_platform.access import actor_of
from planner_platform.accounts.models import Role, User
from planner_platform.extensions import db
from planner_platform.shell.navigation import (
    FLAT_MENU_MAX,
    HEADER_PAGES,
    INBOX,
    MY_PROPOSALS,
    PROFILE,
    NavGroup,
    menu_for,
    navigation_for,
)
from tests.browser.test_role_homes import ROLE_PLACES


def _pages(menu):
    return [page for entry in menu for page in (entry.items if isinstance(entry, NavGroup) else (entry,))]


@pytest.mark.parametrize("role", [None, *ROLE_PLACES], ids=lambda role: role.value if role else "no-role")
def test_the_menu_holds_every_page_once(app, make_user, role):
    user = make_user(role, ROLE_PLACES[role]) if role else make_user()
    with app.app_context():
        actor = actor_of(db.session.get(User, user.id))
        pages, menu = navigation_for(actor), menu_for(actor)
    in_menu = _pages(menu)
    assert sorted(in_menu + list(HEADER_PAGES), key=pages.index) == pages
    assert all(len(entry.items) > 1 for entry in menu if isinstance(entry, NavGroup))
    grouped = any(isinstance(entry, NavGroup) for entry in menu)
    assert grouped == (len(in_menu) > FLAT_MENU_MAX)


def test_a_resident_has_a_row_of_links_and_staff_have_dropdowns(app, make_user):
    with app.app_context():
        def menu(role, place):
            return menu_for(actor_of(db.session.get(User, make_user(role, place).id)))

        resident = menu(Role.resident, "D1S1C1")
        admin = menu(Role.admin, "C")
    assert not any(isinstance(entry, NavGroup) for entry in resident) and MY_PROPOSALS in resident
    assert all(isinstance(entry, NavGroup) for entry in admin) and len(admin) == 5
    assert INBOX not in _pages(admin) and PROFILE not in _pages(admin)  # they sit on the header's right, once
