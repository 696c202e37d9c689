"""Configuration fails safe: production refuses to start without a strong SECRET_KEY."""
import pytest

from config import ProductionConfig, config_from_env
from planner_platform import create_app


@pytest.mark.parametrize("key", ["", "short", "dev-only-insecure-key-do-not-use-in-production"])
def test_production_refuses_a_weak_secret_key(key):
    class Config(ProductionConfig):
        SECRET_KEY = key

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Config)


def test_production_starts_with_a_strong_secret_key():
    class Config(ProductionConfig):
        SECRET_KEY = "x7Gq2-very-long-random-secret-key-for-tests-only-91"
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    assert create_app(Config).config["SESSION_COOKIE_SECURE"] is True


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
