"""Request ids, logging context, security headers and safe redirects."""
import logging
import os
import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, g, request, url_for

from planner_platform.core.maps import check_tile_settings, tile_sources
from planner_platform.core.query_args import check_query_string

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:{tiles}; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def content_security_policy(*tile_urls: str) -> str:
    """The CSP; map tiles, when configured, may come from the tile servers' hosts (their {s} subdomains too)."""
    return CONTENT_SECURITY_POLICY.format(tiles="".join(f" {source}" for source in tile_sources(*tile_urls)))


class RequestIdFilter(logging.Filter):
    """Adds the request id to every log record so one request's lines can be found together."""

    def filter(self, record):
        try:
            record.request_id = g.get("request_id", "-")
        except RuntimeError:  # outside a request or app context
            record.request_id = "-"
        return True


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    if not any(isinstance(f, RequestIdFilter) for h in root.handlers for f in h.filters):
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    app.logger.handlers.clear()  # propagate to the root handler only, so lines are not printed twice


def register_http_hooks(app: Flask) -> None:
    check_tile_settings(app)
    policy = content_security_policy(app.config["MAP_TILE_URL"], app.config["MAP_TILE_OVERLAY_URL"])

    @app.before_request
    def assign_request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else secrets.token_hex(8)

    app.before_request(check_query_string)  # after the request id, which the error page shows

    @app.after_request
    def security_headers(response):
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "geolocation=(), camera=(), microphone=()"
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if not request.path.startswith("/static/"):
            # Pages can carry personal data: no shared cache may keep them (SECURITY.md §2.4).
            response.headers["Cache-Control"] = "private, no-store"
            response.vary.add("Cookie")
        return response

    if os.environ.get("PLANNER_SQL_TRACE"):  # the benchmark harness only: see core/sql_trace.py
        from planner_platform.core import sql_trace
        sql_trace.install_if_asked(app)


def safe_next_url(target: str | None, default_endpoint: str | None = None) -> str:
    """Return `target` only if it is a path on this site; anything else falls back to the default page (the
    site's root unless `default_endpoint` names another)."""
    if target:
        target = target.strip()
        parts = urlsplit(target)
        # Reject schemes, hosts, protocol-relative ("//x", "/\\x") and backslash tricks (opencve #80).
        if (not parts.scheme and not parts.netloc and target.startswith("/")
                and not target.startswith(("//", "/\\")) and "\\" not in target):
            return target
    return url_for(default_endpoint) if default_endpoint else request.script_root + "/"
