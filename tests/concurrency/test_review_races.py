"""Approving, appealing and corrective actions clicked ten times at once: one effect each."""

from __future__ import annotations

from sqlalchemy import func, select

from inspect_app.audit.models import AuditEvent
from inspect_app.inspections.models import Answer
from inspect_app.review.models import ActionStatus, Appeal, CorrectiveAction
from tests.concurrency.conftest import at_once, clones
from tests.conftest import csrf_from
from tests.review.conftest import FAILED_HALL_ITEM, FAILED_STAFF_ITEM, post


def _count(db, model, *where) -> int:
    db.session.commit()  # end the test's read transaction: SQLite would show its old snapshot
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _events(db, action: str) -> int:
    return _count(db, AuditEvent, AuditEvent.action == action)


def _ten(app, client, url: str, form: dict):
    token = csrf_from(client.get("/", follow_redirects=True).text)
    copies = clones(app, client, 10)
    replies = at_once(10, lambda i: copies[i].post(url, data={**form, "csrf_token": token}))
    # One is taken; the others are told why not (a redirect with a message, or the form again).
    assert all(r.status_code in (302, 303, 422) for r in replies), [r.status_code for r in replies]
    assert any(r.status_code == 302 for r in replies)
    return replies


def test_ten_approvals_at_once_approve_once(app, db, submitted, reviewer):
    _ten(app, reviewer, f"/review/{submitted.uuid}/approve", {})
    assert _events(db, "inspection.approve") == 1
    assert _count(db, CorrectiveAction) == _count(db, Answer, Answer.is_failed)


def test_ten_appeals_of_one_item_at_once_file_one(app, db, approved, manager):
    answer_id = db.session.scalar(select(Answer.id).where(Answer.item_id == FAILED_STAFF_ITEM))
    form = {"answer_id": answer_id, "reason": "员工当时在协助客户，工牌放在柜台上"}
    _ten(app, manager, f"/results/{approved.uuid}/appeals", form)
    assert _count(db, Appeal) == 1
    assert _events(db, "appeal.file") == 1


def test_a_corrective_action_recorded_and_verified_ten_times_at_once_counts_once(
    app, db, approved, manager, reviewer
):
    action = db.session.scalar(
        select(CorrectiveAction).join(Answer).where(Answer.item_id == FAILED_HALL_ITEM)
    )
    action_id = action.id
    _ten(app, manager, f"/results/actions/{action_id}", {"description": "已清理积水"})
    assert _events(db, "action.record") == 1
    _ten(app, reviewer, f"/review/actions/{action_id}", {"decision": "verified"})
    assert _events(db, "action.verify") == 1
    assert db.session.get(CorrectiveAction, action_id).status == ActionStatus.VERIFIED


def test_an_appeal_decided_twice_at_once_is_decided_once(app, db, approved, manager, reviewer):
    answer_id = db.session.scalar(select(Answer.id).where(Answer.item_id == FAILED_STAFF_ITEM))
    filed = post(
        manager, f"/results/{approved.uuid}/appeals", {"answer_id": answer_id, "reason": "理由"}
    )
    assert filed.status_code == 302
    appeal_id = db.session.scalar(select(Appeal.id))
    _ten(app, reviewer, f"/review/appeals/{appeal_id}", {"decision": "uphold"})
    assert _events(db, "appeal.uphold") == 1
    assert _events(db, "inspection.rescore") == 1
