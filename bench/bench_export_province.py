"""A province's quarter through the real export job: 2,000 halls, 24,000 visits, ~1.4 million rows.

Run: .venv/bin/python bench/bench_export_province.py [STORES]   (default 2000)
Builds a SQLite database with STORES halls in 20 regions, 12 approved visits per hall in one
quarter and every default-checklist item answered (about 58 rows a visit), five staff per hall and
every person-item attributed to one of the two who served (so the 员工考核 roll-up has the
province's ~10,000 people to rate and rank), then runs the export
job exactly as the app does (SQL roll-ups, streamed item detail, write-only workbook) and reports
the wall time, the detail rows written, the sheets and the peak resident memory of the process.
While it runs, a second thread keeps making small writes, to show the export does not hold
SQLite's write lock.
"""

from __future__ import annotations

import random
import resource
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select, update

from inspect_app import create_app
from inspect_app.auth.models import Role, User
from inspect_app.checklists.operations import definition_of, sync_directory
from inspect_app.config import PROJECT_ROOT, TestConfig
from inspect_app.extensions import db
from inspect_app.inspections.models import Answer, Inspection, ServedStaff
from inspect_app.reports.exports import run_export, start_export
from inspect_app.reports.models import ExportJob
from inspect_app.stores.models import Region, Staff, Store

VISITS = 12


def build(stores: int) -> None:

    rng = random.Random(3)
    db.create_all()
    version = sync_directory([PROJECT_ROOT / "checklists" / "business-hall-mystery-shop.yaml"])[0][
        0
    ].version
    items = [i for i in definition_of(version).items if not i.show_if]
    user = User(username="hr", display_name="hr", password_hash="x", role=Role.HR)
    db.session.add(user)
    db.session.commit()
    db.session.execute(insert(Region), [{"code": f"R{r}", "name": f"区域{r}"} for r in range(20)])
    regions = db.session.scalars(select(Region.id)).all()
    db.session.execute(
        insert(Store),
        [
            {"code": f"{n:06d}", "name": f"营业厅{n}", "region_id": regions[n % 20]}
            for n in range(stores)
        ],
    )
    store_ids = db.session.scalars(select(Store.id)).all()
    db.session.execute(
        insert(Staff),
        [
            {
                "employee_no": f"{store_id:05d}{n:02d}",
                "name": f"员工{store_id}-{n}",
                "store_id": store_id,
            }
            for store_id in store_ids
            for n in range(1, 6)
        ],
    )
    staff_of: dict[int, list[tuple[int, str]]] = {}
    for staff_id, employee_no, store_id in db.session.execute(
        select(Staff.id, Staff.employee_no, Staff.store_id).order_by(Staff.id)
    ):
        staff_of.setdefault(store_id, []).append((staff_id, employee_no))
    quarter = date(2026, 7, 1)
    next_id = 1
    for store_id in store_ids:
        inspections, answers, served_rows = [], [], []
        for _ in range(VISITS):
            served = rng.sample(staff_of[store_id], 2)
            served_rows += [
                {"inspection_id": next_id, "staff_id": staff_id, "position": position}
                for position, (staff_id, _) in enumerate(served)
            ]
            inspections.append({
                "id": next_id, "uuid": str(uuid.UUID(int=rng.getrandbits(128))), "store_id": store_id,
                "checklist_version_id": version.id, "inspector_id": user.id, "status": "approved",
                "visit_date": quarter + timedelta(days=rng.randint(0, 90)),
                "score_percent": Decimal(rng.randint(70000, 100000)) / 1000, "is_vetoed": False, "draft_revision": 0,
            })  # fmt: skip
            for item in items:
                failed = rng.random() < 0.05
                answers.append({
                    "inspection_id": next_id, "item_id": item.id, "value": "fail" if failed else "pass",
                    "points_earned": Decimal(0) if failed else item.points, "points_possible": item.points,
                    "is_not_applicable": False, "is_failed": failed, "is_veto_failed": False,
                    "staff_id": served[0][0] if item.staff else None,
                    "employee_no": served[0][1] if item.staff else None,
                    "comment": "现场发现问题" if failed else None,
                })  # fmt: skip
            next_id += 1
        db.session.execute(insert(Inspection), inspections)
        db.session.execute(insert(Answer), answers)
        db.session.execute(insert(ServedStaff), served_rows)
    db.session.commit()


def main() -> None:
    stores = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    tmp = Path(tempfile.mkdtemp())
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp / 'province.db'}", "EXPORT_DIR": str(tmp / "exports"),
         "SQLITE_IMMEDIATE_OUTSIDE_REQUESTS": True},
        config_class=TestConfig,
    )  # fmt: skip
    with app.app_context():
        started = time.perf_counter()
        build(stores)
        print(
            f"data: {stores} halls, {stores * VISITS} visits built in {time.perf_counter() - started:.0f} s"
        )
        job = start_export(1, "2026-Q3", None)
        db.session.commit()
        job_id = job.id

    stop = threading.Event()
    writes: list[float] = []

    def writer() -> None:
        with app.app_context():
            while not stop.is_set():
                begin = time.perf_counter()
                db.session.execute(update(Region).where(Region.id == 1).values(name="区域0"))
                db.session.commit()
                writes.append(time.perf_counter() - begin)
                time.sleep(0.2)

    other = threading.Thread(target=writer)
    other.start()
    started = time.perf_counter()
    run_export(app, job_id)
    elapsed = time.perf_counter() - started
    stop.set()
    other.join()
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        print(
            f"export: status {job.status}, {job.rows_done} detail rows, {job.byte_size / 2**20:.1f} MiB file, {elapsed:.1f} s"
        )
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak resident memory of this process: {peak_kib / 1024:.0f} MiB")
    print(
        f"meanwhile {len(writes)} small writes by another thread: slowest {max(writes) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
