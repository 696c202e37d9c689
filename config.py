"""Configuration classes, read from the environment (never from FLASK_ENV).

Pick one with APP_CONFIG=development|testing|production; `make run` uses development.
"""
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _celery_settings(redis_url: str | None) -> dict:
    """Celery settings; without a broker, tasks run in-process (the embedded default)."""
    settings = {
        "task_serializer": "json",
        "accept_content": ["json"],
        "result_serializer": "json",
        # No result backend: web processes must never block on Redis for results (TOOLING.md §3c).
        "task_ignore_result": True,
        "broker_connection_retry_on_startup": True,
        "timezone": "Asia/Shanghai",
        "enable_utc": True,
    }
    if redis_url:
        settings.update(
            broker_url=redis_url,
            # A hung Redis must fail fast instead of blocking a request forever (TOOLING.md §3c).
            broker_connection_timeout=2,
            broker_transport_options={"socket_connect_timeout": 2, "socket_timeout": 2, "max_retries": 0,
                                      "visibility_timeout": 3600},
            task_publish_retry=False,
        )
    else:
        settings.update(task_always_eager=True, task_eager_propagates=True, broker_url="memory://")
    return settings


class BaseConfig:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    #: Refuse to start with a short or placeholder SECRET_KEY (CVE-2023-27524); only dev and tests relax it.
    REQUIRE_STRONG_SECRET_KEY = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'planner.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL") or None
    CELERY = _celery_settings(REDIS_URL)

    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh_CN": "中文", "en": "English"}

    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 10 * 1024 * 1024)
    WTF_CSRF_TIME_LIMIT = 3600

    SESSION_COOKIE_NAME = "pp_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    #: Server-side session limits (SECURITY.md §3: idle 30 min residents / 15 min staff, absolute 12 h).
    SESSION_IDLE_MINUTES_RESIDENT = _env_int("SESSION_IDLE_MINUTES_RESIDENT", 30)
    SESSION_IDLE_MINUTES_STAFF = _env_int("SESSION_IDLE_MINUTES_STAFF", 15)
    SESSION_ABSOLUTE_HOURS = _env_int("SESSION_ABSOLUTE_HOURS", 12)

    #: Account lockout: this many failures within the window lock the account for LOGIN_LOCK_MINUTES.
    LOGIN_MAX_FAILURES = _env_int("LOGIN_MAX_FAILURES", 5)
    LOGIN_FAILURE_WINDOW_MINUTES = _env_int("LOGIN_FAILURE_WINDOW_MINUTES", 15)
    LOGIN_LOCK_MINUTES = _env_int("LOGIN_LOCK_MINUTES", 15)
    #: Per-IP throttle on the login and registration forms (Flask-Limiter syntax).
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "30 per minute")
    PASSWORD_MIN_LENGTH = _env_int("PASSWORD_MIN_LENGTH", 10)
    PASSWORD_RESET_TTL_MINUTES = _env_int("PASSWORD_RESET_TTL_MINUTES", 30)
    INVITATION_TTL_HOURS = _env_int("INVITATION_TTL_HOURS", 72)
    PRIVACY_POLICY_VERSION = os.environ.get("PRIVACY_POLICY_VERSION", "2026-11")

    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    # The per-IP throttle falls back to process memory while Redis is down; the per-account lockout lives in the
    # database and keeps working either way.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_HEADERS_ENABLED = False

    #: Where one-time codes and links go: "console" logs them, "file" appends them to MESSAGE_FILE_DIR.
    MESSAGE_BACKEND = os.environ.get("MESSAGE_BACKEND", "console")
    MESSAGE_FILE_DIR = os.environ.get("MESSAGE_FILE_DIR", str(BASE_DIR / "instance" / "messages"))

    #: Tile URL for maps; empty means boundaries are drawn without any tile server (closed networks).
    MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")


class DevelopmentConfig(BaseConfig):
    # A fixed key is tolerable only here: development data is throwaway demo data.
    REQUIRE_STRONG_SECRET_KEY = False
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"


class TestingConfig(BaseConfig):
    TESTING = True
    REQUIRE_STRONG_SECRET_KEY = False
    SECRET_KEY = "testing-key-not-secret-testing-key-not-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SESSION_COOKIE_SECURE = False
    MESSAGE_BACKEND = "memory"
    LOGIN_RATE_LIMIT = "1000 per minute"
    RATELIMIT_STORAGE_URI = "memory://"


class ProductionConfig(BaseConfig):
    pass


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[BaseConfig]:
    """The config class named by APP_CONFIG (default: production, so a forgotten setting fails safe)."""
    name = os.environ.get("APP_CONFIG", "production")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"APP_CONFIG must be one of {sorted(CONFIGS)}, not {name!r}") from None
