"""The post-evaluation survey's form."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from planner_platform.core.forms import NoControlCharacters, select_choices, strip
from planner_platform.projects.models import SURVEY_COMMENT_MAX, NeedMet
from planner_platform.proposals.forms import SATISFACTION_CHOICES



class SurveyForm(FlaskForm):
    satisfaction = RadioField(_l("Overall, how satisfied are you with the result?"), coerce=int,
                              choices=select_choices(SATISFACTION_CHOICES),
                              validators=[InputRequired(message=_l("Choose from 1 to 5."))])
    need_met = RadioField(_l("Does it meet the need it was built for?"),
                          choices=select_choices((need.value, need.label) for need in NeedMet),
                          validators=[InputRequired(message=_l("Choose yes, partly or no."))])
    survey_comment = TextAreaField(_l("Anything to add? (optional)"),
                                   [Optional(), Length(max=SURVEY_COMMENT_MAX), NoControlCharacters()],
                                   filters=[strip])
