"""Rating a national month: 30,000 stores in 30 regions, four approved inspections each.

Run: .venv/bin/python bench/bench_ratings.py [--postgres URL] [--sizes 3000,30000]
For each size it builds a fresh database (SQLite file, or the given PostgreSQL database,
whose tables it drops and recreates), inserts the stores and 4 approved inspections per
store for one month plus the month before (so the query must skip other months), then
times `rate_period` (the SQL roll-up and the pure rating and ranking of every store) over
several runs and prints the median, the peak Python memory of one run (tracemalloc), and
how the time grows with the number of stores.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import tracemalloc
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select

from inspect_app import create_app
from inspect_app.auth.models import Role, User
from inspect_app.checklists.operations import definition_of, sync_directory
from inspect_app.config import PROJECT_ROOT, TestConfig
from inspect_app.extensions import db
from inspect_app.inspections.models import Inspection
from inspect_app.periods import month_of
from inspect_app.ratings.store_queries import rate_period
from inspect_app.stores.models import Region, Store

REGIONS = 30
VISITS = 4
RUNS = 5


def build(app, stores: int, seed: int = 7) -> tuple[int, object]:

    rng = random.Random(seed)
    db.drop_all()
    db.create_all()
    stored, _ = sync_directory([PROJECT_ROOT / "checklists" / "business-hall-mystery-shop.yaml"])
    version = stored[0].version
    inspector = User(username="bench", display_name="bench", password_hash="x", role=Role.INSPECTOR)
    db.session.add(inspector)
    db.session.commit()
    db.session.execute(
        insert(Region), [{"code": f"R{r:02d}", "name": f"区域{r}"} for r in range(REGIONS)]
    )
    region_ids = db.session.scalars(select(Region.id).order_by(Region.id)).all()
    db.session.execute(
        insert(Store),
        [
            {"code": f"{n:08d}", "name": f"营业厅{n}", "region_id": region_ids[n % REGIONS]}
            for n in range(stores)
        ],
    )
    store_ids = db.session.scalars(select(Store.id)).all()
    month = month_of(date(2026, 10, 1))
    before = month.previous()
    rows = []
    for store_id in store_ids:
        level = rng.uniform(70, 98)
        for period in (month, before):
            for _ in range(VISITS):
                percent = Decimal(str(round(min(100.0, max(0.0, rng.gauss(level, 6))), 3)))
                vetoed = rng.random() < 0.01
                rows.append(
                    {
                        "uuid": str(uuid.UUID(int=rng.getrandbits(128))),
                        "store_id": store_id,
                        "checklist_version_id": version.id,
                        "inspector_id": inspector.id,
                        "status": "approved",
                        "visit_date": period.start.replace(day=rng.randint(1, 28)),
                        "score_percent": Decimal(0) if vetoed else percent,
                        "is_vetoed": vetoed,
                        "draft_revision": 0,
                    }
                )
        if len(rows) >= 20_000:
            db.session.execute(insert(Inspection), rows)
            rows = []
    if rows:
        db.session.execute(insert(Inspection), rows)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    else:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    return version.checklist_id, definition_of(version).rating


def measure(database_url: str, stores: int) -> dict:
    app = create_app({"DATABASE_URL": database_url}, config_class=TestConfig)
    with app.app_context():
        started = time.perf_counter()
        checklist_id, rules = build(app, stores)
        build_seconds = time.perf_counter() - started
        month = month_of(date(2026, 10, 1))
        rate_period(month, checklist_id, rules)  # warm the connection and the rules cache
        times = []
        for _ in range(RUNS):
            db.session.expire_all()
            start = time.perf_counter()
            rows = rate_period(month, checklist_id, rules)
            times.append(time.perf_counter() - start)
        tracemalloc.start()
        rate_period(month, checklist_id, rules)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert len(rows) == stores and sum(r.rating.count for r in rows) == stores * VISITS
        ranked = [r for r in rows if r.rank_in_region == 1]
        assert len(ranked) >= REGIONS
        db.session.remove()
        db.engine.dispose()
    return {
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "peak": peak,
        "build": build_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="an empty PostgreSQL database URL to use as well")
    parser.add_argument("--sizes", default="3000,30000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    backends = [("SQLite", None)] + ([("PostgreSQL", args.postgres)] if args.postgres else [])
    for name, url in backends:
        results = {}
        for stores in sizes:
            database_url = url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'ratings.db'}"
            results[stores] = measure(database_url, stores)
            r = results[stores]
            print(
                f"{name:<10} {stores:>6} stores, {stores * VISITS:>7} inspections in the month "
                f"(+{stores * VISITS} the month before): rate all + rank  median {r['median']:.3f} s  "
                f"(min {r['min']:.3f}, max {r['max']:.3f}, {RUNS} runs)  peak Python memory {r['peak'] / 2**20:.1f} MiB  "
                f"[data built in {r['build']:.0f} s]"
            )
        if len(sizes) > 1:
            small, large = sizes[0], sizes[-1]
            print(
                f"{name:<10} growth {small} -> {large} stores: x{results[large]['median'] / results[small]['median']:.1f} time "
                f"for x{large / small:.0f} stores"
            )


if __name__ == "__main__":
    main()
