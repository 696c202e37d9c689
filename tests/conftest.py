"""Test fixtures: one migrated database per run (SQLite file or a fresh PostgreSQL database), each test rolled back.

TEST_DATABASE_URL=postgresql+psycopg://127.0.0.1/postgres runs the suite on a new database created next to the
one named (and dropped afterwards); without it the suite runs on a temporary SQLite file.

Isolation: every test runs inside one outer transaction on one connection, rolled back when it ends. The app's
sessions (db.session, in the test's thread, of any app on the test database) join that connection with
join_transaction_mode="create_savepoint", so the code's own commit() and rollback() release or roll back a
SAVEPOINT and nothing a test writes survives it. Tests whose writes must be seen by another connection (a real
Celery worker, the browser tests' live server, racing threads, a raw engine connection, migrations on
`empty_database_url`) are marked `committing` (explicitly, or by using one of COMMITTING_FIXTURES): they commit
for real and the database is emptied after them, as every test used to be.
"""
import os
import re
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pyotp
import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from config import TestingConfig
from planner_platform import create_app
from planner_platform.accounts.demo import DEMO_TOTP_SECRET
from planner_platform.accounts.models import MfaSettings, Role, RoleGrant, User
from planner_platform.accounts.passwords import hash_password
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core import db as core_db
from planner_platform.extensions import db
from planner_platform.shell.seed import seed_demo_command

IN_CI = os.environ.get("CI") == "true"
PASSWORD = "Correct-Horse-Battery"
_PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: scrypt is deliberately slow


def local_date() -> date:
    """Today in the deployment's time zone, without an app context (core.calendar.local_today() needs one)."""
    return core_db.utcnow().astimezone(ZoneInfo(TestingConfig.BABEL_DEFAULT_TIMEZONE)).date()


def require_service(available: bool, what: str) -> None:
    """Skip when a service is missing on a developer machine; in CI a missing service is a failure."""
    if not available:
        if IN_CI:
            pytest.fail(f"{what} is required in CI but is not available")
        pytest.skip(f"{what} is not available")


@contextmanager
def _new_database(tmp_dir: Path):
    """Yield the URL of a new, empty database of the kind TEST_DATABASE_URL names (SQLite without it)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_dir / f'{uuid.uuid4().hex[:8]}.db'}"
        return
    url = make_url(base)
    name = f"planner_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with _new_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture
def empty_database_url(tmp_path):
    """A second, empty database for tests that migrate from scratch."""
    with _new_database(tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        MESSAGE_FILE_DIR = str(tmp_path_factory.mktemp("messages"))

    app = create_app(Config)
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory):
    """A second app on a database of its own holding the demo city, seeded once for the whole run (twice in fact:
    the second run must change nothing) and committed. Seeding takes a minute, so tests that read the demo city
    share this one; they may log in and crawl, but must not count on rows they write staying unseen by others."""
    with _new_database(tmp_path_factory.mktemp("demo")) as url:
        class Config(TestingConfig):
            SQLALCHEMY_DATABASE_URI = url
            MESSAGE_FILE_DIR = str(tmp_path_factory.mktemp("demo-messages"))

        demo = create_app(Config)
        with demo.app_context():
            upgrade()
        runner = demo.test_cli_runner()
        demo.config["DEMO_SEED_OUTPUTS"], demo.config["DEMO_SEED_ROWS"] = [], []
        for _ in range(2):
            result = runner.invoke(seed_demo_command)
            assert result.exit_code == 0, result.output
            demo.config["DEMO_SEED_OUTPUTS"].append(result.output)
            with demo.app_context():
                demo.config["DEMO_SEED_ROWS"].append({table.name: db.session.scalar(
                    select(func.count()).select_from(table)) for table in db.metadata.sorted_tables})
        yield demo
        with demo.app_context():
            db.session.remove()
            db.engine.dispose()


def _truncate_all(tables) -> None:
    """TRUNCATE every table (it fires no row triggers, so the append-only audit table empties too). A request the
    browser left in flight (a map's fetch as its page closed) may still be reading, locking tables in another order:
    PostgreSQL then ends one side as a deadlock, and when that is the clean-up, it waits a moment and goes again."""
    names = ", ".join(f'"{t.name}"' for t in tables)
    for attempt in range(3):
        try:
            with db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        except OperationalError as error:
            if attempt == 2 or "deadlock detected" not in str(error):
                raise
            time.sleep(0.5)


def _empty_database(app) -> None:
    with app.app_context():
        db.session.remove()
        tables = list(reversed(db.metadata.sorted_tables))
        if db.engine.dialect.name == "postgresql":
            _truncate_all(tables)
            return
        with db.engine.begin() as connection:
            # SQLite has no TRUNCATE: lift the append-only triggers for the clean-up, then put them back.
            triggers = connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
            for name, _sql in triggers:
                connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
            for table in tables:
                # Rows referenced by rows of the same table (a parent place, a renewed term) are RESTRICTed:
                # delete the leaves first, round after round.
                for fk in (fk for fk in table.foreign_keys if fk.column.table is table):
                    column = fk.parent.name
                    while connection.exec_driver_sql(
                            f"DELETE FROM {table.name} WHERE id NOT IN (SELECT {column} FROM {table.name} "
                            f"WHERE {column} IS NOT NULL)").rowcount:
                        pass
                connection.execute(table.delete())
            for _name, sql in triggers:
                connection.exec_driver_sql(sql)


#: Fixtures whose tests commit for real: their rows are read by other threads, processes or databases.
COMMITTING_FIXTURES = {"empty_database_url", "live_server", "web", "worker_factory"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if COMMITTING_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.committing)


@contextmanager
def _rolled_back(app, monkeypatch):
    """Run the block inside one outer transaction that is rolled back at the end; the sessions of this thread
    on the test database join it, each commit() of theirs releasing a SAVEPOINT."""
    with app.app_context():
        engine = db.engine
    connection = engine.connect()
    outer = connection.begin()  # on SQLite a BEGIN IMMEDIATE (core.db): other connections wait for the lock
    thread = threading.current_thread()
    session_class = db.session.session_factory.class_
    own_bind = session_class.get_bind

    def get_bind(session, *args, **kwargs):
        bind = own_bind(session, *args, **kwargs)
        joins = threading.current_thread() is thread and bind.url == engine.url
        return connection if joins else bind

    monkeypatch.setattr(session_class, "get_bind", get_bind)
    monkeypatch.setitem(db.session.session_factory.kw, "join_transaction_mode", "create_savepoint")
    try:
        yield
    finally:
        outer.rollback()
        connection.close()


@pytest.fixture(autouse=True)
def _isolated_database(app, request, monkeypatch):
    app.extensions.pop("sent_messages", None)
    if request.node.get_closest_marker("committing"):
        yield
        _empty_database(app)
        return
    with _rolled_back(app, monkeypatch):
        yield


@pytest.fixture
def clock(monkeypatch):
    """clock(moment) stops the platform's clock at `moment` (an aware datetime, in any zone) until the test ends."""

    def stop_at(moment: datetime) -> None:
        utc = moment.astimezone(timezone.utc)  # the clock reads UTC, as the system clock does
        monkeypatch.setattr(core_db, "clock", lambda: utc)

    return stop_at


@pytest.fixture
def ctx(app):
    """An app context for tests that use the models directly."""
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


def fresh_copy(app, model, row_id: int):
    """The row as the database holds it now, detached, to read without an app context."""
    with app.app_context():
        row = db.session.get(model, row_id)
        _detached(app, row)
        return row


def _detached(app, *objects):
    """Load every column, then detach, so tests can read ids and fields without holding an app context.

    Tests must not keep an app context open around client requests: the requests would share its `g`
    (and so the logged-in user) and its database session.
    """
    for obj in objects:
        db.session.refresh(obj)
    db.session.expunge_all()


@pytest.fixture
def places(app):
    """A small city: two districts, each with one sub-district of two communities, keyed by code."""
    created = {}

    def add(code, name, level, parent=None):
        place = Place(code=code, name=name, level=level, parent=parent, population=5000, households=2000)
        db.session.add(place)
        db.session.flush()
        place.path = f"{parent.path if parent else '/'}{place.id}/"
        created[code] = place
        return place

    with app.app_context():
        city = add("C", "江城市", PlaceLevel.city)
        for d in ("D1", "D2"):
            district = add(d, f"{d}区", PlaceLevel.district, city)
            sub = add(f"{d}S1", f"{d}街道", PlaceLevel.subdistrict, district)
            for n in (1, 2):
                add(f"{d}S1C{n}", f"{d}社区{n}", PlaceLevel.community, sub)
        db.session.commit()
        _detached(app, *created.values())
    return created


_phone_counter = iter(range(10_000_000, 99_999_999))


@pytest.fixture
def make_user(app, places):
    """make_user(Role.planner, "D1") → a committed user holding that role over the place with that code; staff
    have two-step verification on (`mfa=False` leaves it off, `mfa=True` turns it on for anyone)."""

    def make(role: Role | None = None, place_code: str | None = None, *, mfa: bool | None = None,
             **fields) -> User:
        fields.setdefault("phone", f"139{next(_phone_counter)}")
        fields.setdefault("display_name", f"{role.value if role else 'user'}-{fields['phone'][-4:]}")
        with app.app_context():
            user = User(password_hash=_PASSWORD_HASH, **fields)
            db.session.add(user)
            db.session.flush()
            if role:
                db.session.add(RoleGrant(user_id=user.id, role=role, place_id=places[place_code].id))
            if mfa if mfa is not None else bool(role and role.is_staff):
                # Staff must have an authenticator (after a grace login): they get the one login() knows.
                db.session.add(MfaSettings(user_id=user.id, secret=DEMO_TOTP_SECRET, confirmed_at=core_db.utcnow(),
                                           grace_logins_used=0))
            db.session.commit()
            _detached(app, user)
        return user

    return make


def csrf_token_from(html: bytes) -> str:
    match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        rb'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1).decode()


def version_from(html: bytes) -> str | None:
    """The record version a page's forms carry (optimistic locking), if it shows one."""
    field = re.search(rb'<input[^>]*name="version"[^>]*>', html)
    value = re.search(rb'value="([^"]*)"', field.group(0)) if field else None
    return value.group(1).decode() if value else None


def submit(client, url: str, data: dict, *, form_url: str | None = None, **kwargs):
    """POST a form the way a browser does: fetch the page first and send back its CSRF token and the version of
    the record it shows (unless `data` says which version to send)."""
    page = client.get(form_url or url)
    hidden = {"csrf_token": csrf_token_from(page.data)}
    if (version := version_from(page.data)) is not None:
        hidden["version"] = version
    return client.post(url, data={**hidden, **data}, **kwargs)


def totp_code(app, phone: str) -> str:
    """A code of the account's authenticator that the platform has not yet accepted.

    A code is accepted once per 30-second step, with one step of drift either way. The suite logs some people in
    more often than the steps allow, so then this forgets the last step accepted (the replay guard itself is tested
    in tests/test_mfa.py)."""
    with app.app_context():
        settings = db.session.scalar(select(MfaSettings).join(User, User.id == MfaSettings.user_id)
                                     .where(User.phone == phone))
        totp = pyotp.TOTP(settings.secret)
        current = totp.timecode(core_db.utcnow())
        # Not the step before now: the clock may pass a step boundary before the code is checked.
        steps = [step for step in (current, current + 1)
                 if settings.last_counter is None or step > settings.last_counter]
        if not steps:
            settings.last_counter = None
            db.session.commit()
            steps = [current]
        return totp.generate_otp(steps[0])


def login(client, user: User, password: str = PASSWORD):
    """Log in as a browser does: the password, then, for an account with an authenticator, a code from it."""
    response = submit(client, "/accounts/login", {"login": user.phone, "password": password})
    assert response.status_code == 302, response.data.decode()[:2000]
    if response.headers["Location"] == "/accounts/login/code":
        response = submit(client, "/accounts/login/code", {"code": totp_code(client.application, user.phone)})
        assert response.status_code == 302, response.data.decode()[:2000]
    return response


@pytest.fixture
def login_as(client):
    def do(user):
        login(client, user)
        return client

    return do
