"""Pooled connections: one the server dropped while it sat idle is replaced before it serves, and one given
back a moment ago serves without a round trip first (core/db.py, PING_AFTER_IDLE_SECONDS)."""
import psycopg
import pytest
from sqlalchemy import create_engine, text

from planner_platform.core import db as core_db


@pytest.fixture
def engine(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's connections are files: the server cannot drop them")
    engine = create_engine(database_url, pool_size=1)
    yield engine
    engine.dispose()


def _backend(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(text("SELECT pg_backend_pid()"))


def test_a_connection_dropped_while_idle_is_replaced(engine, monkeypatch):
    first = _backend(engine)
    with psycopg.connect(engine.url.render_as_string(hide_password=False).replace("+psycopg", ""),
                         autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (first,))
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if it had sat idle for a while
    assert _backend(engine) != first  # answered on a new connection, no error


def test_a_connection_given_back_a_moment_ago_serves_without_a_ping(engine, monkeypatch):
    _backend(engine)
    pings = []
    monkeypatch.setattr(engine.dialect, "do_ping", pings.append)
    _backend(engine)
    assert pings == []
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE_SECONDS", 0.0)
    _backend(engine)
    assert len(pings) == 1
