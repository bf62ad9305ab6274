"""Reviewing visits and deciding appeals (申诉). Each flushes; the view commits.

Corrective actions (整改) are in review/actions.py."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from flask_babel import gettext as _

from inspect_app.audit.operations import record_event
from inspect_app.auth.models import User
from inspect_app.calendar import local_date
from inspect_app.context import halls_tz
from inspect_app.extensions import db
from inspect_app.inspections.attribution import roster_refusal
from inspect_app.inspections.models import Answer, Inspection, InspectionStatus
from inspect_app.inspections.operations import inspection_definition, store_scores
from inspect_app.inspections.queries import roster_standings
from inspect_app.locking import unique_violation_as
from inspect_app.review.actions import withdraw_item
from inspect_app.review.models import (
    Appeal,
    AppealStatus,
    CorrectiveAction,
    CorrectiveActionItem,
)
from inspect_app.review.texts import ReviewError, review_text


def flagged_answers(inspection: Inspection) -> list[Answer]:
    """The visit's findings whose person the inspector could not identify, not yet resolved."""
    return [
        a for a in inspection.answers if a.is_unidentified and a.attribution_resolved_at is None
    ]


def approve_inspection(
    inspection: Inspection,
    reviewer: User,
    now: datetime,
    action_days: int,
    hall_note: str | None = None,
) -> CorrectiveAction | None:
    """Approve a submitted visit; it starts counting, and its failed items become one action.

    Refused while a finding's person is still unidentified and unresolved. The corrective
    action holds one item per failed answer (partial credit is not a failure); none is opened
    when nothing failed. `hall_note` is the reviewer's note to the hall, which the store reads.
    """
    if inspection.status != InspectionStatus.SUBMITTED:
        raise ReviewError(
            _("Only a submitted visit can be approved; this one is %(s)s.", s=inspection.status)
        )
    flagged = len(flagged_answers(inspection))
    if flagged:
        raise ReviewError(
            _(
                "%(n)s findings still have an unidentified staff member: resolve them first.",
                n=flagged,
            )
        )
    inspection.hall_note = review_text(hall_note, required=False, what=_("a note to the hall"))
    inspection.status = InspectionStatus.APPROVED
    inspection.approved_at = now
    inspection.approved_by_id = reviewer.id
    failed = [a for a in inspection.answers if a.is_failed]
    action = None
    if failed:
        # The halls' date of the approval, not the server's: 00:30 in the halls is already today.
        today = local_date(now, halls_tz())
        due = (inspection.visit_date or today) + timedelta(days=action_days)
        due = max(due, today + timedelta(days=1))
        action = CorrectiveAction(inspection_id=inspection.id, due_date=due, created_at=now)
        action.items = [
            CorrectiveActionItem(answer_id=a.id) for a in sorted(failed, key=lambda a: a.id)
        ]
        db.session.add(action)
    # Two reviewers approving at once: the visit's row lock decides, the unique key backs it.
    with unique_violation_as(ReviewError(_("This visit was already approved."))):
        db.session.flush()
    record_event(
        "inspection.approve",
        inspection,
        actor_id=reviewer.id,
        inspection_id=inspection.id,
        action_items=len(failed), hall_note=inspection.hall_note,
    )  # fmt: skip
    return action


def resolve_attribution(
    answer: Answer,
    reviewer: User,
    employee_no: str | None,
    now: datetime,
) -> None:
    """Resolve a finding whose person was not identified: name them, or confirm nobody.

    A named 工号 must be an active member of the hall's roster on the visit date. The visit's
    scores are stored again, so the finding moves to the person named.
    """
    inspection = answer.inspection
    if inspection.status != InspectionStatus.SUBMITTED:
        raise ReviewError(_("Only the findings of a submitted visit can be resolved."))
    if answer.attribution_resolved_at is not None:
        raise ReviewError(_("This finding was already resolved."))
    if not answer.is_unidentified:
        raise ReviewError(_("This finding's staff member is already identified."))
    number = (employee_no or "").strip() or None
    if number is not None:
        standings = roster_standings(inspection.store_id, inspection.visit_date, {number})
        refusal = roster_refusal(number, standings.get(number))
        if refusal:
            raise ReviewError(refusal)
        answer.is_unidentified = False
        answer.is_staff_named = True
        answer.employee_no = number
    answer.attribution_resolved_at = now
    answer.attribution_resolved_by_id = reviewer.id
    store_scores(inspection, inspection_definition(inspection))
    db.session.flush()
    record_event(
        "finding.attribute" if number else "finding.unidentified",
        answer,
        actor_id=reviewer.id,
        inspection_id=inspection.id,
        item=answer.item_id,
        employee_no=number,
    )


def return_inspection(
    inspection: Inspection, reviewer: User, comment: str | None, item_comments: dict[str, str]
) -> None:
    """Send a submitted visit back to its inspector with an overall comment and/or per-item comments."""
    if inspection.status != InspectionStatus.SUBMITTED:
        raise ReviewError(
            _("Only a submitted visit can be returned; this one is %(s)s.", s=inspection.status)
        )
    overall = review_text(comment, required=False, what=_("a comment"))
    per_item = {}
    known = {item.id for item in inspection_definition(inspection).items}
    for item_id, text in item_comments.items():
        if item_id not in known:
            raise ReviewError(_("The checklist has no item %(id)s.", id=item_id))
        cleaned = review_text(text, required=False, what=_("a comment"))
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


def appeal_deadline(
    inspection: Inspection, window_days: int, tz: tzinfo | None = None
) -> date | None:
    """The last day (halls' calendar) a finding of this visit can be appealed.

    Counted from the halls' date of the approval: a visit approved at 00:30 in the halls on
    the 23rd (16:30 UTC on the 22nd) can be appealed until the 30th with a 7-day window.
    """
    if inspection.approved_at is None:
        return None
    approved_on = local_date(inspection.approved_at, tz or halls_tz())
    return approved_on + timedelta(days=window_days)


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
    tz = halls_tz()
    deadline = appeal_deadline(inspection, window_days, tz)
    if deadline is None or local_date(now, tz) > deadline:
        raise ReviewError(_("The appeal window closed on %(d)s.", d=deadline))
    if db.session.query(Appeal).filter_by(answer_id=answer.id, status=AppealStatus.OPEN).count():
        raise ReviewError(_("This item already has an open appeal."))
    appeal = Appeal(
        inspection_id=inspection.id,
        answer_id=answer.id,
        filed_by_id=manager.id,
        reason=review_text(reason, required=True, what=_("the reason for the appeal")),
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


def decide_appeal(
    appeal: Appeal, reviewer: User, *, uphold: bool, reason: str | None, now: datetime
) -> None:
    """Uphold (the finding is withdrawn and every score recomputed) or reject an open appeal.

    An upheld finding leaves the visit's corrective action unless its fix was already
    verified; the action goes when no item remains.
    """
    if appeal.status != AppealStatus.OPEN:
        raise ReviewError(_("This appeal was already decided."))
    appeal.decision_reason = review_text(reason, required=not uphold, what=_("the reason"))
    appeal.decided_by_id = reviewer.id
    appeal.decided_at = now
    appeal.status = AppealStatus.UPHELD if uphold else AppealStatus.REJECTED
    changes = {}
    if uphold:
        inspection = appeal.inspection
        definition = inspection_definition(inspection)
        answer = appeal.answer
        old = answer.value
        item = definition.item(answer.item_id)
        answer.value = item.item_type.best_answer(item)  # the answer with full points
        changes = {"value": [old, answer.value], "score_before": str(inspection.score_percent)}
        store_scores(inspection, definition)
        withdraw_item(answer)
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
