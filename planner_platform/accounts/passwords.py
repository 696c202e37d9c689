"""Password hashing and the password policy: length and a deny-list, no composition rules (ASVS 2.1)."""
import re
from functools import cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

MAX_LENGTH = 128
_COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def verify_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


@cache
def _common_passwords() -> frozenset[str]:
    lines = _COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _is_guessable(password: str, personal: list[str]) -> bool:
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(password)) <= 2:
        return True
    if re.fullmatch(r"\d+", password) and (password in "01234567890123456789" or password in "98765432109876543210"):
        return True
    return any(item and len(item) >= 4 and item.lower() in lowered for item in personal)


def password_problems(password: str, *, personal: list[str] | None = None) -> list[str]:
    """Why `password` is not acceptable (empty if it is); `personal` holds the phone, email and name."""
    min_length = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < min_length:
        return [_("Use at least %(n)d characters. A phrase that is easy for you to remember works well.",
                  n=min_length)]
    if len(password) > MAX_LENGTH:
        return [_("Use at most %(n)d characters.", n=MAX_LENGTH)]
    if _is_guessable(password, personal or []):
        return [_("This password is too common or too easy to guess. Please choose another.")]
    return []
