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
        from pathlib import Path

        from inspect_app.checklists.operations import checklist_files, sync_directory
        from inspect_app.demo import load_demo
        from inspect_app.extensions import db

        db.create_all()
        sync_directory(checklist_files(Path(app.config["CHECKLIST_DIR"])))
        load_demo()
        db.session.commit()
    server = make_server("127.0.0.1", port, app, threaded=True)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
