"""Secrets at rest (core/crypto.py): a database dump holds no TOTP key, only tokens the app's keys open; a key is
rotated by putting a new one first and running `flask rotate-data-key`; a missing or wrong key fails loudly."""
import re

import pyotp
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from config import TestingConfig
from planner_platform import create_app
from planner_platform.accounts.demo import DEMO_TOTP_SECRET
from planner_platform.accounts.models import MfaSettings, Role
from planner_platform.core.audit import AuditEntry
from planner_platform.core.crypto import DataKeyError, rotate_data_key_command
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from tests.conftest import PASSWORD, login, submit


def _stored(app, user_id) -> str:
    """The secret column as a database dump shows it: a plain SQL select, past the model."""
    with app.app_context():
        return db.session.execute(text("SELECT secret FROM mfa_settings WHERE user_id = :user"),
                                  {"user": user_id}).scalar_one()


def _logs_in(app, user) -> bool:
    client = app.test_client()
    login(client, user)
    return client.get("/accounts/profile").status_code == 200


def _rotate(app, *args):
    result = app.test_cli_runner().invoke(rotate_data_key_command, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_an_enrolled_secret_is_stored_encrypted_and_the_code_from_it_logs_in(app, client, make_user):
    resident = make_user(Role.resident, "D1S1C1")
    login(client, resident)
    page = client.get("/accounts/two-factor").get_data(as_text=True)
    secret = re.search(r'id="mfa-secret"[^>]*>([A-Z2-7]+)<', page).group(1)
    assert submit(client, "/accounts/two-factor", {"code": pyotp.TOTP(secret).at(utcnow())}).status_code == 200
    stored = _stored(app, resident.id)
    assert secret not in stored and not re.fullmatch(r"[A-Z2-7=]+", stored)
    assert Fernet(app.config["DATA_ENCRYPTION_KEYS"]).decrypt(stored.encode()).decode() == secret
    assert _logs_in(app, resident)


def test_after_a_new_first_key_old_rows_still_open_and_the_rotation_lets_the_old_key_go(app, make_user, monkeypatch):
    old = app.config["DATA_ENCRYPTION_KEYS"]
    new = Fernet.generate_key().decode()
    staff = [make_user(Role.district_staff, "D1") for _ in range(3)]
    before = {person.id: _stored(app, person.id) for person in staff}

    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEYS", f"{new},{old}")
    assert _logs_in(app, staff[0])  # encrypted under the old key, read with it
    output = _rotate(app, "--batch-size", "2")  # two batches of two, then one
    assert "mfa_settings.secret: 3 re-encrypted" in output
    after = {person.id: _stored(app, person.id) for person in staff}
    for person in staff:
        assert after[person.id] != before[person.id]
        assert Fernet(new).decrypt(after[person.id].encode()).decode() == DEMO_TOTP_SECRET
    assert "mfa_settings.secret: 0 re-encrypted" in _rotate(app)  # run again: nothing left under the old key
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.details).where(AuditEntry.action == "ops.data_key_rotated")
                                 .order_by(AuditEntry.id)) == {"values": 3}

    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEYS", new)  # the old key dropped
    assert all(_logs_in(app, person) for person in staff)


def test_a_secret_no_configured_key_opens_is_a_clear_error(app, make_user, monkeypatch, caplog):
    staff = make_user(Role.district_staff, "D1")
    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEYS", Fernet.generate_key().decode())
    with app.app_context(), pytest.raises(DataKeyError, match="cannot be decrypted with any key of DATA_ENCRYPTION"):
        db.session.scalar(select(MfaSettings.secret).where(MfaSettings.user_id == staff.id))
    # The login fails loudly, as a server error whose log names the setting, not as "the code is not correct".
    response = submit(app.test_client(), "/accounts/login", {"login": staff.phone, "password": PASSWORD})
    assert response.status_code == 500
    assert any(isinstance(record.exc_info and record.exc_info[1], DataKeyError) for record in caplog.records)


def test_the_rotation_names_the_values_no_key_opens_and_fails_without_a_traceback(app, make_user, monkeypatch):
    """A key dropped too early: the values it encrypted are named (table, column, how many, which rows) and left as
    they are, every other value is rotated, and the command exits with status 1, not with a traceback."""
    lost, old, new = (app.config["DATA_ENCRYPTION_KEYS"], Fernet.generate_key().decode(),
                      Fernet.generate_key().decode())
    orphans = [make_user(Role.district_staff, "D1") for _ in range(2)]  # encrypted under the key that is lost
    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEYS", old)
    kept = [make_user(Role.district_staff, "D1") for _ in range(3)]
    before = {person.id: _stored(app, person.id) for person in orphans + kept}

    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEYS", f"{new},{old}")
    result = app.test_cli_runner().invoke(rotate_data_key_command, ["--batch-size", "2"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert "mfa_settings.secret: 3 re-encrypted under the first key." in result.output
    with app.app_context():
        ids = sorted(db.session.scalars(select(MfaSettings.id).where(
            MfaSettings.user_id.in_([person.id for person in orphans]))))
    assert (f"Error: mfa_settings.secret: 2 rows cannot be decrypted with any key of DATA_ENCRYPTION_KEYS "
            f"(id {ids[0]}, {ids[1]}); left unchanged.") in result.output
    for person in orphans:
        assert _stored(app, person.id) == before[person.id]  # untouched, for the day the key is found
    for person in kept:
        assert Fernet(new).decrypt(_stored(app, person.id).encode()).decode() == DEMO_TOTP_SECRET
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "ops.data_key_rotated")).one()
        assert (entry.result, entry.details) == ("failure", {"values": 3, "unreadable": 2})

    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEYS", f"{new},{old},{lost}")  # the lost key found again
    assert "mfa_settings.secret: 2 re-encrypted" in _rotate(app)


@pytest.mark.parametrize("keys, message", [
    ("", "DATA_ENCRYPTION_KEYS must be set"),
    ("not-a-key", "key 1 is not a Fernet key"),
    (f"{Fernet.generate_key().decode()}, short", "key 2 is not a Fernet key"),
])
def test_every_configuration_refuses_missing_or_malformed_keys(keys, message):
    class Config(TestingConfig):
        DATA_ENCRYPTION_KEYS = keys

    with pytest.raises(DataKeyError, match=message):
        create_app(Config)


def test_queries_cannot_filter_or_sort_on_an_encrypted_column():
    """A token differs at every write: an equality would silently match nothing."""
    with pytest.raises(TypeError, match="is encrypted"):
        MfaSettings.secret == DEMO_TOTP_SECRET  # noqa: B015
    with pytest.raises(TypeError, match="is encrypted"):
        select(MfaSettings.id).order_by(MfaSettings.secret.desc())
    assert "IS NOT NULL" in str(select(MfaSettings.id).where(MfaSettings.secret.is_not(None)))
