"""Login, registration, password reset and the profile page."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import aliased

from planner_platform.accounts import services, sessions
from planner_platform.accounts.forms import (ForgotPasswordForm, InvitationAcceptForm, LoginForm, PasswordChangeForm,
                                             PasswordResetForm, ProfileForm, RegistrationForm)
from planner_platform.accounts.models import Consent, User
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core import query_args
from planner_platform.core.forms import commit_or_explain, select_choices
from planner_platform.core.http import safe_next_url
from planner_platform.extensions import db, limiter

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: only a live server-side session yields a user."""
    return sessions.load_session_user(user_id, session.get("sid"))


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _start_session(user: User) -> None:
    if current_user.is_authenticated:  # e.g. accepting an invitation while logged in as someone else
        sessions.close_session(session.get("sid"))
        logout_user()
    locale = session.get("locale")
    session.clear()  # nothing from before the login carries over (session fixation), except the language
    if locale:
        session["locale"] = locale
    session["sid"] = sessions.open_session(user, ip=request.remote_addr, user_agent=request.user_agent.string)
    session.permanent = True
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
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
            _start_session(user)
            db.session.commit()
            return redirect(safe_next_url(query_args.text("next", 2000)))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    sessions.close_session(session.get("sid"))
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
@limiter.limit(_login_rate_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("shell.home"))
    form = RegistrationForm()
    form.community.choices = select_choices([(0, _("Choose your community"))] + _community_choices())
    if form.validate_on_submit():
        def save():
            user = services.register_resident(
                phone=form.phone.data, email=form.email.data, display_name=form.display_name.data,
                password=form.password.data, community=db.get_or_404(Place, form.community.data),
                consent_given=form.consent.data, locale=session.get("locale", "zh_CN"))
            _start_session(user)
            return user

        user = commit_or_explain(form, save)
        if user:
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for("shell.home"))
    return render_template("accounts/register.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
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


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        if commit_or_explain(form, lambda: services.update_profile(
                current_user, display_name=form.display_name.data, email=form.email.data, locale=form.locale.data)):
            session["locale"] = current_user.locale
            flash(_("Your details are saved."), "success")
            return redirect(url_for("accounts.profile"))
    consents = db.session.scalars(select(Consent).where(Consent.user_id == current_user.id)).all()
    return render_template("accounts/profile.html", form=form, consents=consents)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if commit_or_explain(form, lambda: services.change_password(
                current_user, current_password=form.current_password.data, new_password=form.password.data,
                keep_token=session.get("sid"))):
            flash(_("Your password has been changed. Other devices have been logged out."), "success")
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

