"""The one enforcer every view uses; predicates live in each feature's permissions module."""
from flask import abort, g, request


def require(allowed: bool) -> None:
    """Deny with 403 unless the predicate allowed the action; the denial is audited."""
    if not allowed:
        g.access_denied = request.path
        abort(403)
