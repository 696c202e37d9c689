"""Forms of a project's work and ledger. The project page writes their inputs by hand (it is rendered by the
project view); these forms parse and validate what is posted. Choices that depend on the project are filled in by
the views."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FileField, HiddenField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from planner_platform.core.forms import NoControlCharacters, PlausibleDate, select_choices, strip
from planner_platform.projects.forms import YuanAmount
from planner_platform.projects.models import DocumentKind, FundingSource, PhotoKind
from planner_platform.projects.models.ledger import NOTE_MAX, PURPOSE_MAX
from planner_platform.projects.models.work import DOCUMENT_TITLE_MAX, MILESTONE_TITLE_MAX
from planner_platform.projects.work import UPDATE_MAX

PHOTO_KINDS = (PhotoKind.cover, PhotoKind.before, PhotoKind.after)


def _text(label, max_length, required_message=None):
    validators = [DataRequired(message=required_message)] if required_message else [Optional()]
    return StringField(label, validators + [Length(max=max_length), NoControlCharacters()], filters=[strip])


class VersionForm(FlaskForm):
    version = HiddenField()


class MilestoneForm(VersionForm):
    title = _text(_l("Milestone"), MILESTONE_TITLE_MAX, _l("Give the milestone a title."))
    due_on = DateField(_l("Due date"), [InputRequired(message=_l("Enter the due date.")), PlausibleDate()])
    owner = SelectField(_l("Responsible"), coerce=int, validate_choice=False)


class UpdateForm(FlaskForm):
    body = TextAreaField(_l("Progress update"), [DataRequired(message=_l("Write the update.")),
                                                 Length(max=UPDATE_MAX), NoControlCharacters()], filters=[strip])
    photos = MultipleFileField(_l("Photos (optional)"))


class PhotoForm(FlaskForm):
    kind = SelectField(_l("Photo of"), choices=select_choices((kind.value, kind.value) for kind in PHOTO_KINDS))
    photos = MultipleFileField(_l("Photos"))


class DocumentForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=select_choices((kind.value, kind.value) for kind in DocumentKind))
    title = _text(_l("Title"), DOCUMENT_TITLE_MAX, _l("Give the document a title."))
    file = FileField(_l("File"))
    #: "" the kind's default, "1" public, "0" internal.
    visibility = SelectField(_l("Who may open it"), choices=select_choices([("", ""), ("1", "1"), ("0", "0")]),
                             default="", validate_choice=False)


class EstimateForm(VersionForm):
    estimate = StringField(_l("Estimated budget in yuan"), [InputRequired(message=_l("Enter the estimate.")),
                                                           YuanAmount()], filters=[strip])


class FundingForm(VersionForm):
    source = SelectField(_l("Funding source"), choices=select_choices((s.value, s.value) for s in FundingSource))
    approved = StringField(_l("Approved amount in yuan"), [InputRequired(message=_l("Enter the approved amount.")),
                                                          YuanAmount()], filters=[strip])
    note = _text(_l("Note (optional)"), NOTE_MAX)


class SpendingForm(FlaskForm):
    funding = SelectField(_l("Funding source"), coerce=int, validate_choice=False)
    spent_on = DateField(_l("Date"), [InputRequired(message=_l("Enter the date.")), PlausibleDate()])
    purpose = _text(_l("Spent on"), PURPOSE_MAX, _l("Say what the money was spent on."))
    amount = StringField(_l("Amount in yuan"), [InputRequired(message=_l("Enter the amount.")), YuanAmount()],
                         filters=[strip])
