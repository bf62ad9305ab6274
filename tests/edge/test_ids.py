"""Ids and counts too large for any integer column are a 404 or ignored, never a 500."""

from __future__ import annotations

import uuid

from inspect_app.edge import MAX_ID
from inspect_app.stores.models import Region
from tests.conftest import csrf_from, post_form

HUGE = 10**30  # too large for SQLite's driver
WIDE = 2**40  # fits SQLite, overflows PostgreSQL's integer

PAGES = [
    "/stores?page={n}", "/stores?region={n}", "/my-stores?page={n}", "/review?page={n}",
    "/review?store={n}&region={n}&inspector={n}&checklist={n}", "/ratings?checklist={n}",
    "/admin/staff/new?store={n}",
]  # fmt: skip
MISSING = [
    "/stores/{n}", "/admin/users/{n}", "/admin/stores/{n}", "/checklists/default/v{n}",
    "/exports/{n}", "/exports/stores.csv?region={n}",
]  # fmt: skip


def test_huge_ids_in_urls_and_query_strings(admin_client, org, default_checklist_version):
    for n in (HUGE, WIDE, MAX_ID + 1):
        for url in PAGES:
            response = admin_client.get(url.format(n=n))
            assert response.status_code == 200, (url, n, response.status_code)
        for url in MISSING:
            assert admin_client.get(url.format(n=n)).status_code == 404, (url, n)
    assert admin_client.get(f"/stores/{org['stores'][0].id}").status_code == 200


def test_huge_ids_in_forms_are_treated_as_absent(db, admin_client, org):
    response = post_form(admin_client, "/admin/regions", {"id": HUGE, "code": "W", "name": "西区"})
    assert response.status_code == 302  # saved as a new region, as without an id
    assert db.session.query(Region).filter_by(code="W").count() == 1
    response = post_form(
        admin_client,
        "/admin/users/new",
        {"username": "zz", "role": "inspector", "store_ids": [str(HUGE), str(WIDE)]},
    )
    assert response.status_code < 500


def test_huge_ids_in_json_never_500(inspector_client, org, default_checklist_version):
    token = csrf_from(inspector_client.get("/visits").text)
    store = org["stores"][0].id
    for body in (
        {"assignment_id": WIDE},
        {"store_id": WIDE, "checklist_id": WIDE},
        {"store_id": store, "checklist_id": WIDE},
        {"assignment_id": HUGE},
    ):
        response = inspector_client.post(
            "/api/visits/start",
            json={"uuid": str(uuid.uuid4()), **body},
            headers={"X-CSRFToken": token},
        )
        assert 400 <= response.status_code < 500, (body, response.status_code)
        assert response.json["ok"] is False
