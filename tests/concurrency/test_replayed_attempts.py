"""One attempt id sent many times at once is applied once, and every copy gets the same answer."""

from __future__ import annotations

import io
import uuid as uuid_module

import pytest
from sqlalchemy import func, select

from inspect_app.audit.models import AuditEvent
from inspect_app.inspections.attempts import RequestAttempt
from inspect_app.inspections.models import Inspection
from inspect_app.photos.models import Photo
from tests.concurrency.conftest import at_once, clones
from tests.conftest import csrf_from
from tests.fixtures.visits import PHOTO_ALWAYS, jpeg_bytes, visit_payload

pytestmark = pytest.mark.postgres_only


def test_ten_copies_of_one_submit_attempt_submit_once(app, db, visit):
    for n, item_id in enumerate(PHOTO_ALWAYS):
        assert visit.photo(str(uuid_module.uuid4()), item_id, jpeg_bytes(n)).status_code == 201
    body, token = visit_payload(visit.definition), visit.token
    phones = clones(app, visit.client, 10)
    url = f"/api/visits/{visit.uuid}/submit"
    headers = {"X-CSRFToken": token, "Idempotency-Key": "one-submit-attempt"}

    replies = at_once(10, lambda i: phones[i].post(url, json=body, headers=headers))
    statuses = sorted(r.status_code for r in replies)
    # Copies that arrive while the first is still running are told to retry (409 in_progress);
    # every other copy gets the first outcome. None is a 500, none is applied again.
    assert set(statuses) <= {200, 409}, statuses
    assert all(r.json.get("code") == "in_progress" for r in replies if r.status_code == 409)
    finished = [r.json for r in replies if r.status_code == 200]
    assert finished and all(j == finished[0] for j in finished)
    retry = phones[0].post(url, json=body, headers=headers)
    assert retry.status_code == 200 and retry.json == finished[0]
    submits = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "inspection.submit")
    )
    assert submits == 1
    assert db.session.scalar(select(func.count()).select_from(RequestAttempt)) == 1


def test_ten_copies_of_one_start_attempt_open_one_visit(app, db, inspector_client, assignment):
    token = csrf_from(inspector_client.get("/visits").text)
    phone_uuid = str(uuid_module.uuid4())
    body = {"uuid": phone_uuid, "assignment_id": assignment.id}
    headers = {"X-CSRFToken": token, "Idempotency-Key": "one-start-attempt"}
    phones = clones(app, inspector_client, 10)
    replies = at_once(10, lambda i: phones[i].post("/api/visits/start", json=body, headers=headers))
    assert {r.status_code for r in replies} <= {201, 409}
    assert all(r.json["uuid"] == phone_uuid for r in replies if r.status_code == 201)
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == 1


def test_ten_copies_of_one_photo_attempt_store_one_photo(app, db, visit):
    data, photo_uuid, token = jpeg_bytes(3), str(uuid_module.uuid4()), visit.token
    phones = clones(app, visit.client, 10)

    def upload(i: int):
        return phones[i].post(
            f"/api/visits/{visit.uuid}/photos",
            data={"uuid": photo_uuid, "item_id": PHOTO_ALWAYS[0], "photo": (io.BytesIO(data), "p.jpg")},
            headers={"X-CSRFToken": token, "Idempotency-Key": "one-photo-attempt"},
            content_type="multipart/form-data",
        )  # fmt: skip

    replies = at_once(10, upload)
    assert {r.status_code for r in replies} <= {200, 201, 409}
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 1
