"""Migration 0006 on existing data: a second visit of one assignment loses the link, not its data."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import text

from inspect_app import create_app
from inspect_app.config import TestConfig
from inspect_app.extensions import db
from tests.test_migrations import MIGRATIONS, empty_database_url

__all__ = ["empty_database_url"]  # a fixture, used by name

ROWS = [
    "INSERT INTO users (id, username, display_name, password_hash, role, is_active, "
    "session_version, created_at) VALUES (1, 'insp', 'insp', 'x', 'inspector', :t, 1, :now)",
    "INSERT INTO regions (id, code, name, is_active, created_at, updated_at) "
    "VALUES (1, 'N', 'N', :t, :now, :now)",
    "INSERT INTO stores (id, code, name, region_id, is_active, created_at, updated_at) "
    "VALUES (1, '0101', 'S', 1, :t, :now, :now)",
    "INSERT INTO checklists (id, key, title, created_at) VALUES (1, 'c', 'c', :now)",
    "INSERT INTO checklist_versions (id, checklist_id, number, content_hash, definition, "
    "source_text, source_name, created_at) VALUES (1, 1, 1, 'h', '{}', '', 'c.yaml', :now)",
    "INSERT INTO assignments (id, inspector_id, store_id, checklist_id, window_start, "
    "window_end, status, created_at, updated_at) "
    "VALUES (1, 1, 1, 1, '2026-01-01', '2026-01-05', 'done', :now, :now)",
]
VISIT = (
    "INSERT INTO inspections (id, uuid, store_id, checklist_version_id, inspector_id, "
    "assignment_id, status, is_vetoed, draft_revision, created_at, updated_at) "
    "VALUES (:id, :uuid, 1, 1, 1, 1, :status, :f, 0, :now, :now)"
)


def test_0006_keeps_the_first_visit_of_an_assignment_linked(empty_database_url, tmp_path):
    app = create_app(
        {"DATABASE_URL": empty_database_url, "PHOTO_DIR": str(tmp_path / "p")},
        config_class=TestConfig,
    )
    with app.app_context():
        upgrade(directory=str(MIGRATIONS), revision="0005")
        values = {"t": True, "f": False, "now": "2026-01-02 10:00:00+00:00"}
        with db.engine.begin() as conn:
            for statement in ROWS:
                conn.execute(text(statement), values)
            for n, status in ((1, "submitted"), (2, "draft"), (3, "draft")):
                uuid = f"00000000-0000-4000-8000-00000000000{n}"
                conn.execute(text(VISIT), {**values, "id": n, "uuid": uuid, "status": status})
        upgrade(directory=str(MIGRATIONS), revision="0006")
        with db.engine.connect() as conn:
            links = dict(conn.execute(text("SELECT id, assignment_id FROM inspections")).all())
        assert links == {1: 1, 2: None, 3: None}
        db.engine.dispose()
