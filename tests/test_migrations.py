"""The Alembic history: one head, and `upgrade head` builds exactly the models' schema."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from inspect_app.extensions import db
from tests.migration_support import (
    MIGRATIONS,
    ORGANISATION_ROWS,
    ROW_VALUES,
    upgrade_to,
    upgrade_with_rows,
)


def test_history_has_a_single_head():
    config = AlembicConfig(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, heads


def test_upgrade_head_matches_the_models_and_downgrades_cleanly(migration_app):
    upgrade_to()
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


#: A visit at revision 0007 with two failed answers, each with its own corrective action; the
#: first is recorded with a proof photo, the second still open.
ROWS_0007 = [
    *ORGANISATION_ROWS,
    "INSERT INTO inspections (id, uuid, store_id, checklist_version_id, inspector_id, status, "
    "is_vetoed, draft_revision, visit_date, created_at, updated_at) VALUES (1, "
    "'00000000-0000-4000-8000-000000000001', 1, 1, 1, 'approved', :f, 0, '2026-01-02', :now, :now)",
    "INSERT INTO answers (id, inspection_id, item_id, value, points_earned, points_possible, "
    "is_not_applicable, is_failed, is_veto_failed, employee_no, updated_at) VALUES "
    "(1, 1, 'a.one', '\"fail\"', 0, 5, :f, :t, :f, '0001001', :now), "
    "(2, 1, 'a.two', '\"fail\"', 0, 5, :f, :t, :f, NULL, :now)",
    "INSERT INTO corrective_actions (id, inspection_id, answer_id, status, due_date, "
    "description, recorded_by_id, recorded_at, created_at) VALUES "
    "(7, 1, 1, 'recorded', '2026-01-20', '已整改', 1, :now, :now), "
    "(8, 1, 2, 'open', '2026-01-16', NULL, NULL, NULL, :now)",
    "INSERT INTO photos (id, uuid, inspection_id, item_id, purpose, corrective_action_id, "
    "storage_key, thumbnail_key, byte_size, width, height, sha256, source_sha256, perceptual_hash, "
    "uploaded_by_id, created_at) VALUES (1, '00000000-0000-4000-8000-0000000000f1', 1, 'a.one', "
    "'corrective_action', 7, 'k1', 't1', 10, 8, 8, 's', 's', '0000000000000000', 1, :now)",
]


def test_0008_merges_a_visits_actions_into_one_with_an_item_each_and_splits_them_back(
    migration_app,
):
    upgrade_with_rows("0007", ROWS_0007)
    upgrade_to("0008")
    with db.engine.connect() as conn:
        actions = conn.execute(
            text("SELECT id, inspection_id, status, due_date FROM corrective_actions")
        ).all()
        items = conn.execute(
            text(
                "SELECT id, action_id, answer_id, status, description, recorded_by_id "
                "FROM corrective_action_items ORDER BY answer_id"
            )
        ).all()
        photo = conn.execute(
            text("SELECT corrective_action_id, corrective_action_item_id FROM photos")
        ).one()
        named = conn.execute(text("SELECT id, is_staff_named FROM answers ORDER BY id")).all()
    # One action for the visit: the earliest due date, open while an item is open.
    assert [(a.id, a.inspection_id, a.status, str(a.due_date)) for a in actions] == [
        (7, 1, "open", "2026-01-16")
    ]
    assert [(i.action_id, i.answer_id, i.status, i.description) for i in items] == [
        (7, 1, "recorded", "已整改"),
        (7, 2, "open", None),
    ]
    assert items[0].recorded_by_id == 1
    # A 工号 typed on an item before 0008 stays the item's named person when rescored.
    assert [(a.id, bool(a.is_staff_named)) for a in named] == [(1, True), (2, False)]
    # The proof photo is tied to the item it proves, and to the merged action.
    assert (photo.corrective_action_id, photo.corrective_action_item_id) == (7, items[0].id)
    with db.engine.begin() as conn:  # new items take ids after the merged ones
        conn.execute(
            text(
                "INSERT INTO answers (id, inspection_id, item_id, value, points_earned, "
                "points_possible, is_not_applicable, is_failed, is_veto_failed, "
                "is_staff_named, is_unidentified, updated_at) VALUES (3, 1, 'a.three', "
                "'\"fail\"', 0, 5, :f, :t, :f, :f, :f, :now)"
            ),
            ROW_VALUES,
        )
        new_id = conn.execute(
            text(
                "INSERT INTO corrective_action_items (action_id, answer_id, status) "
                "VALUES (7, 3, 'open') RETURNING id"
            )
        ).scalar_one()
        assert new_id > max(i.id for i in items)
        conn.execute(text("DELETE FROM corrective_action_items WHERE id = :id"), {"id": new_id})
        conn.execute(text("DELETE FROM answers WHERE id = 3"))

    downgrade(directory=str(MIGRATIONS), revision="0007")
    with db.engine.connect() as conn:
        split = conn.execute(
            text(
                "SELECT id, inspection_id, answer_id, status, description, due_date "
                "FROM corrective_actions ORDER BY answer_id"
            )
        ).all()
        photo_action = conn.execute(text("SELECT corrective_action_id FROM photos")).scalar()
    assert [(a.inspection_id, a.answer_id, a.status, a.description) for a in split] == [
        (1, 1, "recorded", "已整改"),
        (1, 2, "open", None),
    ]
    assert photo_action == split[0].id  # the photo follows its item's action


#: Staff at revision 0008: one working, two who left (late evening and just after midnight in
#: the halls, both on 2026-03-01 UTC), one marked as left with no date.
ROWS_0008_STAFF = [
    "INSERT INTO regions (id, code, name, is_active, created_at, updated_at) "
    "VALUES (1, 'N', 'N', :t, :now, :now)",
    "INSERT INTO stores (id, code, name, region_id, is_active, created_at, updated_at) VALUES "
    "(1, '0101', 'S', 1, :t, :now, :now), (2, '0102', 'T', 1, :t, :now, :now)",
    "INSERT INTO staff (id, employee_no, name, store_id, is_active, left_at, created_at, "
    "updated_at) VALUES "
    "(1, '0001001', '张伟', 1, :t, NULL, :now, :now), "
    "(2, '0001002', '李娜', 1, :f, '2026-03-01 15:30:00+00:00', :now, :now), "
    "(3, '0001003', '王芳', 2, :f, '2026-03-01 16:30:00+00:00', :now, :now), "
    "(4, '0001004', '刘洋', 2, :f, NULL, :now, :now)",
]


def test_0009_gives_every_staff_member_a_posting_ended_on_the_halls_date_they_left(
    migration_app,
):
    assert migration_app.config["TIMEZONE"] == "Asia/Shanghai"
    upgrade_with_rows("0008", ROWS_0008_STAFF)
    upgrade_to("0009")
    with db.engine.connect() as conn:
        postings = conn.execute(
            text(
                "SELECT staff_id, store_id, started_on, ended_on FROM staff_postings "
                "ORDER BY staff_id"
            )
        ).all()
    # Since before records; 23:30 and 00:30 in Shanghai: 3-01 and 3-02. No date, no posting.
    assert [(p.staff_id, p.store_id, p.started_on, str(p.ended_on)) for p in postings] == [
        (1, 1, None, "None"),
        (2, 1, None, "2026-03-01"),
        (3, 2, None, "2026-03-02"),
    ]
    with db.engine.begin() as conn:  # the database refuses a second open posting
        conn.execute(text("INSERT INTO staff_postings (staff_id, store_id) VALUES (3, 1)"))
        with pytest.raises(IntegrityError):
            conn.execute(text("INSERT INTO staff_postings (staff_id, store_id) VALUES (3, 2)"))
    downgrade(directory=str(MIGRATIONS), revision="0008")
    with db.engine.connect() as conn:
        assert "staff_postings" not in inspect(conn).get_table_names()
        staff = conn.execute(text("SELECT id, store_id FROM staff ORDER BY id")).all()
    assert [tuple(s) for s in staff] == [(1, 1), (2, 1), (3, 2), (4, 2)]
