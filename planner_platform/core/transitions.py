"""State machines: a table of which state may follow which, one check against it, and a history row for every
change. Proposals, planner terms and activities all move through transition()."""
from planner_platform.core.db import utcnow
from planner_platform.core.errors import InvalidTransition


def transition(record, to_state, table: dict, event, actor, **details) -> None:
    """Move `record` to `to_state` if `table` allows it from its current state (None: a new record), and append
    an `event` row (from, to, actor, time and the details, e.g. a reason) to its history.

    `actor` is a user, a user id, or None for the platform itself (a daily job). Raises InvalidTransition.
    """
    if to_state not in table[record.state]:
        raise InvalidTransition(record.state, to_state)
    record.history.append(event(from_state=record.state, to_state=to_state, actor_id=getattr(actor, "id", actor),
                                occurred_at=utcnow(), **details))
    record.state = to_state
