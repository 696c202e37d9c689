"""Account writes: registration, profile, contact details, passwords, invitations and role grants. Callers commit."""
import logging
import re
from datetime import timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from planner_platform.access import actor_of
from planner_platform.accounts import consents, events, throttle, verification
from planner_platform.accounts.models import (TEXT_SIZES, CodePurpose, Invitation, PasswordResetToken, Role,
                                              RoleGrant, User)
from planner_platform.accounts.permissions import (can_administer_account, can_grant_role, can_revoke_grant,
                                                   can_view_account)
from planner_platform.accounts.passwords import hash_password, password_problems
from planner_platform.accounts.sessions import confirm_password, find_user_by_login, revoke_sessions
from planner_platform.accounts.tokens import hash_token, new_token
from planner_platform.accounts.verification import CodeRefused
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.audit import record_audit
from planner_platform.core.db import utcnow
from planner_platform.core.errors import Conflict, DomainError, NotAllowed
from planner_platform.core.outbox import emit, send_message
from planner_platform.extensions import db

logger = logging.getLogger(__name__)
PHONE_PATTERN = re.compile(r"^1[3-9]\d{9}$")


def _check_password(password: str, *identity: str | None) -> None:
    problems = password_problems(password, personal=[item for item in identity if item])
    if problems:
        raise DomainError(problems[0], field="password")


def _check_unique_contact(phone: str | None, email: str | None) -> None:
    if phone and db.session.scalar(select(User.id).where(User.phone == phone)):
        raise Conflict(_("An account with this phone number already exists. Try logging in instead."), field="phone")
    if email and db.session.scalar(select(User.id).where(User.email == email)):
        raise Conflict(_("An account with this email address already exists."), field="email")


def _new_user(*, phone, email, display_name, password, locale) -> User:
    _check_unique_contact(phone, email)
    _check_password(password, phone, email and email.split("@")[0], display_name)
    user = User(phone=phone, email=email, display_name=display_name.strip(), password_hash=hash_password(password),
                locale=locale, password_changed_at=utcnow())
    db.session.add(user)
    db.session.flush()
    return user


def _site_name() -> str:
    return _("Community planner platform")


def start_registration(phone: str) -> None:
    """Text a registration code to `phone`; a number that has an account gets a notice instead (same page)."""
    owner = db.session.scalar(select(User).where(User.phone == phone))
    notice = None
    if owner is not None:
        with force_locale(owner.locale):
            notice = (_site_name(), _("Someone tried to register a new account with this phone number. You already "
                                      "have one: log in, or reset your password at %(link)s. If it was not you, "
                                      "you can ignore this message.",
                                      link=url_for("accounts.forgot_password", _external=True)))
    sent = verification.send_code(CodePurpose.register, phone, taken_message=notice, code_message=lambda code: (
        _site_name(), _("Your registration code is %(code)s. It is valid for %(minutes)d minutes. Never tell it to "
                        "anyone.", code=code, minutes=current_app.config["VERIFICATION_CODE_TTL_MINUTES"])))
    record_audit(db.session, "accounts.registration_code", obj=owner, result="success" if sent else "failure",
                 reason="account_exists" if owner else "", held_back=not sent)


def register_resident(*, phone: str, code: str, display_name: str, password: str, community: Place,
                      consent_given: bool, locale: str = "zh_CN") -> User:
    """Create a resident account in `community` once the code texted to `phone` is given, with the consent to the
    privacy notice on record. A wrong code raises CodeRefused, whose counted attempt the caller commits."""
    if not consent_given:
        raise DomainError(_("Please read and accept the privacy notice to register."), field="consent")
    if community.level is not PlaceLevel.community:
        raise DomainError(_("Please choose your community."), field="community")
    _check_password(password, phone, display_name)
    verification.use_code(CodePurpose.register, phone, code)
    if db.session.scalar(select(User.id).where(User.phone == phone)):
        # The number's owner was sent no code: whoever got here guessed one. Say what a wrong code says.
        raise CodeRefused(_("The code is not correct."), field="code")
    user = _new_user(phone=phone, email=None, display_name=display_name, password=password, locale=locale)
    consents.record(user, consents.ACCOUNT, "web")
    db.session.add(RoleGrant(user_id=user.id, role=Role.resident, place_id=community.id))
    record_audit(db.session, "accounts.registered", actor=user, obj=user, community=community.code)
    logger.info("Resident %s registered in %s", user.id, community.code)
    return user


def update_profile(actor: User, *, display_name: str, locale: str) -> None:
    actor.display_name = display_name.strip()
    actor.locale = locale
    record_audit(db.session, "accounts.profile_updated", actor=actor, obj=actor)


def valid_text_size(size: str | None) -> str:
    """`size` if it is one of the interface's text sizes; anything else is refused (400) with a message."""
    if size not in TEXT_SIZES:
        raise DomainError(_("Choose one of the text sizes offered."), field="text_size")
    return size


def set_text_size(actor: User, size: str) -> None:
    """Keep the interface's text size on the actor's own account. A display preference: not audited."""
    actor.text_size = valid_text_size(size)


_CONTACT_COLUMNS = {CodePurpose.email: User.email, CodePurpose.phone: User.phone}


def _contact_texts(kind: CodePurpose) -> dict:
    """The messages of a change of email address or phone number, in the current language."""
    if kind is CodePurpose.email:
        return {"same": _("This is already your email address."),
                "code": _("Your code to confirm this email address is %(code)s. It is valid for %(minutes)d minutes. "
                          "If you did not ask for it, ignore this message."),
                "taken": _("Someone tried to add this email address to another account. Your account is unchanged "
                           "and nothing needs to be done."),
                "changed": _("The email address of your account was just changed. If it was not you, reset your "
                             "password at %(link)s at once and tell your community office.")}
    return {"same": _("This is already your phone number."),
            "code": _("Your code to confirm this phone number is %(code)s. It is valid for %(minutes)d minutes. If "
                      "you did not ask for it, ignore this message."),
            "taken": _("Someone tried to add this phone number to another account. Your account is unchanged and "
                       "nothing needs to be done."),
            "changed": _("The phone number of your account was just changed. If it was not you, reset your password "
                         "at %(link)s at once and tell your community office.")}


def request_contact_change(actor: User, kind: CodePurpose, address: str) -> None:
    """Send a code to the new email address or phone number; one of another account gets a notice instead."""
    if address == getattr(actor, kind.value):
        raise DomainError(_contact_texts(kind)["same"], field="address")
    owner = db.session.scalar(select(User).where(_CONTACT_COLUMNS[kind] == address))
    notice = None
    if owner is not None:
        with force_locale(owner.locale):
            notice = (_site_name(), _contact_texts(kind)["taken"])
    minutes = current_app.config["VERIFICATION_CODE_TTL_MINUTES"]
    sent = verification.send_code(kind, address, taken_message=notice, code_message=lambda code: (
        _site_name(), _contact_texts(kind)["code"] % {"code": code, "minutes": minutes}))
    record_audit(db.session, f"accounts.{kind.value}_code", actor=actor, obj=actor, held_back=not sent)


def change_contact(actor: User, kind: CodePurpose, address: str, code: str) -> None:
    """Set the new email address or phone number once its code is given; the old address is told."""
    verification.use_code(kind, address, code)
    if db.session.scalar(select(User.id).where(_CONTACT_COLUMNS[kind] == address)):
        raise CodeRefused(_("The code is not correct."), field="code")  # as in register_resident
    old = getattr(actor, kind.value)
    setattr(actor, kind.value, address)
    record_audit(db.session, f"accounts.{kind.value}_changed", actor=actor, obj=actor)
    told = old or actor.phone or actor.email  # someone without an old email is told by text message
    link = url_for("accounts.forgot_password", _external=True)
    with force_locale(actor.locale):
        send_message(told, _site_name(), _contact_texts(kind)["changed"] % {"link": link})


def change_password(actor: User, *, current_password: str, new_password: str, keep_token: str | None,
                    end_other_sessions: bool = True) -> None:
    """Change the password and, unless the actor chose otherwise, end every other session of the account."""
    confirm_password(actor, current_password, field="current_password")
    _check_password(new_password, actor.phone, actor.email, actor.display_name)
    actor.password_hash = hash_password(new_password)
    actor.password_changed_at = utcnow()
    if end_other_sessions:
        revoke_sessions(actor, except_token=keep_token)
    record_audit(db.session, "auth.password_changed", actor=actor, obj=actor,
                 other_sessions_ended=end_other_sessions)
    emit(events.PASSWORD_CHANGED, recipients={"users": [actor.id]}, actor=actor)


def set_account_enabled(actor: User, user: User, enabled: bool, *, reason: str = "") -> None:
    """An administrator disables an account (its sessions end at once, logins fail) or enables it again."""
    if not can_administer_account(actor_of(actor), user):
        raise NotAllowed(_("You may not disable or enable this account."))
    if user.is_enabled == enabled:
        raise Conflict(_("This account is already enabled.") if enabled else _("This account is already disabled."))
    user.is_enabled = enabled
    if not enabled:
        revoke_sessions(user)
    record_audit(db.session, "accounts.enabled" if enabled else "accounts.disabled", actor=actor, obj=user,
                 reason=reason)


def request_password_reset(login: str) -> None:
    """Send a one-time reset link to the account's phone or email; silent when no account matches."""
    user = find_user_by_login(login)
    if user is None or not user.is_enabled:
        record_audit(db.session, "auth.reset_requested", result="failure", reason="unknown_login")
        return
    token, token_hash = new_token()
    ttl = current_app.config["PASSWORD_RESET_TTL_MINUTES"]
    db.session.add(PasswordResetToken(token_hash=token_hash, user_id=user.id,
                                      expires_at=utcnow() + timedelta(minutes=ttl)))
    record_audit(db.session, "auth.reset_requested", actor=user, obj=user)
    link = url_for("accounts.reset_password", token=token, _external=True)
    send_message(user.email if "@" in login else user.phone, _("Reset your password"),
          _("Open this link within %(minutes)d minutes to choose a new password: %(link)s", minutes=ttl, link=link))


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link; the link works once and every session ends."""
    reset = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(token))
                              .with_for_update())
    if reset is None or reset.used_at is not None or reset.expires_at < utcnow():
        raise DomainError(_("This reset link is invalid or has expired. Please request a new one."))
    user = reset.user
    _check_password(new_password, user.phone, user.email, user.display_name)
    reset.used_at = utcnow()
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    throttle.clear(*(throttle.key_of(login) for login in (user.phone, user.email) if login))
    revoke_sessions(user)
    record_audit(db.session, "auth.password_reset", actor=user, obj=user)
    emit(events.PASSWORD_CHANGED, recipients={"users": [user.id]}, actor=user)
    return user


def invite_staff(actor: User, *, display_name: str, phone: str | None, email: str | None, role: Role,
                 place: Place) -> tuple[Invitation, str]:
    """Create an expiring invitation for a staff account and send its link; returns it with the raw token."""
    _check_may_grant(actor, role, place)
    if place.level is not role.scope_level:
        raise DomainError(_("A %(role)s must be attached to a %(level)s.", role=role.label,
                            level=role.scope_level.label), field="place")
    _check_not_an_account(actor, phone=phone, email=email)
    token, token_hash = new_token()
    hours = current_app.config["INVITATION_TTL_HOURS"]
    invitation = Invitation(token_hash=token_hash, display_name=display_name.strip(), phone=phone, email=email,
                            role=role, place_id=place.id, invited_by_id=actor.id,
                            expires_at=utcnow() + timedelta(hours=hours))
    db.session.add(invitation)
    db.session.flush()
    record_audit(db.session, "accounts.invited", actor=actor, obj=invitation, role=role.value, place=place.code)
    link = url_for("accounts.accept_invitation", token=token, _external=True)
    send_message(email or phone, _("You are invited to the community planner platform"),
          _("%(inviter)s invites you to join as %(role)s of %(place)s. Open this link within %(hours)d hours to "
            "set up your account: %(link)s", inviter=actor.display_name, role=role.label, place=place.name,
            hours=hours, link=link))
    return invitation, token


def _check_not_an_account(actor: User, *, phone: str | None, email: str | None) -> None:
    """An invitation makes a new account, which a phone or email that has one could never accept: say instead
    where the existing account is and how it gets the role (its name only to staff who may see that account)."""
    for field, column, value, contact in (("phone", User.phone, phone, _("phone number")),
                                          ("email", User.email, email, _("email address"))):
        owner = db.session.scalar(select(User).where(column == value)) if value else None
        if owner is None:
            continue
        who = actor_of(actor)
        if not can_view_account(who, owner):
            message = _("This %(contact)s already belongs to an account outside your area. Ask an administrator to "
                        "grant the role to that account.", contact=contact)
        elif owner.is_enabled:
            message = _("This %(contact)s already belongs to the account of %(name)s. Open their page under Accounts "
                        "and grant the role there.", contact=contact, name=owner.display_name)
        elif can_administer_account(who, owner):
            message = _("This %(contact)s belongs to the disabled account of %(name)s. Find it under Accounts with "
                        "\"Disabled accounts\" ticked, enable it and grant the role there.", contact=contact,
                        name=owner.display_name)
        else:
            message = _("This %(contact)s belongs to the disabled account of %(name)s. Ask an administrator to "
                        "enable it, then grant the role on its page.", contact=contact, name=owner.display_name)
        raise Conflict(message, field=field)


def get_open_invitation(token: str, *, lock: bool = False) -> Invitation:
    """The unused, unexpired invitation of a link; `lock` holds its row so it can be accepted only once."""
    query = select(Invitation).where(Invitation.token_hash == hash_token(token))
    invitation = db.session.scalar(query.with_for_update() if lock else query)
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at < utcnow():
        raise DomainError(_("This invitation is invalid, already used or expired. Ask the person who invited you "
                            "for a new one."))
    return invitation


def accept_invitation(token: str, *, phone: str, password: str, consent_given: bool, locale: str) -> User:
    """Create the invited staff account with its role grant; the invitation is then used up."""
    invitation = get_open_invitation(token, lock=True)
    if not consent_given:
        raise DomainError(_("Please read and accept the privacy notice to continue."), field="consent")
    user = _new_user(phone=phone or invitation.phone, email=invitation.email, display_name=invitation.display_name,
                     password=password, locale=locale)
    consents.record(user, consents.ACCOUNT, "invitation")
    invitation.accepted_at = utcnow()
    invitation.accepted_user_id = user.id
    db.session.add(RoleGrant(user_id=user.id, role=invitation.role, place_id=invitation.place_id,
                             granted_by_id=invitation.invited_by_id))
    record_audit(db.session, "roles.granted", actor=invitation.invited_by_id, obj=user, role=invitation.role.value,
                 place_id=invitation.place_id, via="invitation")
    return user


def _check_may_grant(actor: User, role: Role, place: Place) -> None:
    if not can_grant_role(actor_of(actor), role, place):
        raise NotAllowed(_("You may not give this role in that place."))


def grant_role(actor: User, user: User, role: Role, place: Place) -> RoleGrant:
    _check_may_grant(actor, role, place)
    if place.level is not role.scope_level:
        raise DomainError(_("A %(role)s must be attached to a %(level)s.", role=role.label,
                            level=role.scope_level.label), field="place")
    if any(g.role is role and g.place_id == place.id for g in user.grants):
        raise Conflict(_("This person already holds this role there."))
    grant = RoleGrant(user_id=user.id, role=role, place_id=place.id, granted_by_id=actor.id)
    db.session.add(grant)
    db.session.flush()
    record_audit(db.session, "roles.granted", actor=actor, obj=user, role=role.value, place=place.code)
    if role.is_staff and user.deletion_due_at is not None:
        # Staff accounts are kept for the record: a staff role ends the resident's pending deletion.
        user.deletion_due_at = None
        record_audit(db.session, "accounts.deletion_cancelled", actor=actor, obj=user, reason="staff_role_granted")
    emit(events.ROLE_GRANTED, recipients={"users": [user.id]}, actor=actor,
         payload={"role": role.value, "place": place.name, "by": actor.display_name})
    return grant


def revoke_grant(actor: User, grant: RoleGrant) -> None:
    if not can_revoke_grant(actor_of(actor), grant):
        raise NotAllowed(_("You may not revoke this role."))
    if grant.revoked_at is not None:
        raise Conflict(_("This role was already revoked."))
    grant.revoked_at = utcnow()
    grant.revoked_by_id = actor.id
    revoke_sessions(grant.user)  # the person's pages must not keep showing powers they no longer have
    record_audit(db.session, "roles.revoked", actor=actor, obj=grant.user, role=grant.role.value,
                 place=grant.place.code)
    emit(events.ROLE_REVOKED, recipients={"users": [grant.user_id]}, actor=actor,
         payload={"role": grant.role.value, "place": grant.place.name, "by": actor.display_name})
