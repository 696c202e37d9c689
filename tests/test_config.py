"""Configuration fails safe: production refuses to start without a strong SECRET_KEY, a data key of its own, a
database and Redis, and the demo seed refuses to run there."""
from cryptography.fernet import Fernet
import pytest
from sqlalchemy import func, select

from config import INSECURE_DATA_ENCRYPTION_KEY, ProductionConfig, TestingConfig, config_from_env
from planner_platform import create_app
from planner_platform.accounts.models import User
from planner_platform.shell.seed import seed_demo_command
from planner_platform.extensions import db

STRONG_KEY = "x7Gq2-very-long-random-secret-key-for-tests-only-91"
DATA_KEY = Fernet.generate_key().decode()


@pytest.mark.parametrize("key", ["", "short", "dev-only-insecure-key-do-not-use-in-production"])
def test_production_refuses_a_weak_secret_key(key):
    class Config(ProductionConfig):
        SECRET_KEY = key

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Config)


def test_production_starts_with_a_strong_secret_key_a_database_and_redis():
    class Config(ProductionConfig):
        SECRET_KEY = STRONG_KEY
        DATA_ENCRYPTION_KEYS = DATA_KEY
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        REDIS_URL = "redis://127.0.0.1:6379/0"

    assert create_app(Config).config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("keys, message", [
    ("", "DATA_ENCRYPTION_KEYS must be set"),
    (INSECURE_DATA_ENCRYPTION_KEY, "holds the published development key"),
    (f"{DATA_KEY},{INSECURE_DATA_ENCRYPTION_KEY}", "holds the published development key"),  # not even to decrypt
])
def test_production_refuses_to_start_without_a_data_key_of_its_own(keys, message):
    """Without it a database dump would give away every staff member's authenticator (TOTP) key."""
    class Config(ProductionConfig):
        SECRET_KEY = STRONG_KEY
        DATA_ENCRYPTION_KEYS = keys
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        REDIS_URL = "redis://127.0.0.1:6379/0"

    with pytest.raises(RuntimeError, match=message):
        create_app(Config)


@pytest.mark.parametrize("database, redis, missing", [
    ("", None, "DATABASE_URL and REDIS_URL"),
    ("postgresql+psycopg://planner@db/planner", None, "REDIS_URL"),
    ("", "redis://127.0.0.1:6379/0", "DATABASE_URL"),
])
def test_production_refuses_to_start_without_its_database_or_redis(database, redis, missing):
    """Without Redis tasks would run inside web requests and each process keep its own rate limits; without
    DATABASE_URL the data would go to a file next to the code."""
    class Config(ProductionConfig):
        SECRET_KEY = STRONG_KEY
        SQLALCHEMY_DATABASE_URI = database
        REDIS_URL = redis

    with pytest.raises(RuntimeError, match=f"^{missing} must be set"):
        create_app(Config)


def test_the_demo_seed_refuses_to_run_under_the_production_configuration(database_url):
    class Config(ProductionConfig):
        SECRET_KEY = STRONG_KEY
        DATA_ENCRYPTION_KEYS = DATA_KEY
        SQLALCHEMY_DATABASE_URI = database_url
        REDIS_URL = "redis://127.0.0.1:1/0"

    app = create_app(Config)
    result = app.test_cli_runner().invoke(seed_demo_command)
    assert result.exit_code != 0 and "refuses to run under the production configuration" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0  # no administrator with the demo password
        db.engine.dispose()


def test_unknown_app_config_is_an_error(monkeypatch):
    monkeypatch.setenv("APP_CONFIG", "staging-typo")
    with pytest.raises(RuntimeError, match="APP_CONFIG"):
        config_from_env()


def test_without_app_config_the_production_settings_apply(monkeypatch):
    monkeypatch.delenv("APP_CONFIG", raising=False)
    assert config_from_env() is ProductionConfig


def test_map_tiles_are_allowed_by_the_csp_only_when_configured():
    from planner_platform.core.http import content_security_policy

    assert "img-src 'self' data: blob:;" in content_security_policy("")
    policy = content_security_policy("https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=KEY")
    assert "img-src 'self' data: blob: https://*.tianditu.gov.cn;" in policy


def test_both_tile_layers_hosts_are_allowed_and_nothing_else():
    from planner_platform.core.http import content_security_policy

    policy = content_security_policy("http://127.0.0.1:8765/{z}/{x}/{y}.png",
                                     "https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}")
    assert "img-src 'self' data: blob: http://127.0.0.1:8765 https://*.is.autonavi.com;" in policy
    assert " * " not in policy and "connect-src" not in policy  # fetches stay on 'self' (default-src)


def _tiled_app(**settings):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    for name, value in settings.items():
        setattr(Config, name, value)
    return create_app(Config)


def test_the_tile_key_goes_into_the_url_the_maps_are_given():
    tianditu = ("https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec"
                "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}")
    app = _tiled_app(MAP_TILE_URL=tianditu, MAP_TILE_KEY="abc123", MAP_TILE_SUBDOMAINS="01234567")
    tiles = app.jinja_env.globals["map_tiles"]
    assert tiles["url"].endswith("&tk=abc123") and tiles["subdomains"] == "01234567" and tiles["crs"] == "wgs84"
    with app.test_client() as client:
        csp = client.get("/privacy").headers["Content-Security-Policy"]
    assert "https://*.tianditu.gov.cn" in csp


@pytest.mark.parametrize("settings, complaint", [
    ({"MAP_TILE_CRS": "bd09"}, "MAP_TILE_CRS"),
    ({"MAP_TILE_URL": "https://t0.tianditu.gov.cn/vec_w/wmts?tk={key}&TILEMATRIX={z}"}, "MAP_TILE_KEY"),
    ({"MAP_TILE_URL": "tiles.example/{z}/{x}/{y}.png"}, "MAP_TILE_URL"),
    ({"MAP_TILE_OVERLAY_URL": "https://tiles.example/labels.png"}, "MAP_TILE_OVERLAY_URL"),
])
def test_a_tile_setting_the_maps_cannot_use_stops_the_start(settings, complaint):
    with pytest.raises(RuntimeError, match=complaint):
        _tiled_app(**settings)
