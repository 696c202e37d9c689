"""How a refused post is answered: with the same page and message as always, and a status that says it was refused
(409 a conflict, 422 a validation failure, 403 not allowed), so clients and monitors can tell it from a success,
which redirects.

Views and the form helpers mark the refusal (`refuse`); one after-request hook puts the status on the page.
"""
from flask import Flask, current_app, flash, g, has_request_context, redirect, request, template_rendered, url_for
from flask_wtf import FlaskForm

CONFLICT = 409
INVALID = 422
_KEY = "refusal_status"


def refuse(status: int = INVALID, message=None) -> None:
    """Mark the current request as refused (the first reason counts); `message`, if given, is flashed."""
    if message is not None:
        flash(message, "danger")
    g.setdefault(_KEY, status)


def refused() -> bool:
    return _KEY in g


def back_to(endpoint: str, anchor: str | None = None, **values):
    """Answer a button posted from a page: after a success redirect back to it (a reload does not post again);
    after a refusal answer with that page itself, carrying the flashed message and the refusal's status.

    The page's view runs within the post, so its forms keep what was typed: a page whose forms carry the record's
    version must take it from the record, not from the post, or the user could never act on what they now see.
    """
    if not refused():
        return redirect(url_for(endpoint, _anchor=anchor, **values))
    return current_app.make_response(current_app.view_functions[endpoint](**values))


def _note_invalid_forms(sender, template, context, **extra) -> None:
    """A post answered by rendering a form with errors was refused, whichever view did it."""
    if has_request_context() and request.method == "POST" and any(
            isinstance(value, FlaskForm) and value.errors for value in context.values()):
        refuse(INVALID)


def register(app: Flask) -> None:
    template_rendered.connect(_note_invalid_forms, app)

    @app.before_request
    def forget_refusals():
        g.pop(_KEY, None)  # `g` outlives a request when an app context was already pushed (CLI, tests)

    @app.after_request
    def refusal_status(response):
        if _KEY in g and response.status_code == 200:
            response.status_code = g.pop(_KEY)
        return response
