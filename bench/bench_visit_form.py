"""The visit form: bytes a phone downloads on first load, and server render time.

Run: .venv/bin/python bench/bench_visit_form.py [ROUNDS]
Builds a throwaway SQLite database with the demo data, opens a visit on the default
checklist, then (a) counts the gzip-compressed bytes of the page and of every CSS and
JavaScript file it loads, and (b) renders the page ROUNDS times (default 300) through the
WSGI app and prints the median and p99. As a baseline in the same run it also renders
the inspector's home page, the lightest signed-in page.
"""

from __future__ import annotations

import gzip
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from inspect_app import create_app
from inspect_app.checklists.operations import checklist_files, sync_directory
from inspect_app.config import TestConfig
from inspect_app.demo import DEMO_PASSWORDS, load_demo
from inspect_app.extensions import db

TARGET_GZIP_BYTES = 60 * 1024


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    tmp = Path(tempfile.mkdtemp())
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}", "PHOTO_DIR": str(tmp / "photos")},
        config_class=TestConfig,
    )
    with app.app_context():
        db.create_all()
        sync_directory(checklist_files(Path(app.config["CHECKLIST_DIR"])))
        load_demo()
        db.session.commit()
    client = app.test_client()
    login = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    client.post(
        "/login",
        data={
            "username": "inspector",
            "password": DEMO_PASSWORDS["inspector"][1],
            "csrf_token": token,
        },
    )
    home = client.get("/visits").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)
    assignment = re.search(r'name="assignment_id" value="(\d+)"', home).group(1)
    visit_url = client.post(
        "/visits/start", data={"csrf_token": token, "assignment_id": assignment}
    ).headers["Location"]

    page = client.get(visit_url)
    assert page.status_code == 200
    html = page.data
    assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', page.text)
    sizes = {"page HTML": (len(html), len(gzip.compress(html, 6)))}
    for asset in assets:
        body = client.get(asset).data
        sizes[asset] = (len(body), len(gzip.compress(body, 6)))
    sw = client.get("/sw.js").data
    sizes["/sw.js (installed after load)"] = (len(sw), len(gzip.compress(sw, 6)))
    print("First load of the visit form (default checklist, 67 items):")
    total = 0
    for name, (raw, packed) in sizes.items():
        print(f"  {name:<34} {raw / 1024:7.1f} KB raw  {packed / 1024:6.1f} KB gzip")
        total += packed
    print(
        f"  {'total':<34} {'':>14}  {total / 1024:6.1f} KB gzip  (target <= {TARGET_GZIP_BYTES / 1024:.0f} KB: {'met' if total <= TARGET_GZIP_BYTES else 'MISSED'})"
    )

    def timed(url: str) -> list[float]:
        samples = []
        for _ in range(rounds):
            start = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - start)
            assert response.status_code == 200
        return samples

    timed(visit_url)  # warm caches (form class, templates)
    form_times = timed(visit_url)
    home_times = timed("/visits")
    for name, samples in (("visit form", form_times), ("home (baseline)", home_times)):
        print(
            f"render {name:<16} median {statistics.median(samples) * 1000:6.2f} ms   p99 {percentile(samples, 0.99) * 1000:6.2f} ms   ({rounds} rounds)"
        )
    print(
        f"form / home median: {statistics.median(form_times) / statistics.median(home_times):.1f}x"
    )


if __name__ == "__main__":
    main()
