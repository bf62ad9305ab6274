"""What the phone's outbox relies on: 401 before CSRF, token renewal, replayed attempts, offline starts."""

from __future__ import annotations

import html
import io
import json
import re
import uuid as uuid_module
from datetime import timedelta

from sqlalchemy import func, select

from inspect_app.audit.models import AuditEvent
from inspect_app.auth.models import Role
from inspect_app.db import utcnow
from inspect_app.inspections.attempts import RequestAttempt
from inspect_app.inspections.form_rules import item_rules
from inspect_app.inspections.models import Inspection, InspectionStatus
from inspect_app.inspections.queries import inspection_by_uuid
from inspect_app.photos.models import Photo
from inspect_app.review.operations import return_inspection
from tests.conftest import PASSWORD, csrf_from, sign_in
from tests.fixtures.visits import PHOTO_ALWAYS, jpeg_bytes, visit_payload


def _photos_for_always_items(visit) -> None:
    for n, item_id in enumerate(PHOTO_ALWAYS):
        assert visit.photo(str(uuid_module.uuid4()), item_id, jpeg_bytes(n)).status_code == 201


def _submit(visit, body, key: str):
    return visit.client.post(
        f"/api/visits/{visit.uuid}/submit",
        json=body,
        headers={"X-CSRFToken": visit.token, "Idempotency-Key": key},
    )


def test_a_script_without_a_session_hears_sign_in_again_not_form_expired(app, db, visit):
    signed_out = app.test_client()
    for url in (
        f"/api/visits/{visit.uuid}/draft",
        f"/api/visits/{visit.uuid}/submit",
        f"/api/visits/{visit.uuid}/photos",
        "/api/visits/start",
    ):
        # No cookie and no CSRF token at all: the answer is still 401, in Chinese, as JSON.
        response = signed_out.post(url, json={}, headers={"Accept": "application/json"})
        assert response.status_code == 401, url
        assert "重新登录" in response.json["message"]


def test_a_stale_token_is_refused_distinctly_and_a_fresh_one_works(app, db, visit):
    body = visit_payload(visit.definition)
    stale = visit.client.post(
        f"/api/visits/{visit.uuid}/draft", json=body, headers={"X-CSRFToken": "stale-token"}
    )
    assert stale.status_code == 403
    assert stale.json["code"] == "csrf" and stale.json["csrf_url"] == "/api/csrf-token"
    fresh = visit.client.get("/api/csrf-token")
    assert fresh.status_code == 200 and fresh.headers["Cache-Control"] == "no-store"
    retried = visit.client.post(
        f"/api/visits/{visit.uuid}/draft", json=body, headers={"X-CSRFToken": fresh.json["token"]}
    )
    assert retried.status_code == 200
    assert app.test_client().get("/api/csrf-token").status_code == 401


def test_a_replayed_submit_returns_its_first_outcome_and_never_undoes_a_return(
    db, visit, make_user
):
    _photos_for_always_items(visit)
    body = visit_payload(visit.definition)
    first = _submit(visit, body, "attempt-0001-submit")
    assert first.status_code == 200 and first.json["status"] == "submitted", first.json
    reviewer = make_user(Role.REVIEWER)
    inspection = inspection_by_uuid(visit.uuid)
    return_inspection(inspection, reviewer, "请补拍价目表", {"hygiene.price_list": "看不清"})
    db.session.commit()

    replay = _submit(visit, body, "attempt-0001-submit")
    assert replay.status_code == 200
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json == first.json
    db.session.expire_all()
    inspection = inspection_by_uuid(visit.uuid)
    assert inspection.status == InspectionStatus.RETURNED
    assert inspection.return_comment == "请补拍价目表"
    assert inspection.review_comments == {"hygiene.price_list": "看不清"}
    submits = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "inspection.submit")
    )
    assert submits == 1

    # A new attempt with the same content is the inspector resubmitting: it goes through.
    again = _submit(visit, body, "attempt-0002-submit")
    assert again.status_code == 200 and "Idempotent-Replayed" not in again.headers
    db.session.expire_all()
    assert inspection_by_uuid(visit.uuid).status == InspectionStatus.SUBMITTED


def test_a_refused_submit_is_replayed_as_refused_and_the_attempt_id_is_per_request(db, visit):
    body = visit_payload(visit.definition)  # no photos: the server refuses it
    first = _submit(visit, body, "attempt-refused-1")
    assert first.status_code == 422
    replay = _submit(visit, body, "attempt-refused-1")
    assert replay.status_code == 422 and replay.json == first.json
    reused = visit.client.post(
        f"/api/visits/{visit.uuid}/draft",
        json=body,
        headers={"X-CSRFToken": visit.token, "Idempotency-Key": "attempt-refused-1"},
    )
    assert reused.status_code == 422 and reused.json["code"] == "attempt_reused"
    bad = _submit(visit, body, "bad key with spaces")
    assert bad.status_code == 400 and bad.json["code"] == "bad_attempt_id"


def test_another_user_reusing_an_attempt_id_does_not_get_the_first_users_outcome(
    app, db, visit, make_user
):
    body = visit_payload(visit.definition)
    assert _submit(visit, body, "shared-attempt-id").status_code == 422
    other = make_user(Role.INSPECTOR, "inspector2")
    client = app.test_client()
    sign_in(client, other.username, PASSWORD)
    token = csrf_from(client.get("/visits").text)
    response = client.post(
        f"/api/visits/{visit.uuid}/submit",
        json=body,
        headers={"X-CSRFToken": token, "Idempotency-Key": "shared-attempt-id"},
    )
    assert response.status_code == 404  # not theirs; the first outcome is not shown
    assert "Idempotent-Replayed" not in response.headers
    owners = db.session.scalars(select(RequestAttempt.user_id)).all()
    assert owners == [visit.client.user.id]


def test_a_photo_replayed_after_the_visit_closed_gets_its_first_answer(db, visit):
    _photos_for_always_items(visit)
    photo_uuid = str(uuid_module.uuid4())
    data = jpeg_bytes(7)
    headers = {"X-CSRFToken": visit.token, "Idempotency-Key": "photo-attempt-7"}

    def upload():
        return visit.client.post(
            f"/api/visits/{visit.uuid}/photos",
            data={"uuid": photo_uuid, "item_id": "hygiene.restroom", "photo": (io.BytesIO(data), "p.jpg")},
            headers=headers,
            content_type="multipart/form-data",
        )  # fmt: skip

    first = upload()
    assert first.status_code == 201
    assert _submit(visit, visit_payload(visit.definition), "submit-after-photo").status_code == 200
    replay = upload()
    assert replay.status_code == 201 and replay.json == first.json
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 3


def test_a_visit_started_offline_is_opened_once_under_the_phones_uuid(
    db, inspector_client, assignment
):
    token = csrf_from(inspector_client.get("/visits").text)
    phone_uuid = str(uuid_module.uuid4())
    body = {"uuid": phone_uuid, "assignment_id": assignment.id}
    headers = {"X-CSRFToken": token, "Idempotency-Key": "start-attempt-1"}
    first = inspector_client.post("/api/visits/start", json=body, headers=headers)
    assert first.status_code == 201 and first.json["uuid"] == phone_uuid
    assert first.json["url"] == f"/visits/{phone_uuid}"
    replay = inspector_client.post("/api/visits/start", json=body, headers=headers)
    assert replay.json == first.json
    # Started again from another tap (a new attempt): the same visit, not a second one.
    again = inspector_client.post("/api/visits/start", json=body, headers={"X-CSRFToken": token})
    assert again.status_code == 201 and again.json["uuid"] == phone_uuid
    # Another phone started the same assignment meanwhile: it continues in the existing visit.
    other = inspector_client.post(
        "/api/visits/start",
        json={"uuid": str(uuid_module.uuid4()), "assignment_id": assignment.id},
        headers={"X-CSRFToken": token},
    )
    assert other.status_code == 200 and other.json["uuid"] == phone_uuid
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == 1


def test_starting_someone_elses_or_a_malformed_visit_is_refused(
    app, db, inspector_client, assignment, make_user
):
    token = csrf_from(inspector_client.get("/visits").text)
    for body, status in (
        ({"uuid": "not-a-uuid", "assignment_id": assignment.id}, 400),
        ({"uuid": str(uuid_module.uuid4())}, 400),
        ({"uuid": str(uuid_module.uuid4()), "assignment_id": True}, 400),
        ({"uuid": str(uuid_module.uuid4()), "assignment_id": assignment.id + 99}, 404),
    ):
        response = inspector_client.post(
            "/api/visits/start", json=body, headers={"X-CSRFToken": token}
        )
        assert response.status_code == status, body
        assert response.json["message"]
    other = make_user(Role.INSPECTOR, "inspector2")
    client = app.test_client()
    sign_in(client, other.username, PASSWORD)
    response = client.post(
        "/api/visits/start",
        json={"uuid": str(uuid_module.uuid4()), "assignment_id": assignment.id},
        headers={"X-CSRFToken": csrf_from(client.get("/visits").text)},
    )
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == 0


def test_the_empty_form_for_offline_use_needs_no_visit_and_opens_an_existing_one(
    app, db, inspector_client, assignment, make_user
):
    page = inspector_client.get(f"/visits/offline/{assignment.id}")
    assert page.status_code == 200
    assert 'data-offline-start="{&#34;assignment_id&#34;: ' in page.text
    assert "00000000-0000-4000-8000-000000000000" in page.text
    assert 'data-rules="' in page.text
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == 0
    token = csrf_from(page.text)
    phone_uuid = str(uuid_module.uuid4())
    inspector_client.post(
        "/api/visits/start",
        json={"uuid": phone_uuid, "assignment_id": assignment.id},
        headers={"X-CSRFToken": token},
    )
    opened = inspector_client.get(f"/visits/offline/{assignment.id}?uuid={phone_uuid}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(phone_uuid)
    other = make_user(Role.INSPECTOR, "inspector2")
    client = app.test_client()
    sign_in(client, other.username, PASSWORD)
    assert client.get(f"/visits/offline/{assignment.id}").status_code == 404


def test_a_refused_submission_is_flagged_on_the_home_page_until_it_goes_through(db, visit):
    body = visit_payload(visit.definition)
    response = _submit(visit, body, "refused-for-photos")
    assert response.status_code == 422
    home = visit.client.get("/visits").text
    assert "服务器未接受" in home or "Not submitted" in home
    assert "请为此项拍照" in home or "Take a photo for this item." in home
    assert "厅堂整体整洁程度" in home  # the item is named in words, not by its id
    assert "hygiene.cleanliness" not in home
    _photos_for_always_items(visit)
    assert _submit(visit, body, "accepted-now").status_code == 200
    db.session.expire_all()
    inspection = inspection_by_uuid(visit.uuid)
    assert inspection.submit_refused_at is None and inspection.submit_errors is None


def test_each_item_carries_the_servers_own_outcomes_for_the_phone(inspector_client, visit):
    definition = visit.definition
    page = inspector_client.get(f"/visits/{visit.uuid}").text

    def rules(item_id: str) -> dict:
        """The rules the page carries for the item (data-rules, as the phone reads them)."""
        found = re.search(f'id="item-{re.escape(item_id)}"[^>]*data-rules="([^"]*)"', page)
        assert found, item_id
        return json.loads(html.unescape(found.group(1)))

    badge = rules("appearance.badge_worn")
    assert badge["staff"] is True and badge["required"] is True
    assert badge["outcomes"]["fail"][2] is True and badge["outcomes"]["pass"][2] is False
    # The item's own threshold (0.75): 4★ loses points without failing, 3★ fails.
    attitude = rules("behaviour.attitude")["outcomes"]
    assert attitude["4"][:2] == [3.75, 5.0] and attitude["4"][2] is False
    assert attitude["3"][2] is True
    # A 17-minute wait (the second band, 2 of 5 points) is partial credit with its 0.4.
    waiting = rules("process.waiting_minutes")["bands"]
    assert [band[1:] for band in waiting] == [[5.0, 5.0, False], [2.0, 5.0, False]]
    numbers = [item for item in definition.items if item.type == "number"]
    assert numbers, "the default checklist has a number item"
    number = numbers[-1]
    bands = item_rules(number, definition.fail_below(number))["bands"]
    assert bands and bands[0][1] == bands[0][2] and bands[0][3] is False  # first band: full marks
    # 2 of 4 points after 5 minutes is half its points: partial credit, not a failure. Beyond
    # the last band an answer earns nothing, which the phone counts as failed.
    assert [band[1:] for band in bands] == [[4.0, 4.0, False], [2.0, 4.0, False]]
    assert "&#34;fail&#34;: [0.0, " in page and "&#34;pass&#34;: [" in page


def test_old_remembered_outcomes_are_pruned_and_recent_ones_kept(app, db, visit):

    body = visit_payload(visit.definition)
    assert _submit(visit, body, "old-attempt-0001").status_code == 422
    assert _submit(visit, body, "new-attempt-0001").status_code == 422
    old = db.session.scalar(select(RequestAttempt).where(RequestAttempt.key == "old-attempt-0001"))
    old.created_at = utcnow() - timedelta(days=31)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["attempts", "prune"])
    assert result.exit_code == 0 and "1" in result.output
    db.session.expire_all()
    assert db.session.scalars(select(RequestAttempt.key)).all() == ["new-attempt-0001"]


def test_a_visit_without_an_assignment_starts_through_the_api_and_its_refusals(
    app, db, inspector_client, org, default_checklist_version
):
    token = csrf_from(inspector_client.get("/visits").text)
    store = org["stores"][0]

    def start(**body):
        body.setdefault("uuid", str(uuid_module.uuid4()))
        return inspector_client.post("/api/visits/start", json=body, headers={"X-CSRFToken": token})

    checklist_id = default_checklist_version.checklist_id
    assert start(store_id=store.id, checklist_id=checklist_id).status_code == 201
    assert start(store_id=store.id, checklist_id=checklist_id + 99).status_code == 404
    assert start(store_id=store.id).status_code == 404
    store.is_active = False
    db.session.commit()
    assert start(store_id=store.id, checklist_id=checklist_id).status_code == 404
    app.config["ALLOW_UNASSIGNED_VISITS"] = False
    try:
        refused = start(store_id=org["stores"][1].id, checklist_id=checklist_id)
    finally:
        app.config["ALLOW_UNASSIGNED_VISITS"] = True
    assert refused.status_code == 403 and refused.json["message"]
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == 1
