"""Appeals (申诉) and corrective actions (整改), from the store's side and the reviewer's."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from inspect_app.checklists.operations import definition_of
from inspect_app.inspections.models import Answer, Inspection
from inspect_app.periods import month_of
from inspect_app.photos.models import Photo, PhotoPurpose
from inspect_app.ratings.store_queries import rate_period
from inspect_app.review.models import (
    ActionStatus,
    Appeal,
    AppealStatus,
    CorrectiveAction,
    CorrectiveActionItem,
)
from tests.fixtures.review import FAILED_HALL_ITEM, FAILED_STAFF_ITEM, PASSED_ITEM, post
from tests.fixtures.visits import VISIT_UUID, jpeg_bytes


def _answer(db, item_id: str) -> Answer:
    db.session.expire_all()
    return db.session.scalar(select(Answer).where(Answer.item_id == item_id))


def _appeal(manager, item_id, db, reason="当时员工在更换工牌，已出示说明", photos=()):
    data = {"answer_id": _answer(db, item_id).id, "reason": reason}
    if photos:
        data["photos"] = list(photos)
    return post(manager, f"/results/{VISIT_UUID}/appeals", data, content_type="multipart/form-data")


def test_manager_sees_the_result_without_the_inspector_and_no_drafts(
    db, submitted, reviewer, manager
):
    assert manager.get(f"/results/{VISIT_UUID}").status_code == 404  # not approved yet
    post(reviewer, f"/review/{VISIT_UUID}/approve")
    page = manager.get(f"/results/{VISIT_UUID}")
    assert page.status_code == 200
    assert "工牌未佩戴" in page.text
    inspector = db.session.scalar(select(Inspection)).inspector
    assert inspector.display_name not in page.text and inspector.username not in page.text
    assert "提交申诉" in page.text


def test_manager_appeals_with_evidence_and_the_reviewer_upholds_it(db, approved, reviewer, manager):
    before = db.session.scalar(select(Inspection)).score_percent
    response = _appeal(
        manager,
        FAILED_STAFF_ITEM,
        db,
        photos=[(__import__("io").BytesIO(jpeg_bytes(30)), "proof.jpg")],
    )
    assert response.status_code == 302
    appeal = db.session.scalar(select(Appeal))
    assert appeal.status == AppealStatus.OPEN
    assert (
        db.session.scalar(select(Photo).where(Photo.purpose == PhotoPurpose.APPEAL)).appeal_id
        == appeal.id
    )
    again = _appeal(manager, FAILED_STAFF_ITEM, db)
    assert again.status_code == 422  # one open appeal per item
    assert db.session.query(Appeal).count() == 1
    decided = post(reviewer, f"/review/appeals/{appeal.id}", {"decision": "uphold"})
    assert decided.status_code == 302
    db.session.expire_all()
    answer = _answer(db, FAILED_STAFF_ITEM)
    assert answer.value == "pass" and not answer.is_failed
    inspection = db.session.scalar(select(Inspection))
    assert inspection.score_percent > before
    # The withdrawn finding leaves the visit's corrective action; the hall's item stays.
    items = db.session.scalars(select(CorrectiveActionItem)).all()
    assert [i.answer.item_id for i in items] == [FAILED_HALL_ITEM]
    assert db.session.query(CorrectiveAction).count() == 1
    assert (
        post(
            reviewer, f"/review/appeals/{appeal.id}", {"decision": "reject", "reason": "x"}
        ).status_code
        == 422
    )
    assert "申诉成立" in manager.get(f"/results/{VISIT_UUID}").text


def test_rejecting_needs_a_reason_and_keeps_the_score(db, approved, reviewer, manager):
    _appeal(manager, FAILED_HALL_ITEM, db)
    appeal = db.session.scalar(select(Appeal))
    score = db.session.scalar(select(Inspection)).score_percent
    no_reason = post(reviewer, f"/review/appeals/{appeal.id}", {"decision": "reject"})
    assert no_reason.status_code == 422
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).status == AppealStatus.OPEN
    post(
        reviewer,
        f"/review/appeals/{appeal.id}",
        {"decision": "reject", "reason": "照片清楚显示积水"},
    )
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).status == AppealStatus.REJECTED
    assert db.session.scalar(select(Inspection)).score_percent == score
    assert post(reviewer, f"/review/appeals/{appeal.id}", {"decision": "maybe"}).status_code == 400


def test_forbidden_appeals(app, db, approved, manager, other_manager):
    assert _appeal(manager, PASSED_ITEM, db).status_code == 422  # a passed item
    assert _appeal(manager, FAILED_HALL_ITEM, db, reason="  ").status_code == 422  # no reason
    assert _appeal(other_manager, FAILED_HALL_ITEM, db).status_code == 404  # another store
    inspection = db.session.scalar(select(Inspection))
    inspection.approved_at = inspection.approved_at - timedelta(
        days=app.config["APPEAL_WINDOW_DAYS"] + 1
    )
    db.session.commit()
    late = _appeal(manager, FAILED_HALL_ITEM, db)
    assert late.status_code == 422
    assert "申诉期已于" in late.text
    assert db.session.query(Appeal).count() == 0


def _item(db, item_id: str) -> CorrectiveActionItem:
    db.session.expire_all()
    return db.session.scalar(
        select(CorrectiveActionItem).join(Answer).where(Answer.item_id == item_id)
    )


def test_corrective_action_is_recorded_by_the_store_and_verified_by_a_reviewer(
    db, approved, reviewer, manager
):
    item = _item(db, FAILED_HALL_ITEM)
    assert item.status == ActionStatus.OPEN and item.action.status == ActionStatus.OPEN
    assert "待整改" in manager.get("/actions").text
    record, verify = f"/results/actions/items/{item.id}", f"/review/actions/items/{item.id}"
    empty = post(manager, record, {"description": ""})
    assert empty.status_code == 422
    done = post(
        manager, record,
        {"description": "已清理积水并安排专人巡检", "photos": [(__import__("io").BytesIO(jpeg_bytes(31)), "fixed.jpg")]},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert done.status_code == 302
    assert _item(db, FAILED_HALL_ITEM).status == ActionStatus.RECORDED
    assert post(reviewer, verify, {"decision": "not_verified"}).status_code == 422
    post(reviewer, verify, {"decision": "not_verified", "comment": "照片看不到洗手台"})
    assert _item(db, FAILED_HALL_ITEM).status == ActionStatus.NOT_VERIFIED
    post(manager, record, {"description": "补拍洗手台照片"}, content_type="multipart/form-data")
    post(reviewer, verify, {"decision": "verified"})
    item = _item(db, FAILED_HALL_ITEM)
    assert item.status == ActionStatus.VERIFIED
    # The staff item is still open, so the visit's action is too.
    assert item.action.status == ActionStatus.OPEN
    assert post(manager, record, {"description": "again"}).status_code == 422


def test_overdue_actions_are_listed_for_managers_and_reviewers(db, approved, reviewer, manager):
    for action in db.session.scalars(select(CorrectiveAction)):
        action.due_date = action.due_date - timedelta(days=60)
    db.session.commit()
    assert "已逾期" in manager.get("/actions").text
    assert "已逾期" in reviewer.get("/review/appeals").text


def test_an_upheld_appeal_changes_the_store_rating(db, approved, reviewer, manager):

    inspection = db.session.scalar(select(Inspection))
    period = month_of(inspection.visit_date)
    rules = definition_of(inspection.checklist_version).rating
    checklist_id = inspection.checklist_version.checklist_id

    def mean() -> Decimal:
        rows = rate_period(period, checklist_id, rules)
        return next(r for r in rows if r.store_id == inspection.store_id).rating.mean_percent

    before = mean()
    _appeal(manager, FAILED_HALL_ITEM, db)
    post(
        reviewer, f"/review/appeals/{db.session.scalar(select(Appeal)).id}", {"decision": "uphold"}
    )
    db.session.expire_all()
    assert mean() > before
