"""The one enforcer every view uses; predicates live in each feature's permissions module."""
from flask import abort

from planner_platform.core.errors import HiddenDenial


def require(allowed: bool) -> None:
    """Deny with 403 unless the predicate allowed the action (the 403 handler audits the denial)."""
    if not allowed:
        abort(403)


def require_or_404(allowed: bool) -> None:
    """Deny with 404 where even the object's existence is private (a draft); audited as a denial all the same."""
    if not allowed:
        raise HiddenDenial()
