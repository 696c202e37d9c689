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
    engine = create_engine(database_url, pool_size=2)
    yield engine
    engine.dispose()


def _terminate(engine, *backends) -> None:
    with psycopg.connect(engine.url.render_as_string(hide_password=False).replace("+psycopg", ""),
                         autocommit=True) as admin:
        for backend in backends:
            admin.execute("SELECT pg_terminate_backend(%s)", (backend,))


def _backend(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(text("SELECT pg_backend_pid()"))


def test_connections_dropped_while_idle_are_replaced_all_at_once(engine, monkeypatch):
    """A server restart drops every pooled connection: the first request after it, and the next, are answered on
    new connections, whichever idle one each would have been given."""
    with engine.connect() as one, engine.connect() as two:  # the pool now keeps two connections
        old = {one.scalar(text("SELECT pg_backend_pid()")), two.scalar(text("SELECT pg_backend_pid()"))}
    _terminate(engine, *old)
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if they had sat idle for a while
    with engine.connect() as one, engine.connect() as two:  # no error on either
        now = {one.scalar(text("SELECT pg_backend_pid()")), two.scalar(text("SELECT pg_backend_pid()"))}
    assert not now & old


def test_a_connection_given_back_a_moment_ago_serves_without_a_ping(engine, monkeypatch):
    _backend(engine)
    pings = []
    monkeypatch.setattr(core_db, "_ping", pings.append)
    _backend(engine)
    assert pings == []
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE_SECONDS", 0.0)
    _backend(engine)
    assert len(pings) == 1
