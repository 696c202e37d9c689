"""Login (with its code step), registration, password reset, re-authentication and the profile page with its contact
details."""
from functools import wraps

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import aliased

from planner_platform.accounts import mfa, services, sessions
from planner_platform.accounts.forms import (CodeForm, ConfirmPasswordForm, ForgotPasswordForm, InvitationAcceptForm,
                                             LoginForm, NewEmailForm, NewPhoneForm, PasswordChangeForm,
                                             PasswordResetForm, ProfileForm, RegistrationForm, RegistrationStartForm,
                                             SecondFactorForm)
from planner_platform.accounts.models import CodePurpose, User
from planner_platform.accounts.verification import CodeRefused
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core import query_args
from planner_platform.core.db import utcnow
from planner_platform.core.forms import commit_or_explain, select_choices
from planner_platform.core.http import safe_next_url
from planner_platform.extensions import db, limiter

bp = Blueprint("accounts", __name__, url_prefix="/accounts")
#: Session keys of the two-step forms: the number being registered, the address being confirmed, the login waiting
#: for its code, and a staff login that must enrol an authenticator before anything else.
REGISTRATION_PHONE = "registration_phone"
NEW_CONTACT = "new_contact"
PENDING_LOGIN = "mfa_pending"
ENROLMENT_REQUIRED = "mfa_enrolment_required"


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: only a live server-side session yields a user."""
    return sessions.load_session_user(user_id, session.get("sid"))


def login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _start_session(user: User) -> None:
    if current_user.is_authenticated:  # e.g. accepting an invitation while logged in as someone else
        sessions.close_session(current_user, session.get("sid"))
        logout_user()
    locale = session.get("locale")
    session.clear()  # nothing from before the login carries over (session fixation), except the language
    if locale:
        session["locale"] = locale
    session["sid"] = sessions.open_session(user, ip=request.remote_addr, user_agent=request.user_agent.string)
    session.permanent = True
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("shell.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = sessions.authenticate(form.login.data, form.password.data)
        except sessions.LoginFailed as error:
            db.session.commit()  # keep the failure count and the audit entry
            form.password.errors.append(error.message)
        else:
            return _after_password(user, query_args.text("next", 2000))
    return render_template("accounts/login.html", form=form)


def _after_password(user: User, next_url: str | None):
    """Log in, or, for an account with an authenticator, ask for its code first: until then only a marker of the
    pending login is kept (user and time), and every other page still sees nobody logged in."""
    step = mfa.step_after_password(user)
    if step == "code":
        db.session.commit()
        locale = session.get("locale")
        session.clear()
        if locale:
            session["locale"] = locale
        session[PENDING_LOGIN] = {"user": user.id, "at": utcnow().timestamp(), "next": next_url}
        return redirect(url_for("accounts.login_code"))
    _start_session(user)
    sessions.record_login(user)
    if step == "enrol":
        session[ENROLMENT_REQUIRED] = True
    elif user.is_staff and not mfa.is_enrolled(user):
        flash(_("Please set up two-step verification under My account: from your next login it is required."),
              "warning")
    db.session.commit()
    return redirect(safe_next_url(next_url))


def _pending_user() -> User | None:
    """The account whose password was just given, while its code step is open (MFA_PENDING_MINUTES)."""
    pending = session.get(PENDING_LOGIN)
    if not isinstance(pending, dict):
        return None
    age = utcnow().timestamp() - float(pending.get("at", 0))
    user = db.session.get(User, int(pending.get("user", 0)))
    if age > current_app.config["MFA_PENDING_MINUTES"] * 60 or user is None or not user.is_enabled:
        session.pop(PENDING_LOGIN, None)
        return None
    return user


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def login_code():
    """The second step of a login with an authenticator: a code from the app, or a recovery code."""
    user = _pending_user()
    if user is None:
        flash(_("Please log in again."), "info")
        return redirect(url_for("accounts.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        try:
            factor = mfa.verify_login_code(user, form.code.data)
        except CodeRefused as error:
            db.session.commit()  # keep the failure count and the audit entry
            form.code.errors.append(error.message)
        else:
            next_url = session[PENDING_LOGIN].get("next")
            _start_session(user)
            sessions.record_login(user, factor=factor)
            db.session.commit()
            if factor == "recovery":
                flash(_("You logged in with a recovery code; %(n)d are left. Each works only once.",
                        n=mfa.remaining_recovery_codes(user)), "warning")
            return redirect(safe_next_url(next_url))
    return render_template("accounts/login_code.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    sessions.close_session(current_user, session.get("sid"))
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out."), "success")
    return redirect(url_for("shell.home"))


def _community_choices() -> list[tuple[int, str]]:
    """Every community, labelled with its sub-district so that same-named communities can be told apart."""
    subdistrict = aliased(Place)
    rows = db.session.execute(select(Place.id, Place.name, subdistrict.name).join(subdistrict, Place.parent)
                              .where(Place.level == PlaceLevel.community).order_by(Place.path))
    return [(place_id, f"{parent_name} · {name}") for place_id, name, parent_name in rows]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def register():
    """Step 1: the phone number, to which a code is texted (a number with an account gets a notice instead)."""
    if current_user.is_authenticated:
        return redirect(url_for("shell.home"))
    form = RegistrationStartForm()
    if form.validate_on_submit():
        services.start_registration(form.phone.data)
        db.session.commit()
        session[REGISTRATION_PHONE] = form.phone.data
        return redirect(url_for("accounts.register_details"))
    return render_template("accounts/register.html", form=form)


@bp.route("/register/details", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def register_details():
    """Step 2: the code and the resident's details."""
    phone = session.get(REGISTRATION_PHONE)
    if current_user.is_authenticated or not phone:
        return redirect(url_for("shell.home" if current_user.is_authenticated else "accounts.register"))
    form = RegistrationForm()
    form.community.choices = select_choices([(0, _("Choose your community"))] + _community_choices())
    if form.validate_on_submit():
        def save():
            user = services.register_resident(
                phone=phone, code=form.code.data, display_name=form.display_name.data, password=form.password.data,
                community=db.get_or_404(Place, form.community.data), consent_given=form.consent.data,
                locale=session.get("locale", "zh_CN"))
            _start_session(user)
            return user

        user = commit_or_explain(form, save)
        if user:
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for("shell.home"))
    return render_template("accounts/register_details.html", form=form, phone=phone)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.login.data)
        db.session.commit()
        # The same answer whether or not the account exists, so the form cannot be used to probe numbers.
        flash(_("If an account uses this phone number or email, a reset link is on its way."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = PasswordResetForm()
    if form.validate_on_submit():
        if commit_or_explain(form, lambda: services.reset_password(token, form.password.data)):
            flash(_("Your password has been changed. Please log in."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


def recent_password_required(view):
    """Sensitive changes need the password entered in this session within the last REAUTH_MINUTES."""
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not sessions.password_is_recent(session.get("sid")):
            flash(_("Please enter your password again to continue."), "info")
            return redirect(url_for("accounts.confirm_password", next=request.path))
        return view(*args, **kwargs)

    return wrapper


@bp.route("/confirm-password", methods=["GET", "POST"])
@login_required
@limiter.limit(login_rate_limit, methods=["POST"])
def confirm_password():
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        if commit_or_explain(form, lambda: sessions.reauthenticate(current_user, session.get("sid"),
                                                                  form.password.data)):
            return redirect(safe_next_url(request.args.get("next"), "accounts.profile"))
    return render_template("accounts/confirm_password.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        if commit_or_explain(form, lambda: services.update_profile(
                current_user, display_name=form.display_name.data, locale=form.locale.data)):
            session["locale"] = current_user.locale
            flash(_("Your details are saved."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, mfa_on=mfa.is_enrolled(current_user))


CONTACT_FORMS = {CodePurpose.email: NewEmailForm, CodePurpose.phone: NewPhoneForm}


@bp.route("/email", methods=["GET", "POST"], endpoint="change_email", defaults={"kind": CodePurpose.email})
@bp.route("/phone", methods=["GET", "POST"], endpoint="change_phone", defaults={"kind": CodePurpose.phone})
@recent_password_required
@limiter.limit(login_rate_limit, methods=["POST"])
def change_contact(kind: CodePurpose):
    """Step 1 of a new email address or phone number: a code goes to the new address."""
    form = CONTACT_FORMS[kind]()
    if form.validate_on_submit():
        if commit_or_explain(form, lambda: services.request_contact_change(current_user, kind, form.address.data)):
            session[NEW_CONTACT] = [kind.value, form.address.data]
            return redirect(url_for(f"accounts.confirm_{kind.value}"))
    return render_template("accounts/change_contact.html", form=form, kind=kind.value)


@bp.route("/email/confirm", methods=["GET", "POST"], endpoint="confirm_email", defaults={"kind": CodePurpose.email})
@bp.route("/phone/confirm", methods=["GET", "POST"], endpoint="confirm_phone", defaults={"kind": CodePurpose.phone})
@recent_password_required
@limiter.limit(login_rate_limit, methods=["POST"])
def confirm_contact(kind: CodePurpose):
    """Step 2: the code; the old address is told of the change."""
    pending_kind, address = session.get(NEW_CONTACT) or (None, None)
    if pending_kind != kind.value:
        return redirect(url_for(f"accounts.change_{kind.value}"))
    form = CodeForm()
    if form.validate_on_submit():
        if commit_or_explain(form, lambda: services.change_contact(current_user, kind, address, form.code.data)):
            session.pop(NEW_CONTACT, None)
            flash(_("Your email address is changed.") if kind is CodePurpose.email
                  else _("Your phone number is changed."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/confirm_contact.html", form=form, kind=kind.value, address=address)


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(login_rate_limit, methods=["POST"])
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if commit_or_explain(form, lambda: services.change_password(
                current_user, current_password=form.current_password.data, new_password=form.password.data,
                keep_token=session.get("sid"), end_other_sessions=form.end_other_sessions.data)):
            flash(_("Your password has been changed. Other devices have been logged out.")
                  if form.end_other_sessions.data else _("Your password has been changed."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    invitation = services.get_open_invitation(token)
    form = InvitationAcceptForm(phone=invitation.phone)
    if form.validate_on_submit():
        def save():
            user = services.accept_invitation(token, phone=form.phone.data, password=form.password.data,
                                              consent_given=form.consent.data, locale=form.locale.data)
            _start_session(user)
            return user

        user = commit_or_explain(form, save)
        if user:
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for("shell.home"))
    return render_template("accounts/accept_invitation.html", form=form, invitation=invitation)

