"""Notifications: a transactional outbox, fan-out to an in-app inbox, email and SMS, preferences and digests."""
