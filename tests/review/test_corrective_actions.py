"""One corrective action per visit: an item per failed answer, each closed with its own proof."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from inspect_app.audit.models import AuditEvent
from inspect_app.auth.models import Role
from inspect_app.inspections.models import Answer, Inspection
from inspect_app.photos.models import Photo, PhotoPurpose
from inspect_app.review.models import (
    ActionStatus,
    Appeal,
    CorrectiveAction,
    CorrectiveActionItem,
)
from tests.fixtures.review import (
    FAILED_HALL_ITEM,
    FAILED_STAFF_ITEM,
    post,
    role_client,
    submit_visit,
)
from tests.fixtures.visits import VISIT_UUID, jpeg_bytes
from tests.inspections.test_nojs_photos import translated

#: Partial credit: points lost, nothing failed (4 of 5 stars; 3 of 4 on the cleanliness scale).
PARTIAL = {"behaviour.attitude": {"value": 4}, "hygiene.cleanliness": {"value": 3}}


def _answer(db, item_id: str) -> Answer:
    return db.session.scalar(select(Answer).where(Answer.item_id == item_id))


def _item(db, item_id: str) -> CorrectiveActionItem:
    db.session.expire_all()
    return db.session.scalar(
        select(CorrectiveActionItem).join(Answer).where(Answer.item_id == item_id)
    )


def _action(db) -> CorrectiveAction | None:
    db.session.expire_all()
    return db.session.scalar(select(CorrectiveAction))


def _record(client, item: CorrectiveActionItem | int, note: str, photo_seed: int | None = None):
    data = {"description": note}
    if photo_seed is not None:
        data["photos"] = [(io.BytesIO(jpeg_bytes(photo_seed)), "fixed.jpg")]
    item_id = item if isinstance(item, int) else item.id
    return post(
        client,
        f"/results/actions/items/{item_id}",
        data,
        content_type="multipart/form-data",
    )


def _verify(client, item: CorrectiveActionItem, decision: str, comment: str = ""):
    form = {"decision": decision, "comment": comment}
    return post(client, f"/review/actions/items/{item.id}", form)


def _approve(reviewer):
    assert post(reviewer, f"/review/{VISIT_UUID}/approve").status_code == 302


def test_approval_opens_one_action_with_an_item_for_each_failed_answer_only(db, visit, reviewer):
    submit_visit(
        visit,
        **PARTIAL,
        **{
            FAILED_STAFF_ITEM: {"value": "fail", "comment": "工牌未佩戴"},
            FAILED_HALL_ITEM: {"value": "fail", "comment": "洗手台有积水"},
        },
    )
    for item_id in PARTIAL:  # partial credit loses points but is no failure
        answer = _answer(db, item_id)
        assert answer.points_earned < answer.points_possible and not answer.is_failed
    _approve(reviewer)
    action = _action(db)
    assert action.inspection_id == db.session.scalar(select(Inspection.id))
    assert action.status == ActionStatus.OPEN
    assert sorted(i.answer.item_id for i in action.items) == [FAILED_STAFF_ITEM, FAILED_HALL_ITEM]
    assert all(i.status == ActionStatus.OPEN for i in action.items)
    inspection = db.session.scalar(select(Inspection))
    assert action.due_date > inspection.visit_date


def test_a_visit_with_only_partial_credit_opens_no_action(db, visit, reviewer, manager):
    submit_visit(visit, **PARTIAL)
    _approve(reviewer)
    assert _action(db) is None
    assert db.session.query(CorrectiveActionItem).count() == 0
    page = manager.get("/actions")
    assert page.status_code == 200 and "北一营业厅" not in page.text


def test_each_item_is_closed_with_its_own_note_and_photo_and_the_action_sums_them_up(
    db, approved, reviewer, manager
):
    action = _action(db)
    staff_item, hall_item = _item(db, FAILED_STAFF_ITEM), _item(db, FAILED_HALL_ITEM)

    assert (
        _record(manager, staff_item, "已为该员工补发工牌并培训", photo_seed=50).status_code == 302
    )
    photo = db.session.scalar(select(Photo).where(Photo.purpose == PhotoPurpose.CORRECTIVE_ACTION))
    assert (photo.corrective_action_id, photo.corrective_action_item_id) == (
        action.id,
        staff_item.id,
    )
    assert photo.item_id == FAILED_STAFF_ITEM
    assert _item(db, FAILED_STAFF_ITEM).status == ActionStatus.RECORDED
    assert _action(db).status == ActionStatus.OPEN  # the hall's item is still open

    assert _record(manager, hall_item, "已清理积水", photo_seed=51).status_code == 302
    assert _action(db).status == ActionStatus.RECORDED  # everything recorded, awaiting checks

    page = manager.get(f"/results/actions/{action.id}")
    assert page.status_code == 200
    staff_block = page.text[page.text.index(f'id="ai-{staff_item.id}"') :]
    staff_block = staff_block[: staff_block.index(f'id="ai-{hall_item.id}"')]
    assert "工牌佩戴于指定位置" in staff_block  # the item by its text
    assert "已为该员工补发工牌并培训" in staff_block and photo.uuid in staff_block
    assert "已清理积水" not in staff_block
    assert "洗手台有积水" in page.text  # the inspector's finding beside the hall's item

    assert _verify(reviewer, staff_item, "verified").status_code == 302
    assert _action(db).status == ActionStatus.RECORDED
    assert _verify(reviewer, hall_item, "not_verified", "请补拍洗手台").status_code == 302
    assert _item(db, FAILED_HALL_ITEM).status == ActionStatus.NOT_VERIFIED
    assert _action(db).status == ActionStatus.OPEN  # back to the store
    assert _record(manager, hall_item, "补拍洗手台照片", photo_seed=52).status_code == 302
    assert _verify(reviewer, hall_item, "verified").status_code == 302
    assert _action(db).status == ActionStatus.VERIFIED
    assert f"/results/actions/{action.id}" not in manager.get("/actions").text
    hall_photos = db.session.scalars(
        select(Photo.corrective_action_item_id).where(Photo.item_id == FAILED_HALL_ITEM)
    ).all()
    assert hall_photos.count(hall_item.id) == 2


def test_managers_see_one_row_per_visit_and_only_their_halls(
    db, approved, reviewer, manager, other_manager
):
    action = _action(db)
    items = {i.answer.item_id: i for i in action.items}
    _record(manager, items[FAILED_HALL_ITEM], "已清理积水")
    rows = manager.get("/actions").text
    assert rows.count(f'href="/results/actions/{action.id}"') == 1
    assert "1 / 2" in rows  # one item still to correct of two
    assert f'href="/results/actions/{action.id}"' in reviewer.get("/review/appeals").text
    page = manager.get(f"/results/actions/{action.id}")
    inspector = db.session.scalar(select(Inspection)).inspector
    assert inspector.display_name not in page.text and inspector.username not in page.text
    assert other_manager.get(f"/results/actions/{action.id}").status_code == 404
    assert "北一营业厅" not in other_manager.get("/actions").text
    stolen = _record(other_manager, items[FAILED_STAFF_ITEM], "不是我的店")
    assert stolen.status_code == 404
    assert _verify(manager, items[FAILED_HALL_ITEM], "verified").status_code == 403
    assert _item(db, FAILED_STAFF_ITEM).status == ActionStatus.OPEN


def test_an_upheld_appeal_takes_its_item_out_and_the_last_one_removes_the_action(
    db, approved, reviewer, manager
):
    staff_item, hall_item = _item(db, FAILED_STAFF_ITEM), _item(db, FAILED_HALL_ITEM)
    action_id, staff_item_id = staff_item.action_id, staff_item.id
    _record(manager, staff_item, "已补发工牌", photo_seed=60)
    photo_id = db.session.scalar(
        select(Photo.id).where(Photo.corrective_action_item_id.is_not(None))
    )

    def appeal_and_uphold(item_id: str) -> None:
        answer_id = _answer(db, item_id).id
        form = {"answer_id": answer_id, "reason": "当时员工在协助客户"}
        assert post(manager, f"/results/{VISIT_UUID}/appeals", form).status_code == 302
        appeal_id = db.session.scalar(select(Appeal.id).where(Appeal.answer_id == answer_id))
        decided = post(reviewer, f"/review/appeals/{appeal_id}", {"decision": "uphold"})
        assert decided.status_code == 302

    appeal_and_uphold(FAILED_STAFF_ITEM)
    action = _action(db)
    assert [i.answer.item_id for i in action.items] == [FAILED_HALL_ITEM]
    assert action.status == ActionStatus.OPEN
    # The withdrawn item's proof photo stays with the visit, owned by nothing.
    photo = db.session.get(Photo, photo_id)
    assert (photo.corrective_action_id, photo.corrective_action_item_id) == (None, None)
    assert _record(manager, staff_item_id, "再次提交").status_code == 404  # the item is gone

    _record(manager, hall_item, "已清理积水")
    assert _action(db).status == ActionStatus.RECORDED
    appeal_and_uphold(FAILED_HALL_ITEM)
    assert _action(db) is None
    assert db.session.query(CorrectiveActionItem).count() == 0
    assert manager.get(f"/results/actions/{action_id}").status_code == 404
    assert f"/results/actions/{action_id}" not in manager.get("/actions").text


def test_a_verified_fix_stays_when_its_appeal_is_upheld(db, approved, reviewer, manager):
    item = _item(db, FAILED_HALL_ITEM)
    _record(manager, item, "已清理积水")
    _verify(reviewer, item, "verified")
    answer_id = _answer(db, FAILED_HALL_ITEM).id
    post(manager, f"/results/{VISIT_UUID}/appeals", {"answer_id": answer_id, "reason": "有误"})
    appeal_id = db.session.scalar(select(Appeal.id))
    post(reviewer, f"/review/appeals/{appeal_id}", {"decision": "uphold"})
    assert _item(db, FAILED_HALL_ITEM).status == ActionStatus.VERIFIED


@pytest.mark.parametrize("decision", ["verified", "not_verified"])
def test_only_a_recorded_item_can_be_verified(app, db, approved, reviewer, decision):
    item = _item(db, FAILED_HALL_ITEM)
    refused = _verify(reviewer, item, decision, "照片不清楚")
    assert refused.status_code == 422
    assert translated(app, "Only a recorded item can be verified.") in refused.text
    assert ">\n照片不清楚</textarea>" in refused.text  # the comment typed is given back
    assert _item(db, FAILED_HALL_ITEM).status == ActionStatus.OPEN


def test_action_routes_refuse_unknown_ids_wrong_roles_forged_forms_and_bad_decisions(
    app, db, approved, reviewer, manager, make_user, org
):
    item = _item(db, FAILED_HALL_ITEM)
    action_id, item_id = item.action_id, item.id
    # Unknown ids.
    assert manager.get("/results/actions/999999").status_code == 404
    assert reviewer.get("/results/actions/999999").status_code == 404
    assert _record(manager, 999_999, "已清理积水").status_code == 404
    assert (
        post(reviewer, "/review/actions/items/999999", {"decision": "verified"}).status_code == 404
    )
    # Wrong roles: the inspector sees no results; only the store records, only reviewers verify.
    inspector = role_client(app, make_user, Role.INSPECTOR, "inspector9")
    assert inspector.get(f"/results/actions/{action_id}").status_code == 403
    assert _record(inspector, item_id, "已清理积水").status_code == 403
    assert _record(reviewer, item_id, "已清理积水").status_code == 403
    assert _item(db, FAILED_HALL_ITEM).status == ActionStatus.OPEN
    # A form without the page's security token (sent from elsewhere) changes nothing.
    forged = manager.post(f"/results/actions/items/{item_id}", data={"description": "伪造"})
    assert forged.status_code == 400
    assert _item(db, FAILED_HALL_ITEM).status == ActionStatus.OPEN
    assert _record(manager, item_id, "已清理积水").status_code == 302
    forged = reviewer.post(f"/review/actions/items/{item_id}", data={"decision": "verified"})
    assert forged.status_code == 400
    # A decision that is neither verified nor not verified.
    assert _verify(reviewer, _item(db, FAILED_HALL_ITEM), "maybe").status_code == 400
    assert _item(db, FAILED_HALL_ITEM).status == ActionStatus.RECORDED


def test_a_record_sent_twice_is_recorded_once_with_its_photo_once(db, approved, manager):
    item_id = _item(db, FAILED_HALL_ITEM).id

    def send():
        data = {
            "description": "已清理积水",
            "attempt": "record-attempt-0001",
            "photos": [(io.BytesIO(jpeg_bytes(70)), "fixed.jpg")],
        }
        url = f"/results/actions/items/{item_id}"
        return post(manager, url, data, content_type="multipart/form-data")

    first, second = send(), send()
    assert first.status_code == 302
    assert second.status_code == 303 and second.headers["Location"] == first.headers["Location"]
    records = select(func.count()).where(AuditEvent.action == "action.record")
    assert db.session.scalar(records) == 1
    proofs = select(func.count()).where(Photo.corrective_action_item_id == item_id)
    assert db.session.scalar(proofs) == 1
