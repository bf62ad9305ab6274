"""The store manager's dashboard with two years of history behind it.

Run: .venv/bin/python bench/bench_dashboard.py [ROUNDS]
Builds a SQLite database with the demo organisation, then gives the manager's first hall
two years of approved inspections (8 a month, every item answered, some findings with
photos) and times GET /stores/<id> for the current month as the manager: median and p90
over ROUNDS requests (default 100). Baseline in the same run: the manager's list of halls.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from inspect_app import create_app
from inspect_app.checklists.operations import checklist_files, sync_directory
from inspect_app.config import TestConfig
from inspect_app.demo import load_demo
from inspect_app.demo_history import load_demo_history
from inspect_app.extensions import db
from inspect_app.photos.storage import photo_storage

MONTHS = 24
VISITS_PER_MONTH = 8


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    tmp = Path(tempfile.mkdtemp())
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}", "PHOTO_DIR": str(tmp / "photos")},
        config_class=TestConfig,
    )
    with app.app_context():
        db.create_all()
        sync_directory(checklist_files(Path(app.config["CHECKLIST_DIR"])))
        load_demo()
        today = date.today()
        created = 0
        # The demo generator makes three months at a time; run it eight times back to back.
        for back in range(0, MONTHS, 3):
            month_index = today.year * 12 + today.month - 1 - back
            anchor = date(month_index // 12, month_index % 12 + 1, 28)
            created += load_demo_history(
                photo_storage(), ZoneInfo("Asia/Shanghai"), anchor, seed=back,
                store_ids=[1], visits_per_month=VISITS_PER_MONTH,
            )  # fmt: skip
        db.session.commit()
    print(f"history: {created} approved inspections of one hall over {MONTHS} months")
    client = app.test_client()
    login = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    client.post(
        "/login", data={"username": "manager", "password": "demo-manager-pass", "csrf_token": token}
    )

    def timed(url: str) -> list[float]:
        samples = []
        for _ in range(rounds):
            start = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
        return samples

    timed("/stores/1")
    dashboard = timed("/stores/1")
    listing = timed("/my-stores")
    for name, samples in (("dashboard /stores/1", dashboard), ("my halls (baseline)", listing)):
        ordered = sorted(samples)
        print(
            f"{name:<22} median {statistics.median(samples) * 1000:6.1f} ms   p90 {ordered[int(0.9 * (len(ordered) - 1))] * 1000:6.1f} ms   ({rounds} rounds)"
        )


if __name__ == "__main__":
    main()
