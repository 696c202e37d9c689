"""Who may do what with accounts and roles. Pure predicates on the actor; deny by default."""
from planner_platform.access import Actor, holds_role_over, is_admin
from planner_platform.accounts.models import Role, RoleGrant, User
from planner_platform.areas.models import Place

#: Roles each managing role may hand out (invite or grant), always inside its own jurisdiction.
GRANTABLE_ROLES = {
    Role.admin: set(Role) - {Role.resident},
    Role.district_staff: {Role.district_staff, Role.subdistrict_staff, Role.planner, Role.community_worker},
}


def can_manage_accounts(actor: Actor) -> bool:
    return bool(actor.roles & set(GRANTABLE_ROLES))


def can_grant_role(actor: Actor, role: Role, place: Place) -> bool:
    """May the actor invite someone as, or grant, `role` over `place`?"""
    return any(role in GRANTABLE_ROLES[manager] and holds_role_over(actor, manager, place)
               for manager in GRANTABLE_ROLES)


def can_revoke_grant(actor: Actor, grant: RoleGrant) -> bool:
    return grant.user_id != actor.id and can_grant_role(actor, grant.role, grant.place)


def can_view_account(actor: Actor, account: User) -> bool:
    """Managers see accounts holding any role inside their jurisdiction, and disabled ones that held a role
    there; everyone sees their own."""
    if not actor.is_authenticated:
        return False
    if account.id == actor.id:
        return True
    managed = actor.places(*GRANTABLE_ROLES)
    grants = account.grants if account.is_enabled else account.held_grants
    return any(grant.place.is_within(place) for grant in grants for place in managed)


#: Roles that see full contact details after a reveal, and read the PII-access log of their area.
CONTACT_ROLES = (Role.district_staff, Role.admin)


def can_reveal_contact(actor: Actor, account: User) -> bool:
    """Another account's full phone and email: district staff and admins over one of its roles' places (the rule
    planners' contacts follow, GB/T 35273 展示限制); everyone else sees them masked."""
    return account.id != actor.id and any(holds_role_over(actor, role, grant.place) for grant in account.grants
                                          for role in CONTACT_ROLES)


def can_list_pii_accesses(actor: Actor) -> bool:
    return bool(actor.places(*CONTACT_ROLES))


def can_administer_account(actor: Actor, account: User) -> bool:
    """Administrators reset another person's authenticator and disable or enable their account; never their own
    (resetting it would skip the second factor, disabling it would lock the administrator out)."""
    return is_admin(actor) and account.id != actor.id and can_view_account(actor, account)
