"""Benchmark: searching and paging 100,000 proposals on PostgreSQL, with the index and without it.

    .venv/bin/python benchmarks/bench_proposals.py [--proposals 100000]

Builds a throwaway database, prints the time of a Chinese search answered from the GIN index and the same search
with index scans switched off (a full scan), and of a deep list page by keyset cursor and by OFFSET.
"""
import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402

from benchmarks.throwaway import migrated_app  # noqa: E402
from planner_platform.accounts.models import User  # noqa: E402
from planner_platform.areas.models import Place, PlaceLevel  # noqa: E402
from planner_platform.core.db import utcnow  # noqa: E402
from planner_platform.extensions import db  # noqa: E402
from planner_platform.proposals import queries  # noqa: E402
from planner_platform.proposals.models import Proposal, ProposalState  # noqa: E402
from planner_platform.proposals.search import index_text, matches  # noqa: E402

WORDS = ["楼道", "扶手", "座椅", "口袋公园", "路灯", "停车", "充电棚", "垃圾分类", "无障碍", "坡道", "绿化", "健身器材",
         "儿童", "老人", "积水", "外墙", "电梯", "议事", "菜园", "围墙", "雨棚", "快递柜", "遮阳", "排水", "照明"]
RARE = "历史风貌标识牌"


def _fill(count: int) -> None:
    community = Place(code="BC", name="基准市", level=PlaceLevel.city, path="/1/")  # the search ignores places
    author = User(phone="13000000000", display_name="基准居民", password_hash="-")
    db.session.add_all([community, author])
    db.session.flush()
    rng, now, rows = random.Random(7), utcnow(), []
    for n in range(count):
        title = "".join(rng.sample(WORDS, 2)) + ("改造" if n % 2 else "建议")
        description = "，".join(rng.sample(WORDS, 6)) + ("。" + RARE if n % 5000 == 0 else "。")
        rows.append({"title": title, "description": description, "category": "公共空间", "community_id": community.id,
                     "site": "", "channel": "online", "state": ProposalState.submitted, "author_id": author.id,
                     "submitted_at": now - timedelta(minutes=n), "created_at": now, "support_count": rng.randint(0, 80),
                     "comment_count": rng.randint(0, 20), "satisfaction_comment": "", "version": 1,
                     "search_text": index_text(title, description)})
        if len(rows) == 5000:
            db.session.execute(insert(Proposal), rows)
            rows = []
    if rows:
        db.session.execute(insert(Proposal), rows)
    db.session.commit()
    db.session.execute(text("ANALYZE proposals"))


def _timed(action, repeat: int = 5) -> float:
    action()  # warm the cache, as a running server is
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _search(term: str):
    return lambda: db.session.scalars(select(Proposal.id).where(matches(term, "postgresql")).limit(21)).all()


def _plan(term: str) -> str:
    compiled = select(Proposal.id).where(matches(term, "postgresql")).compile(
        db.engine, compile_kwargs={"literal_binds": True})
    lines = db.session.execute(text(f"EXPLAIN {compiled}")).scalars().all()
    return "index" if any("ix_proposals_search" in line for line in lines) else "full scan"


def run(app: Flask, count: int) -> None:
    started = time.perf_counter()
    _fill(count)
    print(f"{count:,} proposals inserted and analysed in {time.perf_counter() - started:.1f} s")
    for term in ("扶手", RARE, "扶手 积水"):
        indexed, plan = _timed(_search(term)), _plan(term)
        db.session.execute(text("SET enable_bitmapscan = off"))
        db.session.execute(text("SET enable_indexscan = off"))
        scanned = _timed(_search(term))
        db.session.execute(text("RESET enable_bitmapscan"))
        db.session.execute(text("RESET enable_indexscan"))
        print(f"search {term!r}: planner chose {plan}, {indexed * 1000:.1f} ms; forced full scan "
              f"{scanned * 1000:.1f} ms (ratio {scanned / indexed:.1f}x)")
    with app.test_request_context():
        deep = db.session.scalars(select(Proposal).order_by(Proposal.support_count.desc(), Proposal.id.desc())
                                  .offset(20_000).limit(1)).one()
        keyset = _timed(lambda: queries.public_page(queries.Filters(), "supported", (deep.support_count, deep.id)))
        offset = _timed(lambda: db.session.scalars(
            select(Proposal).order_by(Proposal.support_count.desc(), Proposal.id.desc()).offset(20_000).limit(21)
        ).all())
        first = _timed(lambda: queries.public_page(queries.Filters(), "supported"))
    print(f"list sorted by supports: first page {first * 1000:.1f} ms; page after row 20,000 by keyset "
          f"{keyset * 1000:.1f} ms, by OFFSET {offset * 1000:.1f} ms (ratio {offset / keyset:.1f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=100_000)
    args = parser.parse_args()
    with migrated_app() as app:
        run(app, args.proposals)


if __name__ == "__main__":
    main()
