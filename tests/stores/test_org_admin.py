"""Admins keep regions, halls and staff: create, edit, deactivate, move; duplicates refused."""

from __future__ import annotations

from sqlalchemy import select

from inspect_app.audit.models import AuditEvent
from inspect_app.stores.models import Region, Staff, Store
from tests.conftest import csrf_from


def _post(client, url, data):
    token = csrf_from(client.get("/stores").text)
    return client.post(url, data={"csrf_token": token, **data})


def test_create_and_edit_a_hall_and_refuse_a_duplicate_code(admin_client, db, org):
    north = org["regions"][0]
    created = _post(
        admin_client,
        "/admin/stores/new",
        {"code": "0103", "name": "北三营业厅", "region_id": north.id},
    )
    assert created.status_code == 302
    store = db.session.scalar(select(Store).where(Store.code == "0103"))
    assert store.region_id == north.id and store.is_active
    duplicate = _post(
        admin_client, "/admin/stores/new", {"code": "0101", "name": "重复", "region_id": north.id}
    )
    assert duplicate.status_code == 422 and "0101" in duplicate.text
    deactivated = _post(
        admin_client,
        f"/admin/stores/{store.id}",
        {"code": "0103", "name": "北三营业厅", "region_id": north.id},
    )
    assert deactivated.status_code == 302
    db.session.expire_all()
    assert not db.session.get(Store, store.id).is_active
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "store.update")).details[
        "is_active"
    ] == ["True", "False"]
    assert (
        _post(
            admin_client, "/admin/stores/new", {"code": "", "name": "x", "region_id": north.id}
        ).status_code
        == 422
    )
    assert (
        _post(
            admin_client, "/admin/stores/new", {"code": "0999", "name": "x", "region_id": 999}
        ).status_code
        == 422
    )


def test_staff_move_between_halls_and_leave_without_being_deleted(admin_client, db, org):
    person = db.session.scalar(select(Staff).where(Staff.employee_no == "00001"))
    target = org["stores"][2]
    moved = _post(admin_client, f"/admin/staff/{person.id}", {
        "employee_no": "00001", "name": person.name, "store_id": target.id, "is_active": "1",
    })  # fmt: skip
    assert moved.status_code == 302
    left = _post(
        admin_client,
        f"/admin/staff/{person.id}",
        {"employee_no": "00001", "name": person.name, "store_id": target.id},
    )
    assert left.status_code == 302
    db.session.expire_all()
    person = db.session.get(Staff, person.id)
    assert person.store_id == target.id and not person.is_active and person.left_at is not None
    new = _post(
        admin_client,
        "/admin/staff/new",
        {"employee_no": "0000777", "name": "新人", "store_id": target.id},
    )
    assert new.status_code == 302
    assert db.session.scalar(select(Staff).where(Staff.employee_no == "0000777")).is_active
    dup = _post(
        admin_client,
        "/admin/staff/new",
        {"employee_no": "00101", "name": "重复", "store_id": target.id},
    )
    assert dup.status_code == 422


def test_regions_are_added_and_renamed(admin_client, db, org):
    assert _post(admin_client, "/admin/regions", {"code": "W", "name": "西区"}).status_code == 302
    west = db.session.scalar(select(Region).where(Region.code == "W"))
    assert (
        _post(
            admin_client,
            "/admin/regions",
            {"id": west.id, "code": "W", "name": "西部区域", "is_active": "1"},
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Region, west.id).name == "西部区域"
    assert _post(admin_client, "/admin/regions", {"code": "N", "name": "重复"}).status_code == 422


def test_only_admins_keep_the_organisation(hr_client, org):
    assert hr_client.get("/admin/stores/new").status_code == 403
    assert hr_client.get("/admin/regions").status_code == 403
    assert hr_client.get(f"/admin/stores/{org['stores'][0].id}").status_code == 403
