"""Rendering an event's texts in one language from its templates.

Each event type has `templates/notifications/events/<name>.txt` with the blocks `subject`, `summary` (one line
for the inbox), `text` (plain email) and optionally `sms`, and `<name>.html` for the HTML email.
"""
from flask import current_app
from flask_babel import force_locale
from jinja2 import TemplateError

from planner_platform.core.urls import absolute_url


class RenderError(Exception):
    """A template is missing or broken: retrying will not help, so the delivery fails at once."""


def render_event(template: str, payload: dict, locale: str, link: str | None, *, html: bool = False) -> dict:
    """The texts of one event in `locale`: {"subject", "summary", "text", "sms"[, "html"]}."""
    context = {"payload": payload, "link": absolute_url(link) if link else None}
    try:
        with force_locale(locale):
            env = current_app.jinja_env
            text_template = env.get_template(f"notifications/events/{template}.txt")
            blocks = text_template.new_context(context)
            texts = {name: "".join(render(blocks)).strip() for name, render in text_template.blocks.items()}
            if html:
                texts["html"] = env.get_template(f"notifications/events/{template}.html").render(context)
    except TemplateError as error:
        raise RenderError(f"template {template} ({locale}): {error}") from error
    texts.setdefault("sms", texts.get("summary", ""))
    return texts
