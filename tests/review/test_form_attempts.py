"""Ordinary forms sent twice (a double tap, a resend after a lost answer) are applied once."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from inspect_app.audit.models import AuditEvent
from inspect_app.inspections.models import Answer, InspectionStatus
from inspect_app.inspections.queries import inspection_by_uuid
from inspect_app.photos.models import Photo, PhotoPurpose
from inspect_app.review.models import Appeal, CorrectiveActionItem
from tests.conftest import csrf_from
from tests.fixtures.review import FAILED_STAFF_ITEM, SERVED, post
from tests.fixtures.visits import PHOTO_ALWAYS, VISIT_UUID, jpeg_bytes, visit_payload


def _nojs_form(visit, attempt: str) -> dict:
    page = visit.client.get(f"/visits/{VISIT_UUID}")
    assert 'name="attempt" value="' in page.text  # every rendering carries a fresh attempt id
    payload = visit_payload(visit.definition)
    form = {"csrf_token": csrf_from(page.text), "action": "submit", "attempt": attempt}
    for key, value in payload["visit"].items():
        form[f"visit_{key}"] = str(value)
    form["visit_served_by"] = SERVED  # who served the inspector, chosen once for the visit
    for item_id, answer in payload["answers"].items():
        form["a__" + item_id.replace(".", "__")] = str(answer["value"])
    return form


def test_a_resent_no_javascript_submit_never_undoes_a_return(db, visit, reviewer):
    for n, item_id in enumerate(PHOTO_ALWAYS):
        visit.photo(f"00000000-0000-4000-8000-00000000000{n}", item_id, jpeg_bytes(n))
    form = _nojs_form(visit, "form-attempt-submit-1")
    first = visit.client.post(f"/visits/{VISIT_UUID}", data=form)
    assert first.status_code == 302 and first.headers["Location"].endswith("/visits")
    returned = post(reviewer, f"/review/{VISIT_UUID}/return", {"comment": "请补拍价目表"})
    assert returned.status_code in (302, 303)
    db.session.expire_all()
    assert inspection_by_uuid(VISIT_UUID).status == InspectionStatus.RETURNED

    again = visit.client.post(f"/visits/{VISIT_UUID}", data=form)
    assert again.status_code == 303 and again.headers["Location"].endswith("/visits")
    db.session.expire_all()
    inspection = inspection_by_uuid(VISIT_UUID)
    assert inspection.status == InspectionStatus.RETURNED
    assert inspection.return_comment == "请补拍价目表"
    submits = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "inspection.submit")
    )
    assert submits == 1


def test_a_refused_form_can_be_sent_again_with_the_same_attempt(db, visit):
    form = _nojs_form(visit, "form-attempt-refused")  # no photos yet: refused
    assert visit.client.post(f"/visits/{VISIT_UUID}", data=form).status_code == 422
    for n, item_id in enumerate(PHOTO_ALWAYS):
        visit.photo(f"00000000-0000-4000-8000-00000000001{n}", item_id, jpeg_bytes(n))
    accepted = visit.client.post(f"/visits/{VISIT_UUID}", data=form)
    assert accepted.status_code == 302
    db.session.expire_all()
    assert inspection_by_uuid(VISIT_UUID).status == InspectionStatus.SUBMITTED


def test_an_appeal_sent_twice_is_filed_once_with_its_photo_once(db, approved, manager):
    answer = db.session.scalar(select(Answer).where(Answer.item_id == FAILED_STAFF_ITEM))
    url = f"/results/{VISIT_UUID}/appeals"

    def send():
        data = {
            "answer_id": answer.id,
            "reason": "当时员工在更换工牌",
            "attempt": "appeal-attempt-0001",
            "photos": [(io.BytesIO(jpeg_bytes(9)), "proof.jpg")],
        }
        return post(manager, url, data, content_type="multipart/form-data")

    first, second = send(), send()
    assert first.status_code in (302, 303)
    assert second.status_code == 303 and second.headers["Location"] == first.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Appeal)) == 1
    appeal_photos = db.session.scalar(
        select(func.count()).select_from(Photo).where(Photo.purpose == PhotoPurpose.APPEAL)
    )
    assert appeal_photos == 1


def test_reopening_the_address_of_a_refused_appeal_leads_back_to_the_visit(
    db, approved, manager, other_manager
):
    page = manager.get(f"/results/{VISIT_UUID}/appeals")
    assert page.status_code == 302 and page.headers["Location"].endswith(f"/results/{VISIT_UUID}")
    assert manager.get("/results/actions/items/999999").status_code == 404
    item = db.session.scalar(select(CorrectiveActionItem))
    reopened = manager.get(f"/results/actions/items/{item.id}")
    assert reopened.status_code == 302
    assert reopened.headers["Location"].endswith(f"/results/actions/{item.action_id}")
    assert other_manager.get(f"/results/actions/items/{item.id}").status_code == 404
