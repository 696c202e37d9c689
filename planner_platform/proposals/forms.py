"""Proposal forms. Choices that depend on the community or the user are filled in by the views."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, FloatField, HiddenField, IntegerField, MultipleFileField, RadioField, SelectField,
                     StringField, TelField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from planner_platform.core.forms import (MAX_ROW_ID, NoControlCharacters, normalise_phone, phone_validators,
                                         select_choices, strip)
from planner_platform.proposals.models import COMMENT_MAX, DESCRIPTION_MAX, REPLY_MAX, TITLE_MAX, Channel

OFFLINE_CHANNELS = (Channel.offline, Channel.hotline, Channel.council)


class ProposalForm(FlaskForm):
    title = StringField(_l("Title"), [DataRequired(message=_l("Give the proposal a title.")),
                                      Length(max=TITLE_MAX), NoControlCharacters()], filters=[strip],
                        description=_l("One short sentence, e.g. 增设楼道扶手."))
    description = TextAreaField(_l("What should change, and why?"),
                                [DataRequired(message=_l("Describe your idea.")), Length(max=DESCRIPTION_MAX),
                                 NoControlCharacters()], filters=[strip])
    category = SelectField(_l("Category"), validate_choice=False)
    community = SelectField(_l("Community"), coerce=int, validate_choice=False)
    site = StringField(_l("Where exactly (optional)"), [Optional(), Length(max=100), NoControlCharacters()],
                       filters=[strip], description=_l("e.g. 3号楼东侧空地"))
    lat = FloatField(_l("Latitude"), [Optional(), NumberRange(min=-90, max=90)])
    lng = FloatField(_l("Longitude"), [Optional(), NumberRange(min=-180, max=180)])
    photos = MultipleFileField(_l("Photos (optional)"), description=_l("JPEG, PNG or WebP; location data is removed."))


class OfflineProposalForm(ProposalForm):
    """A proposal a community worker received offline, typed in on the resident's behalf."""
    channel = SelectField(_l("Received by"), choices=select_choices((c.value, c.label) for c in OFFLINE_CHANNELS))
    on_behalf_name = StringField(_l("Resident's name"), [DataRequired(message=_l("Enter the resident's name.")),
                                                         Length(max=50), NoControlCharacters()], filters=[strip])
    on_behalf_phone = TelField(_l("Resident's mobile (optional)"), [Optional()] + phone_validators,
                               filters=[normalise_phone])
    consent = BooleanField(_l("The resident agreed that their proposal and contact are recorded here"),
                           [DataRequired(message=_l("Record the resident's consent before entering their "
                                                    "proposal."))])


class StepForm(FlaskForm):
    """One form for every step; the button pressed says which."""
    version = HiddenField()
    reply = TextAreaField(_l("Public reply"), [Optional(), Length(max=REPLY_MAX), NoControlCharacters()],
                          filters=[strip], description=_l("Residents see this reply. A decision needs one."))


class AssignForm(FlaskForm):
    assignee = SelectField(_l("Planner"), coerce=int, validate_choice=False)


class MergeForm(FlaskForm):
    version = HiddenField()
    target = IntegerField(_l("Number of the proposal to merge into"),
                          [InputRequired(message=_l("Enter a proposal number.")), NumberRange(min=1, max=MAX_ROW_ID)])
    merge_reply = TextAreaField(_l("Public reply (optional)"), [Optional(), Length(max=REPLY_MAX),
                                                                NoControlCharacters()], filters=[strip])


#: A satisfaction score, 5 (best) first: the proposer's rating, and the project post-evaluation survey.
SATISFACTION_CHOICES = ((5, _l("5 – very satisfied")), (4, _l("4 – satisfied")), (3, _l("3 – neutral")),
                        (2, _l("2 – dissatisfied")), (1, _l("1 – very dissatisfied")))


class RateForm(FlaskForm):
    score = RadioField(_l("How satisfied are you with the outcome?"), coerce=int,
                       choices=select_choices(SATISFACTION_CHOICES),
                       validators=[InputRequired(message=_l("Choose from 1 to 5."))])
    rate_comment = TextAreaField(_l("Anything to add? (optional)"), [Optional(), Length(max=COMMENT_MAX),
                                                                     NoControlCharacters()], filters=[strip])


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), [DataRequired(message=_l("Write a comment first.")),
                                              Length(max=COMMENT_MAX), NoControlCharacters()], filters=[strip])


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Internal note (staff only)"), [DataRequired(message=_l("Write the note first.")),
                                                            Length(max=2000), NoControlCharacters()], filters=[strip])


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token (support, report, bulk accept, moderation)."""
