"""Reviewing: approve once, return with comments, resubmission history, reused photos."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from inspect_app.audit.models import AuditEvent
from inspect_app.inspections.models import Inspection, InspectionStatus
from inspect_app.review.models import CorrectiveAction
from tests.conftest import csrf_from
from tests.fixtures.review import FAILED_HALL_ITEM, FAILED_STAFF_ITEM, post
from tests.fixtures.visits import VISIT_UUID, jpeg_bytes


def _inspection(db) -> Inspection:
    db.session.expire_all()
    return db.session.scalar(select(Inspection).where(Inspection.uuid == VISIT_UUID))


def _events(db, action: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )


def test_queue_lists_submitted_visits_and_the_detail_shows_everything(submitted, reviewer):
    queue = reviewer.get("/review")
    assert f"/review/{VISIT_UUID}" in queue.text
    page = reviewer.get(f"/review/{VISIT_UUID}")
    assert page.status_code == 200
    assert "工牌未佩戴" in page.text and "洗手台有积水" in page.text
    assert "00001" in page.text
    assert "扣分明细" in page.text  # the reasons behind the score
    assert "/photos/" in page.text


def test_approve_counts_the_visit_creates_actions_and_a_double_click_approves_once(
    db, submitted, reviewer
):
    first = post(reviewer, f"/review/{VISIT_UUID}/approve")
    second = post(reviewer, f"/review/{VISIT_UUID}/approve", follow_redirects=True)
    assert first.status_code == 302
    assert "此暗访已审核通过" in second.text
    inspection = _inspection(db)
    assert inspection.status == InspectionStatus.APPROVED and inspection.approved_by_id is not None
    (action,) = db.session.scalars(select(CorrectiveAction)).all()  # one for the visit
    assert action.inspection_id == inspection.id
    assert sorted(i.answer.item_id for i in action.items) == sorted(
        [FAILED_STAFF_ITEM, FAILED_HALL_ITEM]
    )
    assert _events(db, "inspection.approve") == 1


def test_return_needs_a_comment_and_reopens_the_form_with_them(db, submitted, reviewer):
    empty = post(reviewer, f"/review/{VISIT_UUID}/return", {"comment": "  "}, follow_redirects=True)
    assert "请说明暗访员需要更正" in empty.text
    assert _inspection(db).status == InspectionStatus.SUBMITTED
    field = "rc__" + FAILED_HALL_ITEM.replace(".", "__")
    response = post(
        reviewer, f"/review/{VISIT_UUID}/return", {"comment": "请补充照片", field: "积水照片看不清"}
    )
    assert response.status_code == 302
    inspection = _inspection(db)
    assert inspection.status == InspectionStatus.RETURNED
    assert inspection.review_comments == {FAILED_HALL_ITEM: "积水照片看不清"}
    form = submitted.client.get(f"/visits/{VISIT_UUID}")
    assert form.status_code == 200 and "请补充照片" in form.text


def test_resubmission_records_what_changed(db, submitted, reviewer):
    post(reviewer, f"/review/{VISIT_UUID}/return", {"comment": "请核实"})
    payload = submitted.payload
    payload["answers"][FAILED_STAFF_ITEM] = {"value": "pass"}
    assert submitted.submit(payload).status_code == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "inspection.resubmit"))
    assert FAILED_STAFF_ITEM in event.details["changes"]
    assert _inspection(db).status == InspectionStatus.SUBMITTED
    history = reviewer.get(f"/review/{VISIT_UUID}").text
    assert "修改后重新提交" in history


def test_approving_or_returning_a_draft_is_refused(db, visit, reviewer):
    assert post(reviewer, f"/review/{VISIT_UUID}/approve").status_code == 303
    assert post(reviewer, f"/review/{VISIT_UUID}/return", {"comment": "x"}).status_code == 303
    assert _inspection(db).status == InspectionStatus.DRAFT


def test_a_reused_photo_is_flagged_to_the_reviewer(app, db, submitted, reviewer, inspector_client):
    # The same inspector starts an unassigned visit elsewhere and uploads an old photo again.

    token = csrf_from(inspector_client.get("/visits").text)
    other_uuid = str(uuid.uuid4())
    store_id = db.session.scalar(select(Inspection.store_id))
    checklist_id = _inspection(db).checklist_version.checklist_id
    inspector_client.post(
        "/visits/start",
        data={
            "csrf_token": token,
            "store_id": store_id,
            "checklist_id": checklist_id,
            "uuid": other_uuid,
        },
    )
    reused = inspector_client.post(
        f"/api/visits/{other_uuid}/photos",
        data={
            "uuid": str(uuid.uuid4()),
            "item_id": FAILED_HALL_ITEM,
            "photo": (__import__("io").BytesIO(jpeg_bytes(12)), "old.jpg"),
        },
        headers={"X-CSRFToken": token},
    )
    assert reused.status_code == 201
    page = reviewer.get(f"/review/{VISIT_UUID}")
    assert "疑似重复使用的照片" in page.text
    assert "完全相同" in page.text
