"""Names of the events accounts report through the outbox; notifications.account_events says how they read."""
ROLE_GRANTED = "accounts.role_granted"
ROLE_REVOKED = "accounts.role_revoked"
#: A security notice (ASVS 2.2.3): the notifications package sends it at once on every channel.
PASSWORD_CHANGED = "accounts.password_changed"
