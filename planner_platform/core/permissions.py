"""The one enforcer every view uses; predicates live in each feature's permissions module."""
from flask import abort


def require(allowed: bool) -> None:
    """Deny with 403 unless the predicate allowed the action (the 403 handler audits the denial)."""
    if not allowed:
        abort(403)
