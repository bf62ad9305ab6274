"""The demo command: database, checklists and a small organisation, once."""

from __future__ import annotations

from sqlalchemy import func, select

from inspect_app.auth.models import Role, User
from inspect_app.checklists.models import Checklist
from inspect_app.demo import DEMO_PASSWORDS, load_demo
from inspect_app.inspections.models import Assignment
from inspect_app.stores.models import Region, Staff, Store
from tests.conftest import DEFAULT_CHECKLIST, sign_in


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_loads_a_realistic_organisation_once(db):
    from inspect_app.checklists.operations import sync_directory

    sync_directory([DEFAULT_CHECKLIST])
    assert load_demo() is True
    db.session.commit()
    assert _count(db, Region) == 2
    assert _count(db, Store) == 6
    assert _count(db, Staff) == 30
    assert {Role(u.role) for u in db.session.scalars(select(User))} == set(Role)
    assert all(s.employee_no.startswith("00") for s in db.session.scalars(select(Staff)))
    assert _count(db, Assignment) == 3
    assert load_demo() is False  # a second run changes nothing
    assert _count(db, Staff) == 30


def test_every_demo_sign_in_works_and_shows_its_page(app, db):
    from inspect_app.checklists.operations import sync_directory

    sync_directory([DEFAULT_CHECKLIST])
    load_demo()
    db.session.commit()
    for username, (_role, password) in DEMO_PASSWORDS.items():
        client = app.test_client()
        assert sign_in(client, username, password).status_code == 302, username
        page = client.get("/", follow_redirects=True)
        assert page.status_code == 200
        assert "Traceback" not in page.text
    inspector = app.test_client()
    sign_in(inspector, "inspector", DEMO_PASSWORDS["inspector"][1])
    visits = inspector.get("/visits").text
    assert "解放路营业厅" in visits  # an assignment from the demo plan


def test_demo_command_upgrades_syncs_and_prints_sign_ins(tmp_path, monkeypatch):
    from inspect_app import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/demo.db", "DEMO": True})
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    for username, (_role, password) in DEMO_PASSWORDS.items():
        assert username in result.output and password in result.output
    with app.app_context():
        from inspect_app.extensions import db

        assert db.session.scalar(select(func.count()).select_from(Checklist)) == 1
        assert db.session.scalar(select(func.count()).select_from(Store)) == 6
        db.engine.dispose()
    again = app.test_cli_runner().invoke(args=["demo"])
    assert again.exit_code == 0 and "演示数据已存在" in again.output
