"""Notification event types about accounts: roles given or taken away, a changed password.

Accounts sit below notifications, so they only name their events (accounts.events); the types live here.
"""
from planner_platform.accounts import events
from planner_platform.core.urls import public_path
from planner_platform.notifications.models import Channel
from planner_platform.notifications.registry import EventType, register

ROLE_GRANTED = register(EventType(events.ROLE_GRANTED, "account", "accounts/role_granted",
                                  link=lambda payload: public_path("shell.home")))
ROLE_REVOKED = register(EventType(events.ROLE_REVOKED, "account", "accounts/role_revoked",
                                  link=lambda payload: public_path("shell.home")))
#: A security notice (ASVS 2.2.3): sent at once on every channel, whatever the preferences.
PASSWORD_CHANGED = register(EventType(events.PASSWORD_CHANGED, "account", "accounts/password_changed",
                                      link=lambda payload: public_path("accounts.profile"),
                                      channels=frozenset({Channel.in_app, Channel.email, Channel.sms}),
                                      mandatory=True))
