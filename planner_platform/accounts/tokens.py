"""Random one-time tokens and codes; only their hashes are stored, so a database leak reveals no usable link."""
import hashlib
import hmac
import secrets

from flask import current_app


def new_token() -> tuple[str, str]:
    """A fresh (token, token_hash) pair."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_hash(*parts: str) -> str:
    """HMAC-SHA256 under the SECRET_KEY, for short secrets and contact details: a plain hash of a 6-digit code
    or of a phone number is reversed by trying every value, an HMAC not without the key."""
    message = "\x1f".join(parts).encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).hexdigest()


def new_code(digits: int = 6) -> str:
    return f"{secrets.randbelow(10 ** digits):0{digits}d}"
