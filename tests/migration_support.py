"""What migration tests share: a brand-new empty database, rows written at an old revision.

Data migrations are tested by upgrading an empty database to the revision before, inserting rows
as that revision's schema had them (plain SQL, since the models describe only the newest schema),
then upgrading and reading the result.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from inspect_app import create_app
from inspect_app.config import PROJECT_ROOT, TestConfig
from inspect_app.extensions import db

MIGRATIONS = PROJECT_ROOT / "migrations"

#: Bound parameters the rows below use.
ROW_VALUES = {"t": True, "f": False, "now": "2026-01-02 10:00:00+00:00"}

#: A user, a region, a hall and a checklist with one version, as every revision since 0001 has them.
ORGANISATION_ROWS = [
    "INSERT INTO users (id, username, display_name, password_hash, role, is_active, "
    "session_version, created_at) VALUES (1, 'insp', 'insp', 'x', 'inspector', :t, 1, :now)",
    "INSERT INTO regions (id, code, name, is_active, created_at, updated_at) "
    "VALUES (1, 'N', 'N', :t, :now, :now)",
    "INSERT INTO stores (id, code, name, region_id, is_active, created_at, updated_at) "
    "VALUES (1, '0101', 'S', 1, :t, :now, :now)",
    "INSERT INTO checklists (id, key, title, created_at) VALUES (1, 'c', 'c', :now)",
    "INSERT INTO checklist_versions (id, checklist_id, number, content_hash, definition, "
    "source_text, source_name, created_at) VALUES (1, 1, 1, 'h', '{}', '', 'c.yaml', :now)",
]


@pytest.fixture
def empty_database_url(database_url: str, tmp_path) -> Iterator[str]:
    """A brand-new empty database of the same kind the suite runs on."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    url = make_url(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"inspect_migrate_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def migration_app(empty_database_url: str, tmp_path) -> Iterator[Flask]:
    """The app on a brand-new empty database, inside its app context; no tables yet."""
    app = create_app(
        {"DATABASE_URL": empty_database_url, "PHOTO_DIR": str(tmp_path / "p")},
        config_class=TestConfig,
    )
    with app.app_context():
        yield app
        db.engine.dispose()


def upgrade_with_rows(before: str, rows: list[str], **values) -> None:
    """Upgrade to revision `before` and insert `rows` (SQL with ROW_VALUES and `values` bound)."""
    upgrade(directory=str(MIGRATIONS), revision=before)
    with db.engine.begin() as conn:
        for statement in rows:
            conn.execute(text(statement), {**ROW_VALUES, **values})


def upgrade_to(revision: str = "head") -> None:
    upgrade(directory=str(MIGRATIONS), revision=revision)
