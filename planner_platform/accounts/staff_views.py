"""Account management for admins and district staff: people in their jurisdiction, invitations, role grants; an
administrator also resets a person's two-step verification and disables or enables their account."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from planner_platform.access import current_actor
from planner_platform.accounts import mfa, pii, services, sessions
from planner_platform.accounts.forms import AdminActionForm, InvitationForm, RoleGrantForm, role_choices
from planner_platform.accounts.models import Invitation, Role, RoleGrant, User
from planner_platform.accounts.permissions import (GRANTABLE_ROLES, can_administer_account, can_grant_role,
                                                   can_manage_accounts, can_reveal_contact, can_revoke_grant,
                                                   can_view_account)
from planner_platform.accounts.pii_views import reveal_page
from planner_platform.areas.models import Place
from planner_platform.core import query_args
from planner_platform.core.errors import DomainError
from planner_platform.core.forms import commit_or_explain, select_choices
from planner_platform.core.pagination import paginate
from planner_platform.core.permissions import require
from planner_platform.extensions import db

bp = Blueprint("staff", __name__, url_prefix="/staff")


def _jurisdiction_filter(column):
    """SQL condition: `column` (a Place path) lies inside a place the current user manages."""
    managed = current_actor.places(*GRANTABLE_ROLES)
    return or_(*[column.startswith(place.path) for place in managed]) if managed else column.is_(None)


def _with_choices(form):
    """Offer only the roles the current user may hand out and the places inside their jurisdiction."""
    grantable = set().union(*(GRANTABLE_ROLES[role] for role in current_user.roles if role in GRANTABLE_ROLES))
    places = db.session.scalars(select(Place).where(_jurisdiction_filter(Place.path)).order_by(Place.path)).all()
    form.role.choices = role_choices(grantable)
    form.place.choices = select_choices(
        (p.id, f"{'— ' * (p.path.count('/') - 2)}{p.name} ({p.level.label})") for p in places)
    return form


def _resolve_role_and_place(form) -> tuple[Role, Place]:
    role, place = Role(form.role.data), db.get_or_404(Place, form.place.data)
    if not can_grant_role(current_actor, role, place):
        raise DomainError(_("You may not give this role in that place."), field="place")
    return role, place


def get_user_or_404(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    require(can_view_account(current_actor, user))
    return user


@bp.get("/people")
@login_required
def users():
    require(can_manage_accounts(current_actor))
    disabled = query_args.flag("disabled")
    # Disabled accounts by every role they held (ended grants too), so former staff can be found and enabled.
    held = RoleGrant.user_id == User.id if disabled else (RoleGrant.user_id == User.id) & RoleGrant.revoked_at.is_(None)
    query = (select(User).join(RoleGrant, held).join(Place, RoleGrant.place_id == Place.id)
             .where(_jurisdiction_filter(Place.path), User.is_enabled.is_(not disabled), User.deleted_at.is_(None))
             .order_by(User.id.desc()).distinct())
    role = query_args.choice("role", Role._value2member_map_)
    if role:
        query = query.where(RoleGrant.role == Role(role))
    term = query_args.text("q")
    if term:
        query = query.where(User.display_name.contains(term))
    managed = current_actor.places(*GRANTABLE_ROLES)
    return render_template("staff/users.html", page=paginate(query), role=role, term=term, roles=list(Role),
                           disabled=disabled,
                           in_jurisdiction=lambda grant: any(grant.place.is_within(p) for p in managed))


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@login_required
def user_detail(user_id: int):
    user = get_user_or_404(user_id)
    form = _with_choices(RoleGrantForm())
    if form.validate_on_submit():
        def save():
            role, place = _resolve_role_and_place(form)
            services.grant_role(current_user, user, role, place)

        if commit_or_explain(form, save):
            flash(_("Role granted."), "success")
            return redirect(url_for("staff.user_detail", user_id=user.id))
    grants = db.session.scalars(select(RoleGrant).join(Place, RoleGrant.place_id == Place.id)
                                .where(RoleGrant.user_id == user.id, _jurisdiction_filter(Place.path))
                                .order_by(RoleGrant.revoked_at.is_not(None), RoleGrant.id)).all()
    return render_template("staff/user_detail.html", user=user, grants=grants, form=form,
                           can_grant=bool(form.role.choices), may_reveal=can_reveal_contact(current_actor, user),
                           has_authenticator=mfa.is_enrolled(user), live_sessions=len(sessions.live_sessions_of(user)))


@bp.route("/people/<int:user_id>/contact", methods=["GET", "POST"])
@login_required
def reveal_contact(user_id: int):
    user = get_user_or_404(user_id)
    require(can_reveal_contact(current_actor, user))
    return reveal_page(lambda purpose, note: pii.reveal_account(current_user, user, purpose, note),
                       subject=user.display_name, back=url_for("staff.user_detail", user_id=user.id))


def _administer(user_id: int, act, *, title: str, warning: str, button: str, done: str):
    """An administrator's reset or disable: a confirmation page that asks why, then the action, audited with the
    reason."""
    user = get_user_or_404(user_id)
    require(can_administer_account(current_actor, user))
    form = AdminActionForm()
    if form.validate_on_submit() and commit_or_explain(form, lambda: act(user, form.reason.data)):
        flash(done, "success")
        return redirect(url_for("staff.user_detail", user_id=user.id))
    return render_template("staff/confirm_action.html", user=user, form=form, title=title,
                           warning=warning % {"name": user.display_name}, button=button)


@bp.route("/people/<int:user_id>/mfa/reset", methods=["GET", "POST"])
@login_required
def reset_mfa(user_id: int):
    return _administer(
        user_id, lambda user, reason: mfa.reset_mfa(current_user, user, reason=reason),
        title=_("Reset two-step verification"),
        warning=_("%(name)s's authenticator is removed and all their open sessions end. At the next login they "
                  "set up a new authenticator. Do this only when you have checked who is asking, for example in "
                  "person or by calling the number on record."),
        button=_("Reset two-step verification"),
        done=_("Two-step verification was reset; the person's open sessions were ended."))


@bp.route("/people/<int:user_id>/disable", methods=["GET", "POST"])
@login_required
def disable_account(user_id: int):
    return _administer(
        user_id, lambda user, reason: services.set_account_enabled(current_user, user, False, reason=reason),
        title=_("Disable the account"),
        warning=_("%(name)s can no longer log in and all their open sessions end at once. Their roles and records "
                  "stay; an administrator can enable the account again."),
        button=_("Disable the account and end its sessions"),
        done=_("The account is disabled; all its sessions were ended."))


@bp.post("/people/<int:user_id>/enable")
@login_required
def enable_account(user_id: int):
    user = get_user_or_404(user_id)
    require(can_administer_account(current_actor, user))
    services.set_account_enabled(current_user, user, True)
    db.session.commit()
    flash(_("The account is enabled again."), "success")
    return redirect(url_for("staff.user_detail", user_id=user.id))


@bp.post("/grants/<int:grant_id>/revoke")
@login_required
def revoke_grant(grant_id: int):
    grant = db.get_or_404(RoleGrant, grant_id)
    require(can_revoke_grant(current_actor, grant))
    services.revoke_grant(current_user, grant)
    db.session.commit()
    flash(_("Role revoked; the person's open sessions were ended."), "success")
    return redirect(url_for("staff.user_detail", user_id=grant.user_id))


@bp.route("/invitations", methods=["GET", "POST"])
@login_required
def invitations():
    require(can_manage_accounts(current_actor))
    form = _with_choices(InvitationForm())
    link = None
    if form.validate_on_submit():
        def save():
            role, place = _resolve_role_and_place(form)
            return services.invite_staff(current_user, display_name=form.display_name.data, phone=form.phone.data,
                                         email=form.email.data, role=role, place=place)

        sent = commit_or_explain(form, save)
        if sent:
            invitation, token = sent
            flash(_("Invitation sent to %(name)s.", name=invitation.display_name), "success")
            # Shown once, so the inviter can also pass the link on by hand (e.g. in a staff chat).
            link = url_for("accounts.accept_invitation", token=token, _external=True)
            form = _with_choices(InvitationForm(formdata=None))
    query = (select(Invitation).join(Place, Invitation.place_id == Place.id)
             .where(_jurisdiction_filter(Place.path)).order_by(Invitation.id.desc()))
    return render_template("staff/invitations.html", form=form, page=paginate(query), link=link)
