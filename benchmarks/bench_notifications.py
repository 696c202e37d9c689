"""Benchmark: one event fanned out to 10,000 recipients on PostgreSQL, then email to a local SMTP sink.

    .venv/bin/python benchmarks/bench_notifications.py [--recipients 10000] [--emails 2000]

Creates a throwaway database next to BENCH_DATABASE_URL (default: the local PostgreSQL), prints figures and
their ratio to the targets (in-app ≥ 50,000 rows/s set-based; email ≥ 500/s per worker), then drops it.
"""
import argparse
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import current_app  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from planner_platform.accounts.models import Role, RoleGrant, User  # noqa: E402
from planner_platform.accounts.passwords import hash_password  # noqa: E402
from planner_platform.areas.models import Place, PlaceLevel  # noqa: E402
from planner_platform.core.outbox import EventKind, OutboxEvent  # noqa: E402
from planner_platform.extensions import db  # noqa: E402
from planner_platform.notifications import delivery, fanout  # noqa: E402
from planner_platform.notifications.models import (Channel, EmailFrequency, Notification,  # noqa: E402
                                                   NotificationSettings)
from planner_platform.notifications.registry import EventType, register  # noqa: E402
from benchmarks.throwaway import migrated_app  # noqa: E402

TARGET_IN_APP_PER_SECOND = 50_000
TARGET_EMAIL_PER_SECOND = 500


@contextmanager
def smtp_sink_process():
    """aiosmtpd's discarding Sink in a separate process, so the sink does not compete with the sender for the GIL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                                "-c", "aiosmtpd.handlers.Sink"])
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait()


def _make_city(recipients: int) -> int:
    places = {}
    for code, level, parent in (("B", PlaceLevel.city, None), ("BD", PlaceLevel.district, "B"),
                                ("BDS", PlaceLevel.subdistrict, "BD"), ("BDSC", PlaceLevel.community, "BDS")):
        place = Place(code=code, name=code, level=level, parent=places.get(parent))
        db.session.add(place)
        db.session.flush()
        place.path = f"{places[parent].path if parent else '/'}{place.id}/"
        places[code] = place
    password_hash = hash_password("benchmark-only-password")
    db.session.execute(insert(User), [
        {"phone": f"1{3_000_000_000 + i}", "email": f"user{i}@bench.example", "display_name": f"居民{i}",
         "password_hash": password_hash, "locale": "zh_CN" if i % 3 else "en"} for i in range(recipients)])
    user_ids = db.session.scalars(select(User.id)).all()
    community = places["BDSC"].id
    db.session.execute(insert(RoleGrant), [{"user_id": uid, "role": Role.resident, "place_id": community}
                                           for uid in user_ids])
    db.session.execute(insert(NotificationSettings), [{"user_id": uid, "email_frequency": EmailFrequency.immediate}
                                                      for uid in user_ids])
    db.session.commit()
    return community


def _event(event_type: str, community: int) -> OutboxEvent:
    event = OutboxEvent(kind=EventKind.notify, event_type=event_type,
                        payload={"role": "planner", "place": "基准社区", "by": "基准",
                                 "recipients": {"roles": ["resident"], "place_id": community, "scope": "within"}})
    db.session.add(event)
    db.session.commit()
    return event


def run(recipients: int, emails: int) -> None:
    register(EventType("bench.in_app", "account", "accounts/role_granted", channels=frozenset({Channel.in_app})))
    register(EventType("bench.email", "account", "accounts/role_granted", channels=frozenset({Channel.email})))
    community = _make_city(recipients)

    # Warm up once, as a running worker is: template compilation and catalog loading happen once per process.
    fanout.fan_out(_event("bench.in_app", community))
    db.session.rollback()
    timings = []
    for _ in range(3):
        event = _event("bench.in_app", community)
        started = time.perf_counter()
        added = fanout.fan_out(event)
        fanout.mark_processed(event)
        db.session.commit()
        timings.append(time.perf_counter() - started)
    in_app_seconds = sorted(timings)[1]  # the median of three runs
    in_app_rate = added / in_app_seconds

    event = _event("bench.email", community)
    fanout.fan_out(event)
    db.session.commit()
    ids = db.session.scalars(select(Notification.id).where(Notification.event_id == event.id)
                             .order_by(Notification.id).limit(emails)).all()
    with smtp_sink_process() as port:
        current_app.config.update(MAIL_BACKEND="smtp", SMTP_PORT=port)
        started = time.perf_counter()
        outcome = delivery.deliver(ids)
        email_seconds = time.perf_counter() - started
    email_rate = outcome["sent"] / email_seconds

    print(f"recipients: {recipients}")
    print(f"in-app fan-out (median of 3 events): {added} rows in {in_app_seconds:.3f} s = {in_app_rate:,.0f} rows/s "
          f"(target {TARGET_IN_APP_PER_SECOND:,}/s, ratio {in_app_rate / TARGET_IN_APP_PER_SECOND:.2f})")
    print(f"email (one worker, one SMTP connection, sink in its own process): {outcome['sent']} accepted in "
          f"{email_seconds:.2f} s = {email_rate:,.0f} emails/s (target {TARGET_EMAIL_PER_SECOND}/s, ratio "
          f"{email_rate / TARGET_EMAIL_PER_SECOND:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--emails", type=int, default=2_000)
    args = parser.parse_args()
    with migrated_app():
        run(args.recipients, args.emails)


if __name__ == "__main__":
    main()
