"""Starting a visit nobody assigned, and the service worker route."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from inspect_app.inspections.models import Inspection
from tests.conftest import csrf_from


def test_inspector_can_find_a_hall_and_start_an_unassigned_visit(
    db, inspector_client, org, default_checklist_version
):
    page = inspector_client.get("/visits/new", query_string={"q": "北一"})
    assert page.status_code == 200
    assert "北一营业厅" in page.text and "南一营业厅" not in page.text
    client_uuid = str(uuid.uuid4())
    response = inspector_client.post(
        "/visits/start",
        data={
            "csrf_token": csrf_from(page.text),
            "store_id": org["stores"][0].id,
            "checklist_id": default_checklist_version.checklist_id,
            "uuid": client_uuid,
        },
    )
    assert response.headers["Location"].endswith(client_uuid)
    again = inspector_client.post(
        "/visits/start",
        data={
            "csrf_token": csrf_from(page.text),
            "store_id": org["stores"][0].id,
            "checklist_id": default_checklist_version.checklist_id,
            "uuid": client_uuid,
        },
    )
    assert again.headers["Location"].endswith(client_uuid)  # a double tap opens one visit
    inspection = db.session.scalar(select(Inspection))
    assert (
        inspection.assignment_id is None
        and inspection.checklist_version_id == default_checklist_version.id
    )


def test_unassigned_visits_can_be_switched_off(
    app, inspector_client, org, default_checklist_version
):
    app.config["ALLOW_UNASSIGNED_VISITS"] = False
    try:
        assert inspector_client.get("/visits/new").status_code == 403
        token = csrf_from(inspector_client.get("/visits").text)
        response = inspector_client.post(
            "/visits/start",
            data={
                "csrf_token": token,
                "store_id": org["stores"][0].id,
                "checklist_id": default_checklist_version.checklist_id,
            },
        )
        assert response.status_code == 403
    finally:
        app.config["ALLOW_UNASSIGNED_VISITS"] = True


def test_bad_start_requests_are_refused(inspector_client, org, default_checklist_version):
    token = csrf_from(inspector_client.get("/visits").text)
    bad_uuid = inspector_client.post(
        "/visits/start",
        data={
            "csrf_token": token,
            "store_id": org["stores"][0].id,
            "checklist_id": default_checklist_version.checklist_id,
            "uuid": "x",
        },
    )
    assert bad_uuid.status_code == 400
    unknown_store = inspector_client.post(
        "/visits/start",
        data={
            "csrf_token": token,
            "store_id": 99999,
            "checklist_id": default_checklist_version.checklist_id,
        },
    )
    assert unknown_store.status_code == 404
    someone_elses_assignment = inspector_client.post(
        "/visits/start", data={"csrf_token": token, "assignment_id": 424242}
    )
    assert someone_elses_assignment.status_code == 404


def test_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert "caches" in response.text
