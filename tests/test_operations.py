"""Health probes, security headers, request ids, error pages and the append-only audit log."""
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from config import TestingConfig
from planner_platform import create_app
from planner_platform.accounts.models import Role
from planner_platform.core.audit import AuditEntry, record_audit
from planner_platform.extensions import db
from tests.conftest import login


def test_healthz_and_readyz_report_json(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    checks = ready.get_json()["checks"]
    assert ready.status_code == 200 and checks["database"] == "ok"
    assert checks["outbox"]["pending_events"] == 0 and checks["outbox"]["deliveries"]["failed"] == 0


def test_readyz_reports_an_unreachable_redis_as_unavailable(database_url):
    class DeadRedis(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        REDIS_URL = "redis://127.0.0.1:1/0"

    app = create_app(DeadRedis)
    response = app.test_client().get("/readyz")
    with app.app_context():
        db.engine.dispose()
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["checks"]["redis"].startswith("error")


def test_pages_carry_security_headers_and_a_request_id(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert len(response.headers["X-Request-ID"]) == 16
    assert response.headers["X-Request-ID"] not in response.get_data(as_text=True)  # on error pages only
    missing = client.get("/proposals/999999999")
    assert missing.status_code == 404 and missing.headers["X-Request-ID"] in missing.get_data(as_text=True)
    assert 'rel="icon"' in response.get_data(as_text=True) and 'name="description"' in response.get_data(as_text=True)
    assert client.get("/static/favicon.svg").status_code == 200


def test_a_sane_incoming_request_id_is_kept_and_a_hostile_one_replaced(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    assert client.get("/healthz", headers={"X-Request-ID": "<script>x"}).headers["X-Request-ID"] != "<script>x"


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    from tests.conftest import login

    login(client, make_user(Role.resident, "D1S1C1"))
    cookie = client.get_cookie("pp_session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_production_cookies_are_secure():
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True


def test_a_crash_shows_an_error_page_without_a_traceback(database_url):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(Config)

    @app.get("/__boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/__boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Traceback" not in html and "secret internals" not in html
    assert response.headers["X-Request-ID"] in html


def test_a_crash_in_the_database_still_shows_the_error_page_to_a_logged_in_user(database_url, make_user):
    """The 500 page queries the database (the user, the navigation): it rolls back what the request broke first."""
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(Config)

    @app.get("/__broken-write")
    def broken_write():
        db.session.add(AuditEntry(action=None))  # NOT NULL: the flush fails and leaves the transaction failed
        db.session.flush()

    client = app.test_client()
    login(client, make_user(Role.district_staff, "D1"))
    response = client.get("/__broken-write")
    with app.app_context():
        db.engine.dispose()
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] in response.get_data(as_text=True)


def test_unknown_pages_get_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "<h1" in response.get_data(as_text=True)


def test_the_audit_log_cannot_be_changed_or_deleted_in_the_database(app):
    with app.app_context():
        entry = record_audit(db.session, "test.event")
        db.session.commit()
        for statement in (f"UPDATE audit_entries SET action = 'x' WHERE id = {entry.id}",
                          f"DELETE FROM audit_entries WHERE id = {entry.id}"):
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(text(statement))
            db.session.rollback()
        assert db.session.get(AuditEntry, entry.id).action == "test.event"


def test_only_admins_read_the_audit_log(client, make_user, login_as):
    login_as(make_user(Role.district_staff, "D1"))
    assert client.get("/audit").status_code == 403


def test_admin_sees_logins_in_the_audit_log(client, make_user, login_as):
    login_as(make_user(Role.admin, "C"))
    assert "auth.login" in client.get("/audit?action=auth.").get_data(as_text=True)


def test_access_denials_are_audited(app, client, make_user, login_as):
    resident = make_user(Role.resident, "D1S1C1")
    login_as(resident)
    assert client.get("/audit").status_code == 403
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "authz.denied"))
    assert entry.actor_id == resident.id and entry.result == "denied" and entry.details["path"] == "/audit"
