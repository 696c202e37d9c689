"""社区规划师协作平台 — the community planner collaboration platform."""
from pathlib import Path

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BaseConfig, config_from_env
from planner_platform.extensions import babel, celery_init_app, csrf, db, limiter, login_manager, migrate

SECRET_KEY_MIN_LENGTH = 32


def create_app(config_class: type[BaseConfig] | None = None) -> Flask:
    """Build the application. Wiring only: no database access, no network, no migrations."""
    app = Flask(__name__, template_folder="../templates")
    app.config.from_object(config_class or config_from_env())
    _check_secret_key(app)
    _check_services(app)
    from planner_platform.core.crypto import check_data_keys

    check_data_keys(app)
    _trust_proxies(app)
    from planner_platform.core.http import configure_logging, register_http_hooks
    from planner_platform.core.errors import register_error_handlers

    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_http_hooks(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_cli(app)
    return app


def _check_secret_key(app: Flask) -> None:
    key = app.config.get("SECRET_KEY") or ""
    if app.config["REQUIRE_STRONG_SECRET_KEY"] and (len(key) < SECRET_KEY_MIN_LENGTH or "insecure" in key):
        raise RuntimeError("SECRET_KEY must be set to at least 32 random characters outside development and testing "
                           "(python -c \"import secrets; print(secrets.token_urlsafe(48))\").")


def _check_services(app: Flask) -> None:
    if not app.config["REQUIRE_SERVICES"]:
        return
    missing = [name for name, key in (("DATABASE_URL", "SQLALCHEMY_DATABASE_URI"), ("REDIS_URL", "REDIS_URL"))
               if not app.config.get(key)]
    if missing:
        raise RuntimeError(
            f"{' and '.join(missing)} must be set in production, e.g. "
            "DATABASE_URL=postgresql+psycopg://planner:secret@127.0.0.1:5432/planner and "
            "REDIS_URL=redis://127.0.0.1:6379/0 (without Redis, tasks would run inside web requests and each process "
            "would keep its own rate limits). For a local demo use APP_CONFIG=development.")


def _trust_proxies(app: Flask) -> None:
    """Read the client's address from X-Forwarded-For (and scheme, host) set by as many proxies as configured."""
    hops = {name: app.config[f"PROXY_FIX_X_{name.upper()}"] for name in ("for", "proto", "host")}
    if any(hops.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops["for"], x_proto=hops["proto"], x_host=hops["host"])


def select_locale() -> str:
    from flask_login import current_user

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # tasks and CLI commands: the default, unless force_locale() says otherwise
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"], default="zh-CN")
    return "en" if best == "en" else "zh_CN"


def register_extensions(app: Flask) -> None:
    from planner_platform.accounts.views import load_user
    from planner_platform.core.compression import register_compression
    from planner_platform.shell.tasks import TASK_MODULES

    register_compression(app)  # first: its hook runs after every other one
    db.init_app(app)
    # Batch mode lets SQLite ALTER tables; compare_type keeps column types in the model/migration check.
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    import planner_platform.notifications.account_events  # noqa: F401  (registers the account event types)
    import planner_platform.planners.models  # noqa: F401  (tables the migrations and the CLI must know)
    import planner_platform.planners.digest  # noqa: F401  (the roster's section in staff digests)
    import planner_platform.planners.notifications  # noqa: F401
    import planner_platform.proposals.models  # noqa: F401
    import planner_platform.proposals.clusters  # noqa: F401  (keeps the map's cells with the proposals)
    import planner_platform.proposals.notifications  # noqa: F401
    import planner_platform.proposals.digest  # noqa: F401
    import planner_platform.activities.models  # noqa: F401
    import planner_platform.activities.notifications  # noqa: F401
    import planner_platform.projects.models  # noqa: F401
    import planner_platform.projects.notifications  # noqa: F401
    import planner_platform.monitoring.marks  # noqa: F401  (summary tables, and the dirty marks' listeners)
    import planner_platform.reports.place_models  # noqa: F401
    import planner_platform.reports.notifications  # noqa: F401
    import planner_platform.reports.panels  # noqa: F401  (the team reports' section of the dashboards)
    # What each feature holds about a person: its sections of the data export, erasers and retention rules.
    import planner_platform.accounts.retention  # noqa: F401
    import planner_platform.proposals.personal_data  # noqa: F401
    import planner_platform.activities.personal_data  # noqa: F401
    import planner_platform.notifications.personal_data  # noqa: F401
    import planner_platform.projects.personal_data  # noqa: F401
    import planner_platform.core.calendar  # noqa: F401
    import planner_platform.core.media  # noqa: F401  (removes the files of rolled-back uploads)

    celery = celery_init_app(app)
    celery.conf.imports = TASK_MODULES
    for module in TASK_MODULES:
        __import__(module)


def register_blueprints(app: Flask) -> None:
    from planner_platform.accounts.pii_views import bp as pii_bp
    from planner_platform.accounts.staff_views import bp as staff_bp
    from planner_platform.activities.views import bp as activities_bp
    from planner_platform.activities.work_views import bp as work_bp
    from planner_platform.accounts.views import bp as accounts_bp
    from planner_platform.accounts.privacy_views import bp as privacy_bp
    from planner_platform.accounts.security_views import bp as security_bp
    from planner_platform.areas.views import bp as areas_bp
    from planner_platform.notifications.views import bp as notifications_bp
    from planner_platform.planners.assignment_views import bp as assignments_bp
    from planner_platform.planners.import_views import bp as roster_import_bp
    from planner_platform.planners.views import bp as planners_bp
    from planner_platform.proposals.views import bp as proposals_bp
    from planner_platform.proposals.workspace_views import bp as workspace_bp
    from planner_platform.projects.board_views import bp as project_boards_bp
    from planner_platform.projects.views import bp as projects_bp
    from planner_platform.projects.discussion_views import bp as project_public_bp
    from planner_platform.projects.work_views import bp as project_work_bp
    from planner_platform.monitoring.export_views import bp as exports_bp
    from planner_platform.monitoring.personal_views import bp as my_dashboard_bp
    from planner_platform.monitoring.views import bp as monitoring_bp
    from planner_platform.reports.views import bp as reports_bp
    from planner_platform.reports.place_views import bp as place_reports_bp
    from planner_platform.core.urls import BigRowIdConverter, RowIdConverter
    from planner_platform.shell.views import bp as shell_bp

    app.url_map.converters["int"] = RowIdConverter  # before any rule is added
    app.url_map.converters["bigid"] = BigRowIdConverter

    for blueprint in (shell_bp, accounts_bp, privacy_bp, security_bp, staff_bp, pii_bp, areas_bp, notifications_bp,
                      planners_bp, assignments_bp, roster_import_bp, proposals_bp, workspace_bp, activities_bp, work_bp,
                      projects_bp, project_public_bp, project_boards_bp, project_work_bp, monitoring_bp,
                      my_dashboard_bp, exports_bp, reports_bp, place_reports_bp):
        app.register_blueprint(blueprint)


def register_template_helpers(app: Flask) -> None:
    from planner_platform.shell.templating import register

    register(app)


def register_cli(app: Flask) -> None:
    from planner_platform.core.calendar import calendar_cli
    from planner_platform.core.crypto import rotate_data_key_command
    from planner_platform.shell.scale import seed_scale_command
    from planner_platform.shell.seed import seed_demo_command
    from planner_platform.monitoring.commands import stats_cli

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(seed_scale_command)
    app.cli.add_command(stats_cli)
    app.cli.add_command(calendar_cli)
    app.cli.add_command(rotate_data_key_command)
