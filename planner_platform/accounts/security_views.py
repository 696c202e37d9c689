"""Two-step verification (enrolment, status) and "my sessions", under the profile; staff who must enrol see
nothing else until they have."""
import segno
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup

from planner_platform.accounts import mfa, sessions
from planner_platform.accounts.forms import EnrolmentForm
from planner_platform.accounts.verification import CodeRefused
from planner_platform.accounts.views import ENROLMENT_REQUIRED, login_rate_limit, recent_password_required
from planner_platform.core.forms import act
from planner_platform.core.refusals import back_to
from planner_platform.extensions import db, limiter

bp = Blueprint("security", __name__, url_prefix="/accounts")
#: What a staff member who must enrol may still open: the enrolment page and what it needs, logout, the language.
_OPEN_BEFORE_ENROLMENT = {"security.two_factor", "accounts.confirm_password", "accounts.logout",
                          "shell.set_language", "static"}


@bp.before_app_request
def enrolment_first():
    if session.get(ENROLMENT_REQUIRED) and request.endpoint not in _OPEN_BEFORE_ENROLMENT \
            and current_user.is_authenticated:
        flash(_("Your role requires two-step verification: please set it up to continue."), "warning")
        return redirect(url_for("security.two_factor"))
    return None


def _qr(uri: str) -> Markup:
    """The otpauth link as an inline SVG QR code, made on the server (the secret never leaves the platform)."""
    return Markup(segno.make(uri, error="m").svg_inline(scale=4, title=_("QR code for your authenticator app"),
                                                       svgclass="mfa-qr"))


@bp.route("/two-factor", methods=["GET", "POST"])
@recent_password_required
@limiter.limit(login_rate_limit, methods=["POST"])
def two_factor():
    """Whether two-step verification is on; if not, the QR code and secret to enrol, confirmed with a first code."""
    if mfa.is_enrolled(current_user):
        return render_template("accounts/two_factor.html", enrolled=True,
                               remaining=mfa.remaining_recovery_codes(current_user))
    form = EnrolmentForm()
    if form.validate_on_submit():
        try:
            codes = mfa.confirm_enrolment(current_user, form.code.data)
        except CodeRefused as error:
            db.session.commit()  # keep the failure count and the audit entry
            form.code.errors.append(error.message)
        else:
            db.session.commit()
            session.pop(ENROLMENT_REQUIRED, None)
            flash(_("Two-step verification is on."), "success")
            return render_template("accounts/recovery_codes.html", codes=codes)
    settings = mfa.begin_enrolment(current_user)
    db.session.commit()  # the secret shown must be the one checked, however long the user takes
    return render_template("accounts/two_factor.html", enrolled=False, form=form, secret=settings.secret,
                           qr=_qr(mfa.provisioning_uri(current_user, settings.secret)),
                           forced=session.get(ENROLMENT_REQUIRED, False))


@bp.post("/two-factor/recovery-codes")
@recent_password_required
def renew_recovery_codes():
    codes = act(FlaskForm(), lambda: mfa.renew_recovery_codes(current_user),
                _("New recovery codes: the old ones no longer work."))
    if codes is None:
        return back_to("security.two_factor")
    return render_template("accounts/recovery_codes.html", codes=codes)


@bp.post("/two-factor/off")
@recent_password_required
def turn_off_two_factor():
    act(FlaskForm(), lambda: mfa.turn_off(current_user),
        _("Two-step verification is off: logging in asks for your password only."))
    return back_to("security.two_factor")


@bp.get("/sessions")
@login_required
def my_sessions():
    rows = sessions.live_sessions_of(current_user)
    token = session.get("sid")
    return render_template("accounts/sessions.html", rows=rows, device_of=sessions.device_of,
                           is_current=lambda row: sessions.is_current(row, token))


@bp.post("/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    """Log another device out (this one logs out with the logout button)."""
    if sessions.end_session(current_user, session_id, keep_token=session.get("sid")):
        db.session.commit()
        flash(_("That device has been logged out."), "success")
    else:
        flash(_("That session had already ended."), "info")
    return redirect(url_for("security.my_sessions"))


@bp.post("/sessions/end-others")
@login_required
def end_other_sessions():
    sessions.end_other_sessions(current_user, session.get("sid"))
    db.session.commit()
    flash(_("Your other devices have been logged out."), "success")
    return redirect(url_for("security.my_sessions"))
