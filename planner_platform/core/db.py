"""Declarative base with stable constraint names, and the platform's one clock (UTC)."""
import time
from collections.abc import Callable
from datetime import datetime, timezone

from sqlalchemy import BigInteger, DateTime, Enum, Integer, MetaData, any_, event, literal
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import Pool
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _system_clock() -> datetime:
    return datetime.now(timezone.utc)  # noqa: TID251  (the one place that reads the system clock)


#: The platform's one clock: every "now" (utcnow) and "today" (core.calendar.local_today) is read from it. Tests
#: stop it at a moment of their choosing by replacing it (tests/conftest.py `clock`); application code never does.
clock: Callable[[], datetime] = _system_clock


#: SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit key for busy tables.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    """Now, timezone-aware UTC."""
    return clock()


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every engine (SQLite drops the offset, so we put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def string_enum(cls, name: str) -> Enum:
    """An enum stored as its value in a VARCHAR with a CHECK constraint (portable; adding a value is a migration
    of the constraint, not an ALTER TYPE). `name` must be unique per table: it names the CHECK."""
    return Enum(cls, name=name, native_enum=False, create_constraint=True, length=24)


def insert_for(session: Session, model):
    """An INSERT of `model` with the ON CONFLICT clauses of the session's engine (PostgreSQL or SQLite)."""
    return (pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert)(model)


def among(session: Session, column, ids):
    """`column IN ids` for many integer ids: on PostgreSQL one array parameter (`= ANY(...)`), a statement of the
    same text whatever their number, where an IN list of thousands is rendered, sent and parsed anew each time; IN
    on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(list(ids), ARRAY(BigInteger)))
    return column.in_(list(ids))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite enforces foreign keys only when asked; WAL and a busy timeout let readers and a writer coexist."""
    if type(dbapi_connection).__module__ == "sqlite3":
        # The driver's own transaction handling skips BEGIN before SAVEPOINT, so a released savepoint would
        # commit for real; SQLAlchemy's recipe: turn it off and begin transactions ourselves (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


#: A pooled connection unused for longer than this is tried (one round trip) before it serves again, and replaced
#: if the server dropped it meanwhile (a restart, a firewall, idle_session_timeout). One given back a moment ago,
#: as on a busy worker, serves as it is: SQLAlchemy's pool_pre_ping would try it too, a round trip every request.
PING_AFTER_IDLE_SECONDS = 10.0


@event.listens_for(Pool, "checkin")
def _note_idle_from(dbapi_connection, connection_record) -> None:
    connection_record.info["idle_from"] = time.monotonic()


def _ping(dbapi_connection) -> None:
    """One round trip; the connection is left as it was found (no transaction open)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("SELECT 1")
    cursor.close()
    dbapi_connection.rollback()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection, connection_record, connection_proxy) -> None:
    """Before a connection that sat in the pool serves: is it still there? If the server dropped it, it most
    likely dropped every connection as old (a restart): the pool throws them all away and this checkout takes a
    new one, as pool_pre_ping does (SQLite's connections are files: nothing to ask)."""
    idle_from = connection_record.info.get("idle_from")  # None: a new connection
    if (idle_from is None or time.monotonic() - idle_from < PING_AFTER_IDLE_SECONDS
            or type(dbapi_connection).__module__ == "sqlite3"):
        return
    try:
        _ping(dbapi_connection)
    except Exception as error:  # the driver's own error (any driver): the connection is gone
        raise InvalidatePoolError() from error


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(connection):
    """Take SQLite's write lock up front: a read-then-write transaction then waits its turn instead of failing
    with SQLITE_BUSY halfway, and check-then-act sequences are atomic (SECURITY.md §5)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
