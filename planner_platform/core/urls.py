"""Links built outside a request (tasks, emails): relative to PUBLIC_BASE_URL."""
from urllib.parse import urlsplit

from flask import current_app


def public_path(endpoint: str, **values) -> str:
    """The site-relative path of an endpoint, usable where no request is active (e.g. in a worker)."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values)


def absolute_url(path: str) -> str:
    """Turn a site-relative path into a full link for an email or SMS."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
