"""Migrations: one head, a clean round trip from empty, and models that match what the migrations build."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from cryptography.fernet import Fernet
from flask_migrate import downgrade, upgrade
import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

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


@pytest.mark.committing  # compares on a connection of its own, outside the test transaction
def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_rebuilding_the_users_table_keeps_accounts_sessions_and_their_audit_trail(empty_database_url):
    """The lockout columns leave the users table (a rebuild on SQLite): rows pointing at users survive it."""
    app = _app_on(empty_database_url)
    with app.app_context():
        upgrade(revision="5b1e9c7d2a40")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO users (id, phone, display_name, password_hash, locale, is_enabled, failed_login_count, "
                "created_at) VALUES (1, '13800138000', '王阿姨', 'x', 'zh_CN', true, 2, CURRENT_TIMESTAMP)"))
            connection.execute(text(
                "INSERT INTO user_sessions (token_hash, user_id, last_seen_at, created_at) "
                "VALUES ('t', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            connection.execute(text("INSERT INTO audit_entries (actor_id, action, result, occurred_at, details) "
                                    "VALUES (1, 'auth.login', 'success', CURRENT_TIMESTAMP, '{}')"))
        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT display_name FROM users")).scalar_one() == "王阿姨"
            assert connection.execute(text("SELECT COUNT(*) FROM user_sessions WHERE user_id = 1 "
                                           "AND password_verified_at = created_at")).scalar_one() == 1
            assert connection.execute(text("SELECT COUNT(*) FROM audit_entries")).scalar_one() == 1
            assert "locked_until" not in {c["name"] for c in inspect(connection).get_columns("users")}
            if db.engine.dialect.name == "sqlite":  # switched back on after the migration
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        db.engine.dispose()


def test_the_secrets_already_stored_are_encrypted_on_upgrade_and_decrypted_on_downgrade(empty_database_url):
    """A database dump after the upgrade holds tokens the app's key opens; the CHECK that a confirmed
    authenticator has a secret survives the table's rebuild on SQLite."""
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ"
    app = _app_on(empty_database_url)
    with app.app_context():
        upgrade(revision="f4b8c2d6a1e7")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO users (id, phone, display_name, password_hash, locale, is_enabled, created_at) "
                "VALUES (1, '13800138000', '王阿姨', 'x', 'zh_CN', true, CURRENT_TIMESTAMP)"))
            connection.execute(text(
                "INSERT INTO mfa_settings (user_id, secret, confirmed_at, grace_logins_used, created_at) "
                "VALUES (1, :secret, CURRENT_TIMESTAMP, 0, CURRENT_TIMESTAMP)"), {"secret": secret})
        upgrade(revision="a3c7e9b5d1f2")
        stored_secret = text("SELECT secret FROM mfa_settings WHERE user_id = 1")
        with db.engine.connect() as connection:
            stored = connection.execute(stored_secret).scalar_one()
        assert stored != secret
        assert Fernet(app.config["DATA_ENCRYPTION_KEYS"]).decrypt(stored.encode()).decode() == secret
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text("UPDATE mfa_settings SET secret = NULL"))
        downgrade(revision="f4b8c2d6a1e7")
        with db.engine.connect() as connection:
            assert connection.execute(stored_secret).scalar_one() == secret
        db.engine.dispose()
