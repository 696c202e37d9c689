"""Account forms: shape and field rules only; services decide and write."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional

from planner_platform.accounts.models import PiiPurpose, Role
from planner_platform.core.forms import (NoControlCharacters, lower_or_none, normalise_phone,
                                         optional_email_validators, phone_validators, select_choices, strip)

name_field = StringField(_l("Name"), [DataRequired(), Length(max=50), NoControlCharacters()], filters=[strip],
                         description=_l("How you are shown to others on the platform."))
new_password_field = PasswordField(_l("Password"), [DataRequired(), Length(max=128)],
                                   description=_l("At least 10 characters; a phrase you remember is best."))
confirm_field = PasswordField(_l("Repeat password"), [DataRequired(),
                                                      EqualTo("password", message=_l("The passwords do not match."))])
consent_field = BooleanField(_l("I have read and agree to the privacy notice"), [
    InputRequired(message=_l("Please read and accept the privacy notice to continue."))])
locale_field = SelectField(_l("Language"), choices=select_choices([("zh_CN", "中文"), ("en", "English")]),
                           default="zh_CN")


class LoginForm(FlaskForm):
    login = StringField(_l("Phone number or email"), [DataRequired(), Length(max=254)], filters=[strip])
    password = PasswordField(_l("Password"), [DataRequired(), Length(max=128)])


code_field = StringField(_l("Code"), [DataRequired(), Length(max=12)], filters=[strip],
                         description=_l("The 6 digits we sent you."))


class RegistrationStartForm(FlaskForm):
    phone = TelField(_l("Mobile phone number"), phone_validators, filters=[normalise_phone],
                     description=_l("Used to log in and to tell you about your proposals."))


class RegistrationForm(FlaskForm):
    code = code_field
    display_name = name_field
    community = SelectField(_l("Your community"), coerce=int, validators=[DataRequired()])
    password = new_password_field
    confirm = confirm_field
    consent = consent_field


class ProfileForm(FlaskForm):
    display_name = name_field
    locale = locale_field


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField(_l("Password"), [DataRequired(), Length(max=128)])


class NewEmailForm(FlaskForm):
    address = EmailField(_l("New email address"), [DataRequired()] + optional_email_validators[1:],
                         filters=[lower_or_none])


class NewPhoneForm(FlaskForm):
    address = TelField(_l("New mobile phone number"), phone_validators, filters=[normalise_phone])


class CodeForm(FlaskForm):
    code = code_field


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), [DataRequired(), Length(max=128)])
    password = PasswordField(_l("New password"), [DataRequired(), Length(max=128)],
                             description=_l("At least 10 characters; a phrase you remember is best."))
    confirm = confirm_field
    end_other_sessions = BooleanField(_l("Log me out on my other devices"), default=True)


class SecondFactorForm(FlaskForm):
    code = StringField(_l("Verification code"), [DataRequired(), Length(max=16)], filters=[strip],
                       description=_l("The 6 digits your authenticator app shows, or one of your recovery codes."))


class EnrolmentForm(FlaskForm):
    code = StringField(_l("Verification code"), [DataRequired(), Length(max=8)], filters=[strip],
                       description=_l("The 6 digits the app shows for this account."))


class ForgotPasswordForm(FlaskForm):
    login = StringField(_l("Phone number or email"), [DataRequired(), Length(max=254)], filters=[strip])


class PasswordResetForm(FlaskForm):
    password = new_password_field
    confirm = confirm_field


class InvitationForm(FlaskForm):
    display_name = StringField(_l("Name"), [DataRequired(), Length(max=50), NoControlCharacters()], filters=[strip])
    phone = TelField(_l("Mobile phone number (optional)"), [Optional()] + phone_validators,
                     filters=[normalise_phone])
    email = EmailField(_l("Email (optional)"), optional_email_validators, filters=[lower_or_none])
    role = SelectField(_l("Role"), choices=[])
    place = SelectField(_l("Place"), coerce=int, validators=[DataRequired()])

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if not self.phone.data and not self.email.data:
            self.email.errors.append(_l("Give a phone number or an email address to send the invitation to."))
            return False
        return True


class InvitationAcceptForm(FlaskForm):
    phone = TelField(_l("Mobile phone number"), [Optional()] + phone_validators, filters=[normalise_phone])
    password = new_password_field
    confirm = confirm_field
    consent = consent_field
    locale = locale_field


class RoleGrantForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[])
    place = SelectField(_l("Place"), coerce=int, validators=[DataRequired()])


def role_choices(roles):
    return select_choices((role.value, role.label) for role in Role if role in roles)


class AdminActionForm(FlaskForm):
    """Why an administrator resets or disables someone's account: asked on the confirmation page, kept in the audit
    log."""
    reason = StringField(_l("Reason"), [DataRequired(), Length(max=200), NoControlCharacters()], filters=[strip],
                         description=_l("For example: phone lost, reported on 3 December. Kept in the audit log."))


class RevealForm(FlaskForm):
    """Why the full contact details are needed: asked before every reveal, kept in the PII-access log."""
    purpose = SelectField(_l("Purpose"), [DataRequired(message=_l("Choose why you need the contact details."))],
                          choices=select_choices([("", _l("Choose…"))] + [(p.value, p.label) for p in PiiPurpose]))
    note = StringField(_l("Details"), [Length(max=200), NoControlCharacters()], filters=[strip],
                       description=_l("Required for “Other”; e.g. the case number or the call you are returning."))

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if self.purpose.data == PiiPurpose.other.value and not self.note.data:
            self.note.errors.append(_l("Say what you need the contact details for."))
            return False
        return True


class ConsentChangeForm(FlaskForm):
    """Give or withdraw one optional purpose (the buttons of the consents page)."""
    purpose = SelectField(choices=select_choices([("sms", "sms"), ("name_publication", "name_publication"),
                                                  ("research", "research")]), validators=[DataRequired()])
    action = SelectField(choices=select_choices([("give", "give"), ("withdraw", "withdraw")]),
                         validators=[DataRequired()])


class DeletionRequestForm(FlaskForm):
    confirm = BooleanField(_l("I understand that my name, phone number and email address will be deleted and that "
                              "this cannot be undone after the waiting period."),
                           [InputRequired(message=_l("Please tick the box to confirm."))])
