"""Append-only audit log of security-relevant events (SECURITY.md §0.10).

The database refuses UPDATE and DELETE on this table (triggers in the migration), so entries
cannot be altered through the application's connection.
"""
from datetime import datetime

from flask import g, has_request_context, request
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from planner_platform.core.db import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    #: Dotted event name, e.g. "auth.login_failed", "roles.granted", "places.updated".
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    #: "success", "failure" or "denied".
    result: Mapped[str] = mapped_column(String(16), default="success")
    ip: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)


def record_audit(session: Session, action: str, *, actor=None, obj=None, object_type: str | None = None,
                 object_id=None, result: str = "success", **details) -> AuditEntry:
    """Add an audit entry to the current transaction (it commits or rolls back with the change it records)."""
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = obj.id
    entry = AuditEntry(
        actor_id=getattr(actor, "id", actor),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        result=result,
        ip=request.remote_addr if has_request_context() else None,
        request_id=g.get("request_id") if has_request_context() else None,
        details=details,
    )
    session.add(entry)
    return entry
