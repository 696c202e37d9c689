"""Random one-time tokens; only their SHA-256 is stored, so a database leak reveals no usable link."""
import hashlib
import secrets


def new_token() -> tuple[str, str]:
    """A fresh (token, token_hash) pair."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
