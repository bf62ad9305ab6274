"""Migration 0006 on existing data: a second visit of one assignment loses the link, not its data."""

from __future__ import annotations

from sqlalchemy import text

from inspect_app.extensions import db
from tests.migration_support import ORGANISATION_ROWS, ROW_VALUES, upgrade_to, upgrade_with_rows

ROWS = [
    *ORGANISATION_ROWS,
    "INSERT INTO assignments (id, inspector_id, store_id, checklist_id, window_start, "
    "window_end, status, created_at, updated_at) "
    "VALUES (1, 1, 1, 1, '2026-01-01', '2026-01-05', 'done', :now, :now)",
]
VISIT = (
    "INSERT INTO inspections (id, uuid, store_id, checklist_version_id, inspector_id, "
    "assignment_id, status, is_vetoed, draft_revision, created_at, updated_at) "
    "VALUES (:id, :uuid, 1, 1, 1, 1, :status, :f, 0, :now, :now)"
)


def test_0006_keeps_the_first_visit_of_an_assignment_linked(migration_app):
    upgrade_with_rows("0005", ROWS)
    with db.engine.begin() as conn:
        for n, status in ((1, "submitted"), (2, "draft"), (3, "draft")):
            uuid = f"00000000-0000-4000-8000-00000000000{n}"
            conn.execute(text(VISIT), {**ROW_VALUES, "id": n, "uuid": uuid, "status": status})
    upgrade_to("0006")
    with db.engine.connect() as conn:
        links = dict(conn.execute(text("SELECT id, assignment_id FROM inspections")).all())
    assert links == {1: 1, 2: None, 3: None}
