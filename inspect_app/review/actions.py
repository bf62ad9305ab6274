"""Corrective actions (整改): recording what was done for each finding, verifying it, and
taking a withdrawn finding out. Each flushes; the view commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update

from inspect_app.audit.operations import record_event
from inspect_app.auth.models import User
from inspect_app.extensions import db
from inspect_app.inspections.models import Answer
from inspect_app.photos.models import Photo
from inspect_app.review.models import ActionStatus, CorrectiveAction, CorrectiveActionItem
from inspect_app.review.texts import ReviewError, review_text


def withdraw_item(answer: Answer) -> None:
    """Take a withdrawn finding out of its corrective action (a verified fix stays as history)."""
    item = db.session.scalar(
        select(CorrectiveActionItem).where(CorrectiveActionItem.answer_id == answer.id)
    )
    if item is None:
        return
    action = _lock_action(item.action_id)
    item = _fresh_item(item.id)
    if action is None or item is None or item.status == ActionStatus.VERIFIED:
        return
    # Proof photos of a withdrawn item stay with the visit, owned by nothing.
    db.session.execute(
        update(Photo)
        .where(Photo.corrective_action_item_id == item.id)
        .values(corrective_action_item_id=None, corrective_action_id=None)
    )
    db.session.delete(item)
    db.session.flush()
    if not _item_statuses(action.id):
        db.session.delete(action)
    else:
        _sum_up(action)


def action_status(statuses: Iterable[ActionStatus]) -> ActionStatus:
    """The action's status from its items': open while any needs the store, verified when all are."""
    statuses = set(statuses)
    if statuses & {ActionStatus.OPEN, ActionStatus.NOT_VERIFIED}:
        return ActionStatus.OPEN
    if statuses <= {ActionStatus.VERIFIED}:
        return ActionStatus.VERIFIED
    return ActionStatus.RECORDED


def _lock_action(action_id: int) -> CorrectiveAction | None:
    """Lock the action for this transaction (every change to its items goes through it)."""
    return db.session.scalar(
        select(CorrectiveAction)
        .where(CorrectiveAction.id == action_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _fresh_item(item_id: int) -> CorrectiveActionItem | None:
    return db.session.scalar(
        select(CorrectiveActionItem)
        .where(CorrectiveActionItem.id == item_id)
        .execution_options(populate_existing=True)
    )


def _item_statuses(action_id: int) -> list[ActionStatus]:
    return list(
        db.session.scalars(
            select(CorrectiveActionItem.status).where(CorrectiveActionItem.action_id == action_id)
        )
    )


def _sum_up(action: CorrectiveAction) -> None:
    db.session.flush()
    action.status = action_status(_item_statuses(action.id))
    db.session.flush()


def _locked_item(item: CorrectiveActionItem) -> tuple[CorrectiveAction, CorrectiveActionItem]:
    """The item and its action, locked and read afresh; refused if a decision removed it."""
    action = _lock_action(item.action_id)
    fresh = _fresh_item(item.id) if action is not None else None
    if action is None or fresh is None:
        raise ReviewError(
            _("This item is no longer part of the corrective action: its appeal was upheld.")
        )
    return action, fresh


def record_action_item(
    item: CorrectiveActionItem, manager: User, description: str | None, now: datetime
) -> None:
    """The store says what it did about one failed item of its corrective action."""
    action, item = _locked_item(item)  # two clicks, or two managers, record once
    if item.status == ActionStatus.VERIFIED:
        raise ReviewError(_("This item was already verified."))
    text = review_text(description, required=True, what=_("what was done"))
    if item.status == ActionStatus.RECORDED and item.description == text:
        return  # the same record sent again (a double click, a resent form)
    item.description = text
    item.status = ActionStatus.RECORDED
    item.recorded_by_id = manager.id
    item.recorded_at = now
    _sum_up(action)
    record_event(
        "action.record", item, actor_id=manager.id, inspection_id=action.inspection_id,
        item=item.answer.item_id,
    )  # fmt: skip


def verify_action_item(
    item: CorrectiveActionItem,
    reviewer: User,
    *,
    verified: bool,
    comment: str | None,
    now: datetime,
) -> None:
    """A reviewer confirms one item's fix, or sends it back to the store."""
    action, item = _locked_item(item)  # two clicks decide once
    if item.status != ActionStatus.RECORDED:
        raise ReviewError(_("Only a recorded item can be verified."))
    item.status = ActionStatus.VERIFIED if verified else ActionStatus.NOT_VERIFIED
    item.verification_comment = review_text(
        comment, required=not verified, what=_("what is still missing")
    )
    item.verified_by_id = reviewer.id
    item.verified_at = now
    _sum_up(action)
    record_event(
        "action.verify" if verified else "action.reject", item, actor_id=reviewer.id,
        inspection_id=action.inspection_id, item=item.answer.item_id,
        comment=item.verification_comment,
    )  # fmt: skip
