"""A throwaway PostgreSQL database with the app migrated into it, for the benchmarks."""
import os
import uuid
from contextlib import contextmanager

from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import TestingConfig
from planner_platform import create_app
from planner_platform.extensions import db


@contextmanager
def migrated_app():
    """An app context on a new database next to BENCH_DATABASE_URL (default: the local PostgreSQL), dropped after."""
    base = make_url(os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    name = f"planner_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        class Config(TestingConfig):
            SQLALCHEMY_DATABASE_URI = base.set(database=name).render_as_string(hide_password=False)

        app = create_app(Config)
        with app.app_context():
            upgrade()
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
