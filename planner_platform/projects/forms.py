"""Project forms. Choices that depend on the community or the project are filled in by the views."""
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from planner_platform.core.forms import NoControlCharacters, normalise_phone, select_choices, strip
from planner_platform.projects.models import DESCRIPTION_MAX, OPINION_MAX, REASON_MAX, TITLE_MAX, Verdict

#: The largest amount a form takes: a hundred million yuan (a typo beyond it, not a neighbourhood project).
YUAN_MAX = Decimal("100000000")


def yuan_to_fen(text: str | None) -> int | None:
    """'12,500.50' or '12500.5' yuan as 1250050 fen, exactly (Decimal, never float); None for an empty field.
    Raises ValueError for anything else, more than two decimals included."""
    text = (text or "").replace(",", "").replace("，", "").replace("¥", "").strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not amount.is_finite() or amount < 0 or amount > YUAN_MAX or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(text)
    return int(amount * 100)


class YuanAmount:
    """A field in yuan with at most two decimals, between 0 and YUAN_MAX."""

    def __call__(self, form, field):
        try:
            yuan_to_fen(field.data)
        except ValueError:
            raise ValidationError(_l("Enter an amount in yuan, e.g. 12500 or 12,500.50.")) from None


def _text(label, max_length, required_message=None, **kwargs):
    validators = [DataRequired(message=required_message)] if required_message else [Optional()]
    return StringField(label, validators + [Length(max=max_length), NoControlCharacters()], filters=[strip],
                       **kwargs)


class ProjectForm(FlaskForm):
    title = _text(_l("Title"), TITLE_MAX, _l("Give the project a title."), description=_l("e.g. 口袋公园微更新"))
    community = SelectField(_l("Community"), coerce=int, validate_choice=False)
    site = _text(_l("Site (optional)"), 100, description=_l("A housing estate, courtyard or pocket park."))
    lead_planner = SelectField(_l("Lead planner"), coerce=int, validate_choice=False,
                               description=_l("A planner serving the community today."))
    start_stage = SelectField(_l("Starting stage"), validate_choice=False)
    implementer = _text(_l("Implementer (optional)"), 120, description=_l("The company or body that builds it."))
    implementer_phone = StringField(_l("Implementer's account (optional)"), [Optional(), Length(max=20)],
                                    filters=[normalise_phone],
                                    description=_l("The phone number the implementer logs in with: they may then "
                                                   "post progress updates."))
    budget_estimate = StringField(_l("Estimated budget in yuan (optional)"), [Optional(), YuanAmount()],
                                  filters=[strip])
    origins = SelectMultipleField(_l("Adopted proposals it grows from"), coerce=int, validate_choice=False)
    description = TextAreaField(_l("Description"), [Optional(), Length(max=DESCRIPTION_MAX), NoControlCharacters()],
                                filters=[strip])


class StageForm(FlaskForm):
    version = HiddenField()
    to_stage = SelectField(_l("Next stage"), validate_choice=False)
    reason = TextAreaField(_l("Reason (required to suspend or cancel)"),
                           [Optional(), Length(max=REASON_MAX), NoControlCharacters()], filters=[strip])


class OpinionForm(FlaskForm):
    version = HiddenField()
    verdict = SelectField(_l("Opinion"), choices=select_choices((v.value, v.label) for v in Verdict))
    body = TextAreaField(_l("Opinion text"), [DataRequired(message=_l("Write the opinion.")),
                                              Length(max=OPINION_MAX), NoControlCharacters()], filters=[strip],
                         description=_l("What you checked, what must change, and why. Signed with your name."))


class LinkActivityForm(FlaskForm):
    activity = SelectField(_l("Activity"), coerce=int, validate_choice=False)
