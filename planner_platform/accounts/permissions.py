"""Who may do what with accounts and roles. Pure predicates; deny by default."""
from planner_platform.accounts.models import Role, RoleGrant, User
from planner_platform.areas.models import Place

#: Roles each managing role may hand out (invite or grant), always inside its own jurisdiction.
GRANTABLE_ROLES = {
    Role.admin: set(Role) - {Role.resident},
    Role.district_staff: {Role.district_staff, Role.subdistrict_staff, Role.planner, Role.community_worker},
}


def _authenticated(user) -> bool:
    return bool(user and user.is_authenticated)


def holds_role_over(user, role: Role, place: Place) -> bool:
    """True if `user` holds `role` on `place` or on a place that contains it."""
    return _authenticated(user) and any(g.role is role and place.is_within(g.place) for g in user.grants)


def places_with_role(user, *roles: Role) -> list[Place]:
    """The places over which `user` holds any of `roles`."""
    if not _authenticated(user):
        return []
    return [g.place for g in user.grants if g.role in roles]


def is_admin(user) -> bool:
    return _authenticated(user) and Role.admin in user.roles


def can_manage_accounts(user) -> bool:
    return _authenticated(user) and bool(user.roles & set(GRANTABLE_ROLES))


def can_grant_role(user, role: Role, place: Place) -> bool:
    """May `user` invite someone as, or grant, `role` over `place`?"""
    return any(role in GRANTABLE_ROLES[manager] and holds_role_over(user, manager, place)
               for manager in GRANTABLE_ROLES)


def can_revoke_grant(user, grant: RoleGrant) -> bool:
    return grant.user_id != user.id and can_grant_role(user, grant.role, grant.place)


def can_view_account(user, account: User) -> bool:
    """Managers see accounts holding any role inside their jurisdiction; everyone sees their own."""
    if not _authenticated(user):
        return False
    if account.id == user.id:
        return True
    managed = places_with_role(user, *GRANTABLE_ROLES)
    return any(grant.place.is_within(place) for grant in account.grants for place in managed)
