"""Domain errors raised by services, and the HTTP error pages."""
from flask import Flask, flash, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, NotFound

from planner_platform.core import refusals
from planner_platform.extensions import db


class DomainError(Exception):
    """A business rule refused the action; the message is shown to the user as is."""

    status_code = 400

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        #: The form field the message belongs next to, if any.
        self.field = field


class Refused(DomainError):
    """A refusal whose bookkeeping (a counted attempt and its audit entry) must survive: the caller commits
    instead of rolling back. Services raise it before they have changed anything else."""


class NotAllowed(DomainError):
    status_code = 403


class OverLimit(DomainError):
    """The person has used up an allowance (proposals a day, comments an hour); answered 429."""

    status_code = 429


class Conflict(DomainError):
    """Someone else changed the same thing first (a lost race or a duplicate)."""

    status_code = 409


class InvalidTransition(DomainError):
    """The record's state does not allow the step asked for (core.transitions)."""

    def __init__(self, current, target):
        super().__init__(_("The state “%(current)s” cannot change to “%(target)s”.", current=current.label,
                           target=target.label))
        self.current, self.target = current, target


class HiddenDenial(NotFound):
    """A refusal answered as 404, so that the object's existence is not revealed; audited like a 403."""


ERROR_TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You do not have permission to do this"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    409: _l("Someone else changed this first"),
    413: _l("The upload is too large"),
    429: _l("Too many attempts, please wait a moment"),
    500: _l("Something went wrong on our side"),
}


def _render_error(code: int, message=None):
    if request.path.startswith(("/healthz", "/readyz", "/api/")) or request.path.endswith(".json"):
        return {"error": str(message or ERROR_TITLES.get(code, code)), "status": code}, code
    return render_template("errors/error.html", code=code, title=ERROR_TITLES.get(code, ERROR_TITLES[500]),
                           message=message), code


def _audit_denied(status: int) -> None:
    """Record an authorization failure (SECURITY.md §0.10); whatever the request had started is discarded."""
    from flask_login import current_user

    from planner_platform.core.audit import record_audit

    db.session.rollback()
    actor = current_user if current_user and current_user.is_authenticated else None
    record_audit(db.session, "authz.denied", actor=actor, result="denied", method=request.method,
                 path=request.path[:200], status=status)
    db.session.commit()


def register_error_handlers(app: Flask) -> None:
    refusals.register(app)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render_error(400, _l("The form expired or was sent from elsewhere. Please reload the page and "
                                     "try again."))

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code == 403 or isinstance(error, HiddenDenial):
            _audit_denied(error.code)
        return _render_error(error.code if error.code in ERROR_TITLES else 400)

    @app.errorhandler(DomainError)
    def domain_error(error):
        if error.status_code == 403:
            _audit_denied(403)
        if request.method == "POST" and error.status_code in (400, 409):
            flash(error.message, "danger")
        return _render_error(error.status_code, error.message)

    @app.errorhandler(Exception)
    def unexpected_error(error):
        # No traceback reaches the user; the log has it, tagged with the request id shown on the page.
        app.logger.exception("Unhandled error")
        # The page needs the database (the user, the navigation): a transaction the error left failed
        # (PostgreSQL refuses every further statement) or half-flushed must not take the error page down too.
        db.session.rollback()
        return _render_error(500)
