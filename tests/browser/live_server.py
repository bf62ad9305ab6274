"""Run the app for browser tests: `python -m tests.browser.live_server DB_URL PORT PHOTO_DIR`.

Creates the schema, stores the checklists and loads the demo organisation, then
serves on 127.0.0.1:PORT until killed.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from werkzeug.serving import make_server

from inspect_app import create_app
from inspect_app.auth.models import Role
from inspect_app.auth.operations import create_user
from inspect_app.calendar import today_in
from inspect_app.checklists.models import Checklist
from inspect_app.checklists.operations import checklist_files, sync_directory
from inspect_app.config import TestConfig
from inspect_app.db import utcnow
from inspect_app.demo import DEMO_CHECKLIST_KEY, load_demo
from inspect_app.demo_history import load_demo_history
from inspect_app.extensions import db
from inspect_app.inspections.models import Answer, Assignment, AssignmentStatus, Inspection
from inspect_app.photos.storage import LocalPhotoStorage
from inspect_app.stores.models import Store

#: A second inspector with one assignment, for two people sharing one phone.
SECOND_INSPECTOR = ("inspector2", "demo-inspect2-pass", "暗访员 李娜")


def add_second_inspector(today: date) -> None:
    """Create SECOND_INSPECTOR with an open assignment at the demo's fifth hall."""
    username, password, name = SECOND_INSPECTOR
    user = create_user(username, password, Role.INSPECTOR, name)
    store = db.session.scalar(select(Store).order_by(Store.id).offset(4).limit(1))
    user.region_id = store.region_id
    checklist = db.session.scalar(select(Checklist).where(Checklist.key == DEMO_CHECKLIST_KEY))
    db.session.add(
        Assignment(
            inspector_id=user.id,
            store_id=store.id,
            checklist_id=checklist.id,
            window_start=today,
            window_end=today,
            status=AssignmentStatus.PUBLISHED,
        )
    )
    db.session.flush()


def main() -> None:
    database_url, port, photo_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    app = create_app(
        {"DATABASE_URL": database_url, "PHOTO_DIR": photo_dir, "SECRET_KEY": "browser-test"},
        config_class=TestConfig,
    )
    with app.app_context():
        db.create_all()
        sync_directory(checklist_files(Path(app.config["CHECKLIST_DIR"])))
        load_demo()
        load_demo_history(
            LocalPhotoStorage(photo_dir),
            ZoneInfo(app.config["TIMEZONE"]),
            today_in(ZoneInfo(app.config["TIMEZONE"])),
        )
        add_second_inspector(today_in(ZoneInfo(app.config["TIMEZONE"])))
        # The newest visit with a finding in the manager's first hall was approved just now,
        # so its appeal window is open.
        latest = db.session.scalar(
            select(Inspection)
            .join(Answer, Answer.inspection_id == Inspection.id)
            .where(Inspection.store_id == 1, Answer.is_failed)
            .order_by(Inspection.visit_date.desc())
            .limit(1)
        )
        latest.approved_at = utcnow()
        print(latest.uuid, flush=True)
        db.session.commit()
    server = make_server("127.0.0.1", port, app, threaded=True)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
