"""The Alembic history: one head, and `upgrade head` builds exactly the models' schema."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from inspect_app import create_app
from inspect_app.config import PROJECT_ROOT, TestConfig
from inspect_app.extensions import db

MIGRATIONS = PROJECT_ROOT / "migrations"


def test_history_has_a_single_head():
    config = AlembicConfig(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, heads


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


def test_upgrade_head_matches_the_models_and_downgrades_cleanly(empty_database_url, tmp_path):
    app = create_app(
        {"DATABASE_URL": empty_database_url, "PHOTO_DIR": str(tmp_path / "p")},
        config_class=TestConfig,
    )
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
            )
            tables = set(inspect(conn).get_table_names())
        assert diff == []
        assert {t.name for t in db.metadata.sorted_tables} <= tables
        downgrade(directory=str(MIGRATIONS), revision="base")
        with db.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
