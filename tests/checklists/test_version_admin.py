"""Admins choose the version new inspections use and see what changed between versions."""

from __future__ import annotations

from sqlalchemy import select

from inspect_app.checklists.models import Checklist
from inspect_app.checklists.operations import sync_directory
from tests.conftest import DEFAULT_CHECKLIST, csrf_from


def test_activate_an_older_version_and_see_the_diff(
    admin_client, db, default_checklist_version, tmp_path
):
    edited = tmp_path / "v2.yaml"
    edited.write_text(
        DEFAULT_CHECKLIST.read_text(encoding="utf-8").replace(
            "min_inspections: 2", "min_inspections: 3"
        ),
        encoding="utf-8",
    )
    sync_directory([edited])
    db.session.commit()
    checklist = db.session.scalar(select(Checklist))
    assert checklist.active_version.number == 2
    token = csrf_from(admin_client.get("/checklists").text)
    response = admin_client.post(
        f"/checklists/{checklist.key}/v1/activate", data={"csrf_token": token}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Checklist)).active_version.number == 1
    page = admin_client.get(f"/checklists/{checklist.key}/diff", query_string={"from": 1, "to": 2})
    assert page.status_code == 200 and "min_inspections" in page.text
    same = admin_client.get(f"/checklists/{checklist.key}/diff", query_string={"from": 1, "to": 1})
    assert "两个版本内容相同" in same.text
    assert admin_client.get(f"/checklists/{checklist.key}/diff").status_code == 400
    assert (
        admin_client.get(
            f"/checklists/{checklist.key}/diff", query_string={"from": 1, "to": 9}
        ).status_code
        == 404
    )


def test_reviewers_see_versions_but_cannot_switch_them(reviewer_client, default_checklist_version):
    token = csrf_from(reviewer_client.get("/checklists").text)
    key = "business-hall-mystery-shop"
    assert (
        reviewer_client.post(
            f"/checklists/{key}/v1/activate", data={"csrf_token": token}
        ).status_code
        == 403
    )
