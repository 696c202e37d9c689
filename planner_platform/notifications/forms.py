"""Notification settings form: built per request from the registered categories."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField

from planner_platform.core.forms import select_choices
from planner_platform.notifications.models import EmailFrequency
from planner_platform.notifications.registry import CATEGORIES
from planner_platform.notifications.services import CHANNEL_DEFAULTS


def field_name(category: str, channel) -> str:
    return f"{category}__{channel.name}"


def preferences_form(matrix: dict, frequency: EmailFrequency, formdata=None) -> FlaskForm:
    """A form with one checkbox per category and channel, plus the email frequency."""

    class PreferencesForm(FlaskForm):
        email_frequency = SelectField(_l("Email"), choices=select_choices(
            (f.name, f.label) for f in EmailFrequency), default=frequency.name)

    for category in CATEGORIES:
        for channel in CHANNEL_DEFAULTS:
            setattr(PreferencesForm, field_name(category, channel),
                    BooleanField(channel.label, default=matrix[(category, channel)]))
    return PreferencesForm(formdata=formdata) if formdata is not None else PreferencesForm()
