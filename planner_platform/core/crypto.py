"""Encryption at rest for short secrets, such as the TOTP keys of authenticators (ASVS 8.3.7): Fernet (AES-128-CBC
with an HMAC-SHA256 over it, from the `cryptography` library) under the keys of DATA_ENCRYPTION_KEYS.

The setting lists Fernet keys, comma-separated: the first encrypts, every one decrypts (MultiFernet). To rotate,
put a new key first, run `flask rotate-data-key` (every encrypted column re-encrypted under the first key, one
transaction per batch), then drop the old key. A model declares such a column as `EncryptedString(n)`: its attribute
reads and writes plain strings, and the database holds only the token. A token differs at every write, so the column
can be neither compared nor sorted: queries find the row by another column, and the comparator refuses to try.
"""
import base64

import click
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import Column, String, Table, column, select, table, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator

from planner_platform.core.audit import record_audit
from planner_platform.core.db import Base
from planner_platform.extensions import db

_NEW_KEY = 'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
#: The published development key (config.INSECURE_DATA_ENCRYPTION_KEY) says so in its bytes.
_INSECURE_MARK = b"insecure"


class DataKeyError(RuntimeError):
    """DATA_ENCRYPTION_KEYS is missing or malformed, or none of its keys opens a stored value."""


def parse_keys(setting: str | None) -> list[Fernet]:
    """The Fernet keys of a DATA_ENCRYPTION_KEYS setting, the encrypting one first."""
    keys = [key.strip() for key in (setting or "").split(",") if key.strip()]
    if not keys:
        raise DataKeyError(f"DATA_ENCRYPTION_KEYS must be set: one or more Fernet keys, comma-separated ({_NEW_KEY}).")
    fernets = []
    for position, key in enumerate(keys, 1):
        try:
            fernets.append(Fernet(key))
        except ValueError:
            raise DataKeyError(f"DATA_ENCRYPTION_KEYS: key {position} is not a Fernet key (32 bytes in url-safe "
                               f"base64, 44 characters; {_NEW_KEY}).") from None
    return fernets


def check_data_keys(app: Flask) -> None:
    """At start-up: the keys are well formed, and where strong keys are required (production) none is the
    published development key, which would let anyone with a database dump read the secrets."""
    parse_keys(app.config.get("DATA_ENCRYPTION_KEYS"))
    if app.config["REQUIRE_STRONG_SECRET_KEY"] and any(
            _INSECURE_MARK in base64.urlsafe_b64decode(key.strip())
            for key in app.config["DATA_ENCRYPTION_KEYS"].split(",") if key.strip()):
        raise DataKeyError("DATA_ENCRYPTION_KEYS holds the published development key: outside development and "
                           f"testing every key must be one of your own ({_NEW_KEY}).")


def _keys() -> tuple[Fernet, MultiFernet]:
    """The encrypting key and all keys of the current app, parsed once per value of the setting."""
    setting = current_app.config["DATA_ENCRYPTION_KEYS"]
    cached = current_app.extensions.get("data_keys")
    if cached is None or cached[0] != setting:
        fernets = parse_keys(setting)
        cached = current_app.extensions["data_keys"] = (setting, fernets[0], MultiFernet(fernets))
    return cached[1], cached[2]


def encrypt(text: str) -> str:
    """A token of `text` under the first key."""
    return _keys()[1].encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The text of a token made under any of the keys; DataKeyError if none opens it."""
    try:
        return _keys()[1].decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        raise DataKeyError("A stored secret cannot be decrypted with any key of DATA_ENCRYPTION_KEYS: the key it was "
                           "encrypted with is missing (add it back, after the current one) or the value was "
                           "altered.") from None


def reencrypted(token: str) -> str | None:
    """The token again under the first key, or None if it already is under it."""
    first, every = _keys()
    try:
        first.decrypt(token.encode("ascii"))
        return None
    except InvalidToken:
        pass
    decrypt(token)  # the clear error when no key opens it
    return every.rotate(token.encode("ascii")).decode("ascii")


def token_length(max_bytes: int) -> int:
    """The length of a Fernet token of at most `max_bytes` bytes of text: version, time, IV, padded ciphertext and
    HMAC, in url-safe base64."""
    raw = 1 + 8 + 16 + (max_bytes // 16 + 1) * 16 + 32
    return 4 * -(-raw // 3)


class EncryptedString(TypeDecorator):
    """A string encrypted at rest: `EncryptedString(64)` holds up to 64 bytes of UTF-8 text, stored as its Fernet
    token in a VARCHAR long enough for it. Only IS NULL / IS NOT NULL may be asked of the column."""

    impl = String
    cache_ok = True

    class comparator_factory(TypeDecorator.Comparator):
        _ALLOWED = (operators.is_, operators.is_not)

        def operate(self, op, *other, **kwargs):
            self._refuse(op)
            return super().operate(op, *other, **kwargs)

        def reverse_operate(self, op, other, **kwargs):
            self._refuse(op)
            return super().reverse_operate(op, other, **kwargs)

        def _refuse(self, op):
            if op not in self._ALLOWED:
                raise TypeError(f"{self.expr} is encrypted (a new token at every write): it cannot be compared, "
                                "searched or sorted; find the row by another column.")

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        super().__init__(token_length(max_bytes))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if len(value.encode()) > self.max_bytes:
            raise ValueError(f"at most {self.max_bytes} bytes fit in this encrypted column")
        return encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)


def encrypted_columns() -> list[tuple[Table, Column]]:
    """Every EncryptedString column of the models, with its table."""
    return [(model_table, model_column) for model_table in Base.metadata.sorted_tables
            for model_column in model_table.columns if isinstance(model_column.type, EncryptedString)]


def reencrypt_batch(session: Session, model_table: Table, model_column: Column, *, after, size: int):
    """Re-encrypt under the first key the next `size` values of a column (by primary key, after `after`; None
    starts at the beginning). Returns the last primary key read (None when there was none left), how many values
    changed, and the primary keys of the values no key opens (left as they are). The caller commits: one
    transaction per batch."""
    [key] = model_table.primary_key.columns
    raw = table(model_table.name, column(key.name), column(model_column.name, String()))
    pk, value = raw.c[key.name], raw.c[model_column.name]
    query = select(pk, value).where(value.is_not(None)).order_by(pk).limit(size)
    rows = session.execute(query if after is None else query.where(pk > after)).all()
    changed, unreadable = 0, []
    for row_id, token in rows:
        try:
            new = reencrypted(token)
        except DataKeyError:
            unreadable.append(row_id)
            continue
        if new is not None:
            # Only if it still holds the token read: a value written meanwhile is under the first key already.
            changed += session.execute(update(raw).where(pk == row_id, value == token).values(
                {model_column.name: new})).rowcount
    return (rows[-1][0] if rows else None), changed, unreadable


def _unreadable_message(name: str, key: str, ids: list) -> str:
    shown = ", ".join(str(row_id) for row_id in ids[:10]) + (", …" if len(ids) > 10 else "")
    return (f"{name}: {len(ids)} {'row' if len(ids) == 1 else 'rows'} cannot be decrypted with any key of "
            f"DATA_ENCRYPTION_KEYS ({key} {shown}); left unchanged. Add the key they were encrypted with back to "
            f"DATA_ENCRYPTION_KEYS, after the first, and run rotate-data-key again (or, if the values were altered, "
            f"reset those authenticators).")


@click.command("rotate-data-key")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(min=1))
@with_appcontext
def rotate_data_key_command(batch_size: int):
    """Re-encrypt every encrypted value under the first key of DATA_ENCRYPTION_KEYS; afterwards the other keys can
    be dropped. One transaction per batch: safe to stop and run again. A value no key opens is left as it is,
    named (table, column, how many rows) at the end, and the command exits with status 1."""
    total, unreadable_total, problems = 0, 0, []
    for model_table, model_column in encrypted_columns():
        after, changed_here, unreadable_here = None, 0, []
        while True:
            after, changed, unreadable = reencrypt_batch(db.session, model_table, model_column, after=after,
                                                         size=batch_size)
            db.session.commit()
            changed_here += changed
            unreadable_here += unreadable
            if after is None:
                break
        name = f"{model_table.name}.{model_column.name}"
        click.echo(f"{name}: {changed_here} re-encrypted under the first key.")
        if unreadable_here:
            [key] = model_table.primary_key.columns
            problems.append(_unreadable_message(name, key.name, unreadable_here))
            unreadable_total += len(unreadable_here)
        total += changed_here
    record_audit(db.session, "ops.data_key_rotated", values=total,
                 **({"unreadable": unreadable_total} if problems else {}), result="failure" if problems else "success")
    db.session.commit()
    if problems:
        for problem in problems:
            click.echo(f"Error: {problem}", err=True)
        raise click.exceptions.Exit(1)
