"""Reviewing visits, appeals (申诉) and corrective actions (整改). Each flushes; the view commits."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _

from inspect_app.audit.operations import record_event
from inspect_app.auth.models import User
from inspect_app.checklists.definition import Item
from inspect_app.extensions import db
from inspect_app.inspections.models import Answer, Inspection, InspectionStatus
from inspect_app.inspections.operations import inspection_definition, store_scores
from inspect_app.locking import lock_row, unique_violation_as
from inspect_app.review.models import (
    ActionStatus,
    Appeal,
    AppealStatus,
    CorrectiveAction,
)

#: Longest reviewer or manager text, in characters.
MAX_REVIEW_TEXT = 2000


class ReviewError(ValueError):
    """The change is not allowed in the object's current state; the message says why."""


def _text(value: str | None, *, required: bool, what: str) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise ReviewError(_("Write %(what)s.", what=what))
    if len(text) > MAX_REVIEW_TEXT:
        raise ReviewError(_("Keep it under %(n)s characters.", n=MAX_REVIEW_TEXT))
    return text or None


def approve_inspection(
    inspection: Inspection, reviewer: User, now: datetime, action_days: int
) -> None:
    """Approve a submitted visit; it starts counting, and each failed item gets a corrective action."""
    if inspection.status != InspectionStatus.SUBMITTED:
        raise ReviewError(
            _("Only a submitted visit can be approved; this one is %(s)s.", s=inspection.status)
        )
    inspection.status = InspectionStatus.APPROVED
    inspection.approved_at = now
    inspection.approved_by_id = reviewer.id
    due = (inspection.visit_date or now.date()) + timedelta(days=action_days)
    due = max(due, now.date() + timedelta(days=1))
    for answer in inspection.answers:
        if answer.is_failed:
            db.session.add(
                CorrectiveAction(inspection_id=inspection.id, answer_id=answer.id, due_date=due)
            )
    db.session.flush()
    record_event(
        "inspection.approve", inspection, actor_id=reviewer.id, inspection_id=inspection.id
    )


def return_inspection(
    inspection: Inspection, reviewer: User, comment: str | None, item_comments: dict[str, str]
) -> None:
    """Send a submitted visit back to its inspector with an overall comment and/or per-item comments."""
    if inspection.status != InspectionStatus.SUBMITTED:
        raise ReviewError(
            _("Only a submitted visit can be returned; this one is %(s)s.", s=inspection.status)
        )
    overall = _text(comment, required=False, what=_("a comment"))
    per_item = {}
    known = {item.id for item in inspection_definition(inspection).items}
    for item_id, text in item_comments.items():
        if item_id not in known:
            raise ReviewError(_("The checklist has no item %(id)s.", id=item_id))
        cleaned = _text(text, required=False, what=_("a comment"))
        if cleaned:
            per_item[item_id] = cleaned
    if not overall and not per_item:
        raise ReviewError(
            _("Say what the inspector should correct: an overall comment or one beside an item.")
        )
    inspection.status = InspectionStatus.RETURNED
    inspection.return_comment = overall
    inspection.review_comments = per_item
    inspection.submission_hash = None
    db.session.flush()
    record_event(
        "inspection.return",
        inspection,
        actor_id=reviewer.id,
        inspection_id=inspection.id,
        comment=overall,
        items=per_item,
    )


def appeal_deadline(inspection: Inspection, window_days: int) -> date | None:
    if inspection.approved_at is None:
        return None
    return (inspection.approved_at + timedelta(days=window_days)).date()


def file_appeal(
    inspection: Inspection,
    answer: Answer,
    manager: User,
    reason: str | None,
    now: datetime,
    window_days: int,
) -> Appeal:
    """A store manager appeals a failed finding within the window; one open appeal per item."""
    if inspection.status != InspectionStatus.APPROVED:
        raise ReviewError(_("Only approved visits can be appealed."))
    if answer.inspection_id != inspection.id or not answer.is_failed:
        raise ReviewError(_("Only a failed item can be appealed."))
    deadline = appeal_deadline(inspection, window_days)
    if deadline is None or now.date() > deadline:
        raise ReviewError(_("The appeal window closed on %(d)s.", d=deadline))
    if db.session.query(Appeal).filter_by(answer_id=answer.id, status=AppealStatus.OPEN).count():
        raise ReviewError(_("This item already has an open appeal."))
    appeal = Appeal(
        inspection_id=inspection.id,
        answer_id=answer.id,
        filed_by_id=manager.id,
        reason=_text(reason, required=True, what=_("the reason for the appeal")),
        created_at=now,
    )
    # Two managers appealing one item at once: the database's unique key decides.
    with unique_violation_as(ReviewError(_("This item already has an open appeal."))):
        db.session.add(appeal)
        db.session.flush()
    record_event(
        "appeal.file", appeal, actor_id=manager.id, inspection_id=inspection.id, item=answer.item_id
    )
    return appeal


def full_marks_value(item: Item) -> Any:
    """The answer that earns an item's full points (what an upheld appeal changes it to)."""
    if item.type == "pass_fail":
        return "pass"
    if item.type == "scale":
        return item.config["max"]
    if item.type == "stars":
        return 5
    if item.type == "choice":
        return max(item.config["options"], key=lambda o: o["points"])["value"]
    if item.type == "number":
        best = max(item.config["bands"], key=lambda b: b["points"])
        return max(item.config["min"], min(best["upto"], item.config["max"]))
    return None


def decide_appeal(
    appeal: Appeal, reviewer: User, *, uphold: bool, reason: str | None, now: datetime
) -> None:
    """Uphold (the finding is withdrawn and every score recomputed) or reject an open appeal."""
    if appeal.status != AppealStatus.OPEN:
        raise ReviewError(_("This appeal was already decided."))
    appeal.decision_reason = _text(reason, required=not uphold, what=_("the reason"))
    appeal.decided_by_id = reviewer.id
    appeal.decided_at = now
    appeal.status = AppealStatus.UPHELD if uphold else AppealStatus.REJECTED
    changes = {}
    if uphold:
        inspection = appeal.inspection
        definition = inspection_definition(inspection)
        answer = appeal.answer
        old = answer.value
        answer.value = full_marks_value(definition.item(answer.item_id))
        changes = {"value": [old, answer.value], "score_before": str(inspection.score_percent)}
        store_scores(inspection, definition)
        action = db.session.query(CorrectiveAction).filter_by(answer_id=answer.id).one_or_none()
        if action is not None and action.status != ActionStatus.VERIFIED:
            db.session.delete(action)
        changes["score_after"] = str(inspection.score_percent)
    db.session.flush()
    record_event(
        "appeal.uphold" if uphold else "appeal.reject",
        appeal,
        actor_id=reviewer.id,
        inspection_id=appeal.inspection_id,
        reason=appeal.decision_reason,
        **changes,
    )
    if uphold:
        record_event(
            "inspection.rescore", appeal.inspection, actor_id=reviewer.id,
            inspection_id=appeal.inspection_id, **changes,
        )  # fmt: skip


def record_action(
    action: CorrectiveAction, manager: User, description: str | None, now: datetime
) -> None:
    """The store says what it did about a failed item."""
    lock_row(action)  # two clicks record once
    if action.status == ActionStatus.VERIFIED:
        raise ReviewError(_("This action was already verified."))
    text = _text(description, required=True, what=_("what was done"))
    if action.status == ActionStatus.RECORDED and action.description == text:
        return  # the same record sent again (a double click, a resent form)
    action.description = text
    action.status = ActionStatus.RECORDED
    action.recorded_by_id = manager.id
    action.recorded_at = now
    db.session.flush()
    record_event("action.record", action, actor_id=manager.id, inspection_id=action.inspection_id)


def verify_action(
    action: CorrectiveAction, reviewer: User, *, verified: bool, comment: str | None, now: datetime
) -> None:
    """A reviewer confirms the fix, or sends it back to the store."""
    lock_row(action)  # two clicks decide once
    if action.status != ActionStatus.RECORDED:
        raise ReviewError(_("Only a recorded action can be verified."))
    action.status = ActionStatus.VERIFIED if verified else ActionStatus.NOT_VERIFIED
    action.verification_comment = _text(
        comment, required=not verified, what=_("what is still missing")
    )
    action.verified_by_id = reviewer.id
    action.verified_at = now
    db.session.flush()
    record_event(
        "action.verify" if verified else "action.reject", action, actor_id=reviewer.id,
        inspection_id=action.inspection_id, comment=action.verification_comment,
    )  # fmt: skip
