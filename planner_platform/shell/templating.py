"""Template filters and globals shared by every page."""
from functools import lru_cache
from urllib.parse import urlencode

from flask import Flask, request, url_for
from flask_login import current_user
from flask_babel import format_datetime, get_locale, get_timezone
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select

from planner_platform.access import current_actor
from planner_platform.accounts import consents
from planner_platform.accounts import permissions as account_permissions
from planner_platform.accounts.models import TEXT_SIZES, Role, User
from planner_platform.areas import permissions as area_permissions
from planner_platform.core.calendar import local_today
from planner_platform.core.fragments import FragmentMemo
from planner_platform.core.maps import tile_settings
from planner_platform.core.urls import public_path
from planner_platform.extensions import db
from planner_platform.monitoring.indicators import Indicator
from planner_platform.monitoring.periods import Period
from planner_platform.notifications.services import menu_unread_count
from planner_platform.planners.models import AssignmentRole
from planner_platform.projects import permissions as project_permissions
from planner_platform.projects.ledger import yuan
from planner_platform.projects.models import Project, ProjectActivity, ProjectOrigin, Stage, Verdict
from planner_platform.proposals import permissions as proposal_permissions
from planner_platform.proposals.models import ProposalState
from planner_platform.shell.navigation import menu_for


#: An anonymous visitor's choice of text size (the larger-text switch); a signed-in person's is on the account.
TEXT_SIZE_COOKIE = "text_size"


def text_size() -> str:
    """The interface's text size for this request: the account's choice, else this browser's, else the first."""
    if current_user.is_authenticated and current_user.text_size:
        return current_user.text_size
    chosen = request.cookies.get(TEXT_SIZE_COOKIE)
    return chosen if chosen in TEXT_SIZES else TEXT_SIZES[0]


def mask_phone(phone: str | None) -> str:
    """138****1234: staff views never show a full phone number (GB/T 35273 展示限制)."""
    if not phone:
        return ""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def mask_name(name: str | None) -> str:
    """张** : residents are named in public by their family name only."""
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else ""


def author_name(user: User | None) -> str:
    """A resident as public pages name them: masked, or "Deleted user" once their account is deleted."""
    if user is None:
        return ""
    return _("Deleted user") if user.deleted_at else mask_name(user.display_name)


def proposer_name(proposal) -> str:
    """A proposal's proposer on its page: in full if they consented to it (one query), else as author_name."""
    author = proposal.author
    if author is None:
        return mask_name(proposal.on_behalf_name)
    if not author.deleted_at and consents.has_consent(author.id, consents.NAME_PUBLICATION):
        return author.display_name
    return author_name(author)


def mask_email(email: str | None) -> str:
    if not email or "@" not in email:
        return ""
    name, domain = email.split("@", 1)
    return f"{name[:1]}***@{domain}"


def local_datetime(value, fmt: str = "medium") -> str:
    """A stored time as the reader's language writes it in their time zone (the template filter `datetime`)."""
    return _formatted(value, fmt, str(get_locale()), str(get_timezone())) if value else ""


@lru_cache(maxsize=8192)
def _formatted(value, fmt: str, locale: str, timezone: str) -> str:
    # Babel takes tens of microseconds a time and a thread of 200 comments asks for 200: the same time in the same
    # format, language and zone is kept. The language and the zone are the key; format_datetime reads them itself.
    return format_datetime(value, fmt)


def record_link(indicator: Indicator, value, place, period: Period) -> Markup:
    """A dashboard's number, linked to the records it counts when it has them: a function, not a macro, for the
    hundreds of cells of a comparison table."""
    shown = indicator.shown(value)
    if not indicator.records or value is None:
        return escape(shown)
    url = url_for("monitoring.record_list", place_id=place.id, kind=indicator.records)
    return Markup(f'<a href="{escape(url)}?{escape(period.query)}">{escape(shown)}</a>')


def url_with_args(endpoint: str, **changes) -> str:
    """The URL of `endpoint` with the current query string, changed by `changes` (None removes a key).

    The query parameters never become url_for keywords, so a parameter named e.g. `endpoint` stays data.
    """
    args = request.args.to_dict()
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = value
    query = urlencode(args)
    return url_for(endpoint) + (f"?{query}" if query else "")


def project_of_proposal(proposal_id: int) -> tuple[int, str, Stage] | None:
    """The project an adopted proposal grew into, as (id, title, stage), or None. Proposals sit below projects and
    cannot ask for it; one query, for a proposal's own page (never call it per row of a list)."""
    return db.session.execute(select(Project.id, Project.title, Project.state).join(
        ProjectOrigin, ProjectOrigin.project_id == Project.id).where(ProjectOrigin.proposal_id == proposal_id)).first()


def register(app: Flask) -> None:
    app.jinja_env.filters["mask_phone"] = mask_phone
    app.jinja_env.filters["mask_email"] = mask_email
    app.jinja_env.filters["mask_name"] = mask_name
    app.jinja_env.filters["author_name"] = author_name
    app.jinja_env.filters["proposer_name"] = proposer_name
    app.jinja_env.filters["yuan"] = yuan
    app.jinja_env.filters["datetime"] = local_datetime
    app.jinja_env.globals.update(
        current_actor=current_actor,
        accounts_can=account_permissions,
        areas_can=area_permissions,
        menu_for=menu_for,
        current_locale=lambda: str(get_locale()),
        languages=app.config["LANGUAGES"],
        text_size=text_size,
        role_label=lambda value: Role(value).label,
        assignment_role_label=lambda value: AssignmentRole(value).label,
        proposal_state_label=lambda value: ProposalState(value).label,
        proposals_can=proposal_permissions,
        projects_can=project_permissions,
        stage_label=lambda value: Stage(value).label,
        verdict_label=lambda value: Verdict(value).label,
        project_of_proposal=project_of_proposal,
        local_today=local_today,
        url_for_path=public_path,
        map_tiles=tile_settings(app.config),
        url_with_args=url_with_args,
        unread_notifications=_unread_notifications,
        projects_of_activity=projects_of_activity,
        fragment=FragmentMemo(),
        record_link=record_link,
    )


def projects_of_activity(activity_id: int) -> list[Project]:
    """The projects an activity was held for (activities sit below projects, so their pages ask the shell)."""
    return db.session.scalars(select(Project).join(ProjectActivity, ProjectActivity.project_id == Project.id)
                              .where(ProjectActivity.activity_id == activity_id).order_by(Project.id)).all()


def _unread_notifications() -> int:
    return menu_unread_count(current_user) if current_user.is_authenticated else 0
