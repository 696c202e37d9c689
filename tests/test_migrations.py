"""Migrations: one head, a clean round trip from empty, and models that match what the migrations build."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from config import TestingConfig
from planner_platform import create_app
from planner_platform.extensions import db, migrate


def _app_on(url):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url

    return create_app(Config)


def test_there_is_a_single_head(app):
    with app.app_context():
        config = migrate.get_config()
        assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgrade_downgrade_upgrade_from_an_empty_database(empty_database_url):
    app = _app_on(empty_database_url)
    with app.app_context():
        upgrade()
        assert "audit_entries" in inspect(db.engine).get_table_names()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert {"places", "users", "role_grants", "audit_entries"} <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
