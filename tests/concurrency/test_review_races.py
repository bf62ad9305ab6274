"""Approving, appealing and corrective actions clicked ten times at once: one effect each."""

from __future__ import annotations

from sqlalchemy import func, select

from inspect_app.audit.models import AuditEvent
from inspect_app.auth.models import Role
from inspect_app.inspections.models import Answer
from inspect_app.review.models import ActionStatus, Appeal, CorrectiveAction, CorrectiveActionItem
from tests.concurrency.conftest import at_once, clones
from tests.conftest import csrf_from
from tests.fixtures.review import FAILED_HALL_ITEM, FAILED_STAFF_ITEM, post, role_client


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
    assert _count(db, CorrectiveAction) == 1
    assert _count(db, CorrectiveActionItem) == _count(db, Answer, Answer.is_failed)


def test_ten_appeals_of_one_item_at_once_file_one(app, db, approved, manager):
    answer_id = db.session.scalar(select(Answer.id).where(Answer.item_id == FAILED_STAFF_ITEM))
    form = {"answer_id": answer_id, "reason": "员工当时在协助客户，工牌放在柜台上"}
    _ten(app, manager, f"/results/{approved.uuid}/appeals", form)
    assert _count(db, Appeal) == 1
    assert _events(db, "appeal.file") == 1


def test_a_corrective_action_recorded_and_verified_ten_times_at_once_counts_once(
    app, db, approved, manager, reviewer
):
    item = db.session.scalar(
        select(CorrectiveActionItem).join(Answer).where(Answer.item_id == FAILED_HALL_ITEM)
    )
    item_id = item.id
    _ten(app, manager, f"/results/actions/items/{item_id}", {"description": "已清理积水"})
    assert _events(db, "action.record") == 1
    _ten(app, reviewer, f"/review/actions/items/{item_id}", {"decision": "verified"})
    assert _events(db, "action.verify") == 1
    assert db.session.get(CorrectiveActionItem, item_id).status == ActionStatus.VERIFIED


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


def _two(app, clients, url: str, forms: list[dict]):
    """Two users (each with their own session) send a form at the same moment."""
    tokens = [csrf_from(c.get("/", follow_redirects=True).text) for c in clients]
    return at_once(2, lambda i: clients[i].post(url, data={**forms[i], "csrf_token": tokens[i]}))


def test_two_reviewers_approving_one_visit_at_once_open_one_action(
    app, db, submitted, reviewer, make_user
):
    second = role_client(app, make_user, Role.REVIEWER, "reviewer2")
    replies = _two(app, [reviewer, second], f"/review/{submitted.uuid}/approve", [{}, {}])
    assert sorted(r.status_code for r in replies) in ([302, 302], [302, 303])
    assert _events(db, "inspection.approve") == 1
    assert _count(db, CorrectiveAction) == 1
    failed = _count(db, Answer, Answer.is_failed)
    assert failed == 2 and _count(db, CorrectiveActionItem) == failed


def test_two_managers_recording_one_item_at_once_leave_one_consistent_record(
    app, db, approved, manager, make_user, org
):
    second = role_client(app, make_user, Role.MANAGER, "manager1b", stores=[org["stores"][0]])
    item_id = db.session.scalar(
        select(CorrectiveActionItem.id).join(Answer).where(Answer.item_id == FAILED_HALL_ITEM)
    )
    notes = ["已清理积水", "已安排保洁每小时巡检"]
    replies = _two(
        app, [manager, second], f"/results/actions/items/{item_id}",
        [{"description": notes[0]}, {"description": notes[1]}],
    )  # fmt: skip
    assert all(r.status_code == 302 for r in replies), [r.status_code for r in replies]
    db.session.commit()
    item = db.session.get(CorrectiveActionItem, item_id)
    db.session.refresh(item)
    last = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "action.record")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    # Applied one after the other: the note kept is the later one, by the one who wrote it.
    assert item.status == ActionStatus.RECORDED and item.description in notes
    assert item.recorded_by_id == last.actor_id
    assert _events(db, "action.record") == 2
    assert item.action.status == ActionStatus.OPEN  # the staff item is still open


def test_two_managers_recording_both_items_at_once_sum_up_the_action(
    app, db, approved, manager, make_user, org
):
    second = role_client(app, make_user, Role.MANAGER, "manager1b", stores=[org["stores"][0]])
    items = db.session.scalars(select(CorrectiveActionItem).order_by(CorrectiveActionItem.id)).all()
    ids = [i.id for i in items]
    tokens = [csrf_from(c.get("/", follow_redirects=True).text) for c in (manager, second)]
    clients = [manager, second]
    replies = at_once(
        2,
        lambda i: clients[i].post(
            f"/results/actions/items/{ids[i]}",
            data={"description": f"已整改 {i}", "csrf_token": tokens[i]},
        ),
    )
    assert all(r.status_code == 302 for r in replies), [r.status_code for r in replies]
    db.session.commit()
    action = db.session.scalar(select(CorrectiveAction))
    db.session.refresh(action)
    # Each saw the other's item: the action sums up to "recorded", not "open".
    assert [i.status for i in action.items] == [ActionStatus.RECORDED] * 2
    assert action.status == ActionStatus.RECORDED


def test_two_reviewers_resolving_one_finding_at_once_resolve_it_once(
    app, db, submitted, reviewer, make_user
):
    answer = db.session.scalar(select(Answer).where(Answer.item_id == FAILED_STAFF_ITEM))
    answer.is_unidentified, answer.is_staff_named = True, False
    answer.person_description = "门口引导员"
    db.session.commit()
    second = role_client(app, make_user, Role.REVIEWER, "reviewer2")
    forms = [
        {"answer_id": answer.id, "decision": "name", "employee_no": "00001"},
        {"answer_id": answer.id, "decision": "unidentified"},
    ]
    replies = _two(app, [reviewer, second], f"/review/{submitted.uuid}/attribution", forms)
    assert sorted(r.status_code for r in replies) == [302, 422]
    resolutions = _events(db, "finding.attribute") + _events(db, "finding.unidentified")
    assert resolutions == 1
    db.session.refresh(answer)
    named = _events(db, "finding.attribute") == 1
    assert answer.attribution_resolved_at is not None
    assert answer.is_unidentified is not named
    assert answer.employee_no == ("00001" if named else None)
