"""Accounts: residents' self-registration, invited staff, place-scoped role grants, sessions."""
