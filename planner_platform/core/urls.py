"""Links built outside a request (tasks, emails): relative to PUBLIC_BASE_URL."""
from urllib.parse import urlsplit

from flask import current_app
from werkzeug.routing import IntegerConverter

from planner_platform.core.forms import MAX_BIG_ROW_ID, MAX_ROW_ID


def public_path(endpoint: str, **values) -> str:
    """The site-relative path of an endpoint, usable where no request is active (e.g. in a worker)."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values)


def absolute_url(path: str) -> str:
    """Turn a site-relative path into a full link for an email or SMS."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


class RowIdConverter(IntegerConverter):
    """`<int:…>` in every route: a number too big to be a row id does not match (404), instead of reaching the
    database and overflowing there (PostgreSQL: "integer out of range"; SQLite: OverflowError beyond 64 bits)."""

    largest = MAX_ROW_ID

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", self.largest)
        super().__init__(map, *args, **kwargs)


class BigRowIdConverter(RowIdConverter):
    """`<bigid:…>`: the id of a BIGINT table (notifications)."""

    largest = MAX_BIG_ROW_ID
