"""Configuration classes, read from the environment (never from FLASK_ENV).

Pick one with APP_CONFIG=development|testing|production; `make run` uses development.
"""
import os
import tempfile
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent


#: The data key of development and tests: the base64 of "dev-only-insecure-data-key-00000", published here, so that
#: `make run` works with nothing set. Production refuses it (planner_platform.core.crypto.check_data_keys).
INSECURE_DATA_ENCRYPTION_KEY = "ZGV2LW9ubHktaW5zZWN1cmUtZGF0YS1rZXktMDAwMDA="


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


#: Periodic jobs, run by exactly one `celery beat`. Later features add their deadline scans here.
BEAT_SCHEDULE = {
    "relay-outbox": {"task": "notifications.relay_outbox", "schedule": 10.0},
    "sweep-deliveries": {"task": "notifications.sweep", "schedule": 60.0},
    "daily-digests": {"task": "notifications.daily_digests", "schedule": crontab(hour=8, minute=0)},
    "weekly-digests": {"task": "notifications.weekly_digests",
                       "schedule": crontab(hour=8, minute=30, day_of_week="mon")},
    "advance-planner-terms": {"task": "planners.advance_terms", "schedule": crontab(hour=0, minute=30)},
    # Before the daily digest, so staff read the day's overdue list in it.
    "proposal-deadlines": {"task": "proposals.daily_deadlines", "schedule": crontab(hour=7, minute=0)},
    "activity-reminders": {"task": "activities.daily_reminders", "schedule": crontab(hour=7, minute=30)},
    "project-milestone-reminders": {"task": "projects.milestone_reminders", "schedule": crontab(hour=7, minute=40)},
    "project-evaluation-reminders": {"task": "projects.evaluation_reminders",
                                     "schedule": crontab(hour=7, minute=45)},
    "purge-account-counters": {"task": "accounts.purge_counters", "schedule": crontab(hour=3, minute=15)},
    # Personal data: due account deletions, staff accounts whose grants ended, the retention schedule (README).
    "privacy-daily": {"task": "accounts.privacy_daily", "schedule": crontab(hour=3, minute=30)},
    # Personal data exports: expired files deleted, stopped builds failed, lost ones sent again.
    "data-export-sweep": {"task": "accounts.sweep_data_exports", "schedule": 300.0},
    # The dashboards' summary tables: what changed shows within a minute (monitoring.refresh).
    "monitoring-refresh": {"task": "monitoring.refresh", "schedule": 60.0},
    # Background exports: expired files deleted, stopped jobs failed, lost ones sent again.
    "monitoring-export-sweep": {"task": "monitoring.sweep_exports", "schedule": 300.0},
    # Team monthly reports: drafted on the 1st (after the night's term changes), reminders before the digests.
    "draft-team-reports": {"task": "reports.draft_team_reports", "schedule": crontab(day_of_month=1, hour=1, minute=0)},
    "team-report-reminders": {"task": "reports.team_report_reminders", "schedule": crontab(hour=7, minute=50)},
    # Sub-district and district reports of the previous month, on each district's report day (policy profile).
    "place-monthly-reports": {"task": "reports.generate_monthly", "schedule": crontab(hour=6, minute=0)},
    # Place reports: expired on-demand files deleted, stopped builds failed, lost ones sent again.
    "place-report-sweep": {"task": "reports.sweep_place_reports", "schedule": 300.0},
}


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
        "beat_schedule": BEAT_SCHEDULE,
        "worker_prefetch_multiplier": 1,
    }
    if redis_url:
        settings.update(
            broker_url=redis_url,
            # A hung Redis must fail fast instead of blocking a request forever (TOOLING.md §3c).
            broker_connection_timeout=2,
            broker_transport_options={"socket_connect_timeout": 2, "socket_timeout": 2, "max_retries": 0,
                                      "visibility_timeout": 3600},
            task_publish_retry=False,
            # Workers and beat keep reconnecting, every 2 s (extensions._PromptlyReconnecting), however long
            # Redis is away: the default gives up after 100 attempts.
            broker_connection_max_retries=None,
        )
    else:
        settings.update(task_always_eager=True, task_eager_propagates=True, broker_url="memory://")
    return settings


class BaseConfig:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    #: Refuse to start with a short or placeholder SECRET_KEY (CVE-2023-27524), or without a data key of one's own
    #: (DATA_ENCRYPTION_KEYS); only dev and tests relax it.
    REQUIRE_STRONG_SECRET_KEY = True
    #: Fernet keys that encrypt secrets at rest (the TOTP keys of authenticators), comma-separated: the first
    #: encrypts, every one decrypts, so a key is rotated by putting a new one first, running `flask rotate-data-key`
    #: and then dropping the old one (README "Data encryption keys").
    DATA_ENCRYPTION_KEYS = os.environ.get("DATA_ENCRYPTION_KEYS", "")
    #: Refuse to start without DATABASE_URL and REDIS_URL: without Redis, tasks would run inside web requests and
    #: every process would keep its own rate limits. Only dev and tests relax it.
    REQUIRE_SERVICES = True
    #: `flask seed-demo` creates an administrator with the published demo password: never where this is False.
    DEMO_SEED_ALLOWED = False
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "")
    # No pool_pre_ping (a round trip before every request): connections idle for a while are tried instead
    # (core/db.py, PING_AFTER_IDLE_SECONDS).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    REDIS_URL = os.environ.get("REDIS_URL") or None
    CELERY = _celery_settings(REDIS_URL)
    #: Without a broker the embedded beat runs the refresh only every minute: the dashboard also brings the marked
    #: summary rows up to date itself before it reads.
    MONITORING_REFRESH_ON_READ = REDIS_URL is None

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

    #: Lockout: this many failures within the window lock the login identifier (an account's phone or email, or
    #: one no account uses: they are treated alike) for LOGIN_LOCK_MINUTES.
    LOGIN_MAX_FAILURES = _env_int("LOGIN_MAX_FAILURES", 5)
    LOGIN_FAILURE_WINDOW_MINUTES = _env_int("LOGIN_FAILURE_WINDOW_MINUTES", 15)
    LOGIN_LOCK_MINUTES = _env_int("LOGIN_LOCK_MINUTES", 15)
    #: Per-IP throttle on the login and registration forms (Flask-Limiter syntax).
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "30 per minute")
    #: Per-IP throttle on writing proposals, comments, supports and reports (spam, scripted supports).
    PARTICIPATION_RATE_LIMIT = os.environ.get("PARTICIPATION_RATE_LIMIT", "60 per hour")
    #: Per resident, whatever address they write from: new proposals in 24 hours and comments in an hour.
    PROPOSALS_PER_USER_PER_DAY = _env_int("PROPOSALS_PER_USER_PER_DAY", 5)
    COMMENTS_PER_USER_PER_HOUR = _env_int("COMMENTS_PER_USER_PER_HOUR", 30)
    #: Behind a reverse proxy: how many proxies set X-Forwarded-For / -Proto / -Host (werkzeug ProxyFix). 0 (the
    #: default) ignores those headers, which anyone can send; set 1 behind one nginx, so that per-IP limits and
    #: the audit log see the client's address rather than the proxy's.
    PROXY_FIX_X_FOR = _env_int("PROXY_FIX_X_FOR", 0)
    PROXY_FIX_X_PROTO = _env_int("PROXY_FIX_X_PROTO", 0)
    PROXY_FIX_X_HOST = _env_int("PROXY_FIX_X_HOST", 0)
    #: Check-in code attempts per resident and activity: a 6-digit code must not be guessable by trying.
    CHECKIN_RATE_LIMIT = os.environ.get("CHECKIN_RATE_LIMIT", "10 per minute;30 per day")
    #: Staff MFA (等保 level 3, two factors): a staff member may log in this many times before enrolling an
    #: authenticator; after that every page leads to the enrolment page until it is done.
    MFA_GRACE_LOGINS = _env_int("MFA_GRACE_LOGINS", 1)
    #: The code step after a correct password must be completed within this many minutes.
    MFA_PENDING_MINUTES = _env_int("MFA_PENDING_MINUTES", 5)
    #: The name authenticator apps show next to the account.
    MFA_ISSUER = os.environ.get("MFA_ISSUER", "社区规划师协作平台")
    #: Changing the email address or phone number needs the password entered within this many minutes.
    REAUTH_MINUTES = _env_int("REAUTH_MINUTES", 5)
    #: Codes sent by SMS or email to prove an address (registration, a new phone or email): lifetime, wrong tries
    #: allowed, the wait before another code to the same address and the most codes to one address per day.
    VERIFICATION_CODE_TTL_MINUTES = _env_int("VERIFICATION_CODE_TTL_MINUTES", 10)
    VERIFICATION_CODE_MAX_ATTEMPTS = _env_int("VERIFICATION_CODE_MAX_ATTEMPTS", 5)
    VERIFICATION_RESEND_SECONDS = _env_int("VERIFICATION_RESEND_SECONDS", 60)
    VERIFICATION_MAX_SENDS_PER_DAY = _env_int("VERIFICATION_MAX_SENDS_PER_DAY", 5)
    PASSWORD_MIN_LENGTH = _env_int("PASSWORD_MIN_LENGTH", 10)
    PASSWORD_RESET_TTL_MINUTES = _env_int("PASSWORD_RESET_TTL_MINUTES", 30)
    INVITATION_TTL_HOURS = _env_int("INVITATION_TTL_HOURS", 72)
    PRIVACY_POLICY_VERSION = os.environ.get("PRIVACY_POLICY_VERSION", "2026-11")
    #: The version of each optional purpose's text (templates/accounts/policies/<purpose>-<version>.html); a
    #: consent row records the version its person read.
    CONSENT_POLICY_VERSIONS = {"sms": "2026-12", "name_publication": "2026-12", "research": "2026-12"}
    #: Days between asking for one's account to be deleted and its deletion, during which it can be cancelled.
    ACCOUNT_DELETION_COOLING_DAYS = _env_int("ACCOUNT_DELETION_COOLING_DAYS", 7)
    #: How long the link to one's own data export works (from the session that asked for it only).
    DATA_EXPORT_LINK_HOURS = _env_int("DATA_EXPORT_LINK_HOURS", 24)
    #: The retention schedule (README "Retention of personal data"), in days, applied by the daily privacy job.
    RETENTION_INVITATION_DAYS = _env_int("RETENTION_INVITATION_DAYS", 30)
    RETENTION_RESET_TOKEN_DAYS = _env_int("RETENTION_RESET_TOKEN_DAYS", 7)
    RETENTION_CHECKIN_CODE_DAYS = _env_int("RETENTION_CHECKIN_CODE_DAYS", 30)
    RETENTION_DATA_EXPORT_DAYS = _env_int("RETENTION_DATA_EXPORT_DAYS", 30)
    #: Ended session rows (IP, device, times) are security logs: at least 183 days (Cybersecurity Law Art. 21).
    RETENTION_SESSION_DAYS = max(_env_int("RETENTION_SESSION_DAYS", 183), 183)

    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    # The per-IP throttle falls back to process memory while Redis is down; the per-account lockout lives in the
    # database and keeps working either way.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_HEADERS_ENABLED = False

    #: Absolute address of the site, for links in emails and text messages sent by workers.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    #: Email: "console" logs, "file" appends JSON lines to MESSAGE_FILE_DIR/mail.jsonl, "smtp" sends.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")
    #: SMS: "console" or "file" (sms.jsonl); no real provider is reachable from here.
    SMS_BACKEND = os.environ.get("SMS_BACKEND", "console")
    MESSAGE_FILE_DIR = os.environ.get("MESSAGE_FILE_DIR", str(BASE_DIR / "instance" / "messages"))
    MAIL_FROM = os.environ.get("MAIL_FROM", "社区规划师平台 <noreply@planner.example>")
    SMTP_HOST = os.environ.get("SMTP_HOST", "127.0.0.1")
    SMTP_PORT = _env_int("SMTP_PORT", 25)
    SMTP_USER = os.environ.get("SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS", "0") == "1"
    SMTP_TIMEOUT = _env_int("SMTP_TIMEOUT", 10)

    #: Deliveries are tried this many times, waiting NOTIFY_RETRY_BASE_SECONDS × 2^(n-1) (±50 %) in between.
    NOTIFY_MAX_ATTEMPTS = _env_int("NOTIFY_MAX_ATTEMPTS", 5)
    NOTIFY_RETRY_BASE_SECONDS = _env_int("NOTIFY_RETRY_BASE_SECONDS", 60)
    #: An event whose publish failed (Redis down) is handed out again after this long, by the beat relay that runs
    #: every 10 s: events wait at most about both once Redis is back.
    OUTBOX_PUBLISH_RETRY_SECONDS = _env_int("OUTBOX_PUBLISH_RETRY_SECONDS", 5)
    #: A published event not processed after this long is published again (e.g. Redis lost the message).
    OUTBOX_REPUBLISH_AFTER_SECONDS = _env_int("OUTBOX_REPUBLISH_AFTER_SECONDS", 300)
    #: A pending delivery older than this is queued again by the sweep (its task was lost).
    DELIVERY_REDISPATCH_AFTER_SECONDS = _env_int("DELIVERY_REDISPATCH_AFTER_SECONDS", 120)
    #: A delivery claimed longer ago than this belongs to a dead worker.
    DELIVERY_SENDING_TIMEOUT_SECONDS = _env_int("DELIVERY_SENDING_TIMEOUT_SECONDS", 600)
    #: /readyz and the operations page flag the outbox when its oldest pending event is older than this.
    OUTBOX_LAG_ALERT_SECONDS = _env_int("OUTBOX_LAG_ALERT_SECONDS", 300)

    #: The city's tile service (README "Maps and tile services"); empty means the maps draw the platform's own
    #: outlines, names and sites without any tile server (closed networks). A URL template with {z} {x} {y}, and
    #: optionally {s} (one of MAP_TILE_SUBDOMAINS) and {key} (MAP_TILE_KEY, e.g. Tianditu's tk).
    MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
    #: A second layer drawn over the first, e.g. Tianditu's annotation layer (cva_w) over its vector map (vec_w).
    MAP_TILE_OVERLAY_URL = os.environ.get("MAP_TILE_OVERLAY_URL", "")
    MAP_TILE_KEY = os.environ.get("MAP_TILE_KEY", "")
    MAP_TILE_SUBDOMAINS = os.environ.get("MAP_TILE_SUBDOMAINS", "")
    #: Shown in the map's corner: the provider and, for maps published in China, its 审图号.
    MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
    MAP_TILE_MAX_ZOOM = _env_int("MAP_TILE_MAX_ZOOM", 18)
    #: The tiles' coordinate system: "wgs84" (Tianditu, CGCS2000) or "gcj02" (AMap, Tencent). Stored coordinates
    #: stay WGS-84; with gcj02 the browser shifts them for display and shifts taps back.
    MAP_TILE_CRS = os.environ.get("MAP_TILE_CRS", "wgs84")

    #: Uploaded photos live here, outside static/, under random names (a volume shared by every web process).
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(BASE_DIR / "instance" / "uploads"))
    PHOTO_MAX_BYTES = _env_int("PHOTO_MAX_BYTES", 8 * 1024 * 1024)
    #: Export files built by the workers, until their link expires (a volume shared by web and worker processes).
    EXPORT_FOLDER = os.environ.get("EXPORT_FOLDER", str(BASE_DIR / "instance" / "exports"))
    #: A list longer than this is not downloaded at once but built in the background, with its progress shown.
    EXPORT_INLINE_MAX_ROWS = _env_int("EXPORT_INLINE_MAX_ROWS", 5_000)
    #: How long the requester's download link of a background export works.
    EXPORT_LINK_HOURS = _env_int("EXPORT_LINK_HOURS", 24)
    #: Background exports one person may have in progress at once.
    EXPORT_ACTIVE_PER_USER = _env_int("EXPORT_ACTIVE_PER_USER", 3)
    #: Sub-district and district reports (PDF, XLSX), kept for good (scheduled) or until their link expires.
    REPORT_FOLDER = os.environ.get("REPORT_FOLDER", str(BASE_DIR / "instance" / "reports"))
    #: How long the requester's link to a report asked for a custom period works.
    REPORT_LINK_HOURS = _env_int("REPORT_LINK_HOURS", 24)
    #: Reports for a custom period one person may have in progress at once.
    REPORT_ACTIVE_PER_USER = _env_int("REPORT_ACTIVE_PER_USER", 2)
    #: Refuse images larger than this before decoding them (a decompression bomb is small on disk).
    PHOTO_MAX_PIXELS = _env_int("PHOTO_MAX_PIXELS", 40_000_000)
    #: Stored photos are scaled down to this many pixels on the long side.
    PHOTO_MAX_SIDE = _env_int("PHOTO_MAX_SIDE", 2048)
    #: Uploaded documents (a PDF, or an image) are refused above this size.
    #: Below MAX_CONTENT_LENGTH, so that a document the form allows is never refused by the request limit first.
    DOCUMENT_MAX_BYTES = _env_int("DOCUMENT_MAX_BYTES", 9 * 1024 * 1024)

    #: Text compression (Flask-Compress, wired by core.compression): pages, styles, scripts, JSON and CSV files in
    #: brotli or gzip, whichever the client prefers. XLSX, ZIP, PDF, photos and tiles are compressed already and
    #: are not listed; SVG is text and is.
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/plain", "text/csv", "text/javascript",
                          "application/javascript", "application/json", "application/geo+json", "image/svg+xml"]
    COMPRESS_ALGORITHM = ["br", "gzip"]
    #: Files sent from disk (static files, background exports) are compressed as they stream, in either.
    COMPRESS_ALGORITHM_STREAMING = ["br", "gzip"]
    #: core.compression calls the extension from its own hook, which leaves byte ranges alone.
    COMPRESS_REGISTER = False


class DevelopmentConfig(BaseConfig):
    # A fixed key, a file database and in-process tasks are tolerable only here: development data is throwaway.
    REQUIRE_STRONG_SECRET_KEY = False
    REQUIRE_SERVICES = False
    DEMO_SEED_ALLOWED = True
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
    DATA_ENCRYPTION_KEYS = os.environ.get("DATA_ENCRYPTION_KEYS", INSECURE_DATA_ENCRYPTION_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'planner.db'}")
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"


class TestingConfig(BaseConfig):
    TESTING = True
    REQUIRE_STRONG_SECRET_KEY = False
    REQUIRE_SERVICES = False
    DEMO_SEED_ALLOWED = True
    SECRET_KEY = "testing-key-not-secret-testing-key-not-secret"
    DATA_ENCRYPTION_KEYS = INSECURE_DATA_ENCRYPTION_KEY
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SESSION_COOKIE_SECURE = False
    MAIL_BACKEND = "memory"
    SMS_BACKEND = "memory"
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER") or tempfile.mkdtemp(prefix="planner-test-uploads-")
    EXPORT_FOLDER = os.environ.get("EXPORT_FOLDER") or tempfile.mkdtemp(prefix="planner-test-exports-")
    REPORT_FOLDER = os.environ.get("REPORT_FOLDER") or tempfile.mkdtemp(prefix="planner-test-reports-")
    LOGIN_RATE_LIMIT = "1000 per minute"
    PARTICIPATION_RATE_LIMIT = "1000 per minute"
    CHECKIN_RATE_LIMIT = "1000 per minute"
    PROPOSALS_PER_USER_PER_DAY = 1000
    COMMENTS_PER_USER_PER_HOUR = 1000
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
