"""Run the app for browser tests: `python -m tests.browser.live_server DB_URL PORT PHOTO_DIR`.

Creates the schema, stores the checklists and loads the demo organisation, then
serves on 127.0.0.1:PORT until killed.
"""

from __future__ import annotations

import sys

from werkzeug.serving import make_server

from inspect_app import create_app
from inspect_app.config import TestConfig


def main() -> None:
    database_url, port, photo_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    app = create_app(
        {"DATABASE_URL": database_url, "PHOTO_DIR": photo_dir, "SECRET_KEY": "browser-test"},
        config_class=TestConfig,
    )
    with app.app_context():
        from datetime import date
        from pathlib import Path
        from zoneinfo import ZoneInfo

        from sqlalchemy import select

        from inspect_app.checklists.operations import checklist_files, sync_directory
        from inspect_app.db import utcnow
        from inspect_app.demo import load_demo
        from inspect_app.demo_history import load_demo_history
        from inspect_app.extensions import db
        from inspect_app.inspections.models import Answer, Inspection
        from inspect_app.inspections.storage import LocalPhotoStorage

        db.create_all()
        sync_directory(checklist_files(Path(app.config["CHECKLIST_DIR"])))
        load_demo()
        load_demo_history(
            LocalPhotoStorage(photo_dir), ZoneInfo(app.config["TIMEZONE"]), date.today()
        )
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
