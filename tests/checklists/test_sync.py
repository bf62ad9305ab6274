"""Storing checklists: immutable versions, the sync and validate commands, the pages."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from inspect_app.checklists.models import Checklist, ChecklistVersion, ImmutableVersionError
from inspect_app.checklists.operations import definition_of, sync_directory
from tests.conftest import DEFAULT_CHECKLIST

SMALL = """\
key: small
title: 小检查表
rating:
  star_thresholds: {1: 0, 2: 60, 3: 75, 4: 85, 5: 95}
  min_inspections: 2
sections:
  - id: hall
    title: 厅堂
    weight: 1
    items:
      - id: hall.clean
        text: 厅堂整洁
        type: pass_fail
        points: %s
"""


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_sync_stores_a_version_once_and_a_new_one_on_change(db, tmp_path):
    path = _write(tmp_path, "small.yaml", SMALL % 2)
    first, errors = sync_directory([path])
    assert errors == [] and first[0].is_new and first[0].version.number == 1
    db.session.commit()

    # Same content, different comments and layout: no new version.
    _write(tmp_path, "small.yaml", "# edited comment\n" + SMALL % 2 + "\n\n")
    again, _ = sync_directory([path])
    assert not again[0].is_new and again[0].version.number == 1

    _write(tmp_path, "small.yaml", SMALL % 3)
    changed, _ = sync_directory([path])
    db.session.commit()
    assert changed[0].is_new and changed[0].version.number == 2
    checklist = db.session.scalar(select(Checklist).where(Checklist.key == "small"))
    assert checklist.active_version.number == 2
    old = next(v for v in checklist.versions if v.number == 1)
    assert definition_of(old).item("hall.clean").points == 2


def test_reverting_a_file_puts_its_earlier_version_back_in_use(db, tmp_path):
    path = _write(tmp_path, "small.yaml", SMALL % 2)
    sync_directory([path])
    _write(tmp_path, "small.yaml", SMALL % 3)
    sync_directory([path])
    _write(tmp_path, "small.yaml", SMALL % 2)
    reverted, _ = sync_directory([path])
    db.session.commit()
    assert reverted[0].reactivated and reverted[0].version.number == 1
    checklist = db.session.scalar(select(Checklist).where(Checklist.key == "small"))
    assert checklist.active_version.number == 1
    assert len(checklist.versions) == 2


def test_one_invalid_file_means_nothing_is_stored(db, tmp_path):
    good = _write(tmp_path, "a.yaml", SMALL % 2)
    bad = _write(
        tmp_path, "b.yaml", (SMALL % 2).replace("small", "other").replace("pass_fail", "yes_no")
    )
    stored, errors = sync_directory([good, bad])
    assert stored == []
    assert any("yes_no" in e.message and e.item_id == "hall.clean" for e in errors)
    assert db.session.scalar(select(func.count()).select_from(ChecklistVersion)) == 0


def test_two_files_with_one_key_are_refused(db, tmp_path):
    a = _write(tmp_path, "a.yaml", SMALL % 2)
    b = _write(tmp_path, "b.yaml", SMALL % 3)
    stored, errors = sync_directory([a, b])
    assert stored == [] and "small" in errors[0].message


def test_a_stored_version_cannot_be_changed_or_deleted(db, default_checklist_version):
    version = db.session.get(ChecklistVersion, default_checklist_version.id)
    version.definition = {**version.definition, "title": "tampered"}
    with pytest.raises(ImmutableVersionError):
        db.session.flush()
    db.session.rollback()
    version = db.session.get(ChecklistVersion, default_checklist_version.id)
    db.session.delete(version)
    with pytest.raises(ImmutableVersionError):
        db.session.flush()
    db.session.rollback()
    assert (
        db.session.get(ChecklistVersion, default_checklist_version.id).definition["title"]
        != "tampered"
    )


def test_validate_command_reports_ok_and_errors_with_exit_codes(app, tmp_path):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["checklists", "validate", str(DEFAULT_CHECKLIST)])
    assert ok.exit_code == 0, ok.output
    assert "OK" in ok.output and "business-hall-mystery-shop" in ok.output
    bad = _write(tmp_path, "bad.yaml", (SMALL % -1))
    failed = runner.invoke(args=["checklists", "validate", str(bad)])
    assert failed.exit_code == 1
    assert f"{bad}:14: [hall.clean]" in failed.output
    assert "Traceback" not in failed.output


def test_sync_command_stores_versions_and_fails_cleanly(app, db, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["checklists", "sync", str(DEFAULT_CHECKLIST)])
    assert result.exit_code == 0, result.output
    assert "business-hall-mystery-shop v1" in result.output
    again = runner.invoke(args=["checklists", "sync", str(DEFAULT_CHECKLIST)])
    assert "v1" in again.output and again.exit_code == 0
    broken = _write(tmp_path, "broken.yaml", "key: [unclosed\n")
    failed = runner.invoke(args=["checklists", "sync", str(broken)])
    assert failed.exit_code == 1
    assert "broken.yaml:1" in failed.output  # where the bracket opened
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ChecklistVersion)) == 1


def test_checklist_pages_list_versions_and_items(reviewer_client, default_checklist_version):
    index = reviewer_client.get("/checklists")
    assert index.status_code == 200
    assert "business-hall-mystery-shop" in index.text
    page = reviewer_client.get("/checklists/business-hall-mystery-shop/v1")
    assert page.status_code == 200
    definition = definition_of(default_checklist_version)
    for item in definition.items:
        assert item.text in page.text
    assert reviewer_client.get("/checklists/business-hall-mystery-shop/v9").status_code == 404
    assert reviewer_client.get("/checklists/nope/v1").status_code == 404
