"""Reads for the reviewer's and the store manager's pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from inspect_app.audit.models import AuditEvent
from inspect_app.extensions import db
from inspect_app.inspections.models import Answer, Inspection
from inspect_app.review.models import (
    ActionStatus,
    Appeal,
    AppealStatus,
    CorrectiveAction,
    CorrectiveActionItem,
)

#: Item states in which the store still has to act.
NEEDS_THE_STORE = (ActionStatus.OPEN, ActionStatus.NOT_VERIFIED)


#: The events of a visit the store may read: what happened after approval. Starting,
#: submitting, returning and resolving a visit are the inspection's own business.
HALL_EVENTS = frozenset(
    {
        "inspection.approve",
        "inspection.rescore",
        "appeal.file",
        "appeal.uphold",
        "appeal.reject",
        "action.record",
        "action.verify",
        "action.reject",
    }
)


def audit_trail(inspection_id: int, *, hall_only: bool = False) -> list[AuditEvent]:
    """The visit's events, oldest first; `hall_only` keeps those in HALL_EVENTS."""
    query = select(AuditEvent).where(AuditEvent.inspection_id == inspection_id)
    if hall_only:
        query = query.where(AuditEvent.action.in_(HALL_EVENTS))
    return list(db.session.scalars(query.order_by(AuditEvent.occurred_at, AuditEvent.id)))


def unresolved_findings(inspection_ids: list[int]) -> dict[int, int]:
    """Per visit, the findings whose person is not identified and not yet resolved."""
    if not inspection_ids:
        return {}
    rows = db.session.execute(
        select(Answer.inspection_id, func.count())
        .where(
            Answer.inspection_id.in_(inspection_ids),
            Answer.is_unidentified,
            Answer.attribution_resolved_at.is_(None),
        )
        .group_by(Answer.inspection_id)
    )
    return {inspection_id: count for inspection_id, count in rows}


def appeals_of(inspection_id: int) -> dict[int, list[Appeal]]:
    """The visit's appeals by answer id, oldest first."""
    out: dict[int, list[Appeal]] = {}
    for appeal in db.session.scalars(
        select(Appeal)
        .where(Appeal.inspection_id == inspection_id)
        .order_by(Appeal.created_at, Appeal.id)
    ):
        out.setdefault(appeal.answer_id, []).append(appeal)
    return out


def action_of(inspection_id: int) -> CorrectiveAction | None:
    """The visit's corrective action, if it has one (its items are loaded with it)."""
    return db.session.scalar(
        select(CorrectiveAction)
        .where(CorrectiveAction.inspection_id == inspection_id)
        .options(selectinload(CorrectiveAction.items))
    )


def action_with_items(action_id: int) -> CorrectiveAction | None:
    """The corrective action with its items and their answers, for the page that shows them."""
    return db.session.scalar(
        select(CorrectiveAction)
        .where(CorrectiveAction.id == action_id)
        .options(
            selectinload(CorrectiveAction.items)
            .joinedload(CorrectiveActionItem.answer)
            .joinedload(Answer.staff)
        )
    )


def action_items_of(inspection_id: int) -> dict[int, CorrectiveActionItem]:
    """The visit's corrective-action items by answer id."""
    action = action_of(inspection_id)
    return {item.answer_id: item for item in action.items} if action else {}


def open_appeals(store_scope=None) -> list[Appeal]:
    query = (
        select(Appeal)
        .where(Appeal.status == AppealStatus.OPEN)
        .options(
            joinedload(Appeal.inspection).joinedload(Inspection.store), joinedload(Appeal.answer)
        )
        .order_by(Appeal.created_at)
    )
    if store_scope is not None:
        query = query.join(Inspection, Inspection.id == Appeal.inspection_id).where(
            Inspection.store_id.in_(store_scope)
        )
    return list(db.session.scalars(query).unique())


@dataclass(frozen=True)
class ActionRow:
    """One visit's corrective action as the lists show it."""

    action: CorrectiveAction
    #: Items the store still has to correct (open, or not verified).
    open_items: int
    total_items: int
    overdue: bool


def action_row(action: CorrectiveAction, today: date) -> ActionRow:
    """The action's items still to correct, and whether it is overdue: its due date has passed
    while some item still needs the store."""
    open_items = sum(1 for item in action.items if item.status in NEEDS_THE_STORE)
    overdue = open_items > 0 and action.due_date < today
    return ActionRow(action, open_items, len(action.items), overdue)


def open_actions(today: date, store_scope=None) -> list[ActionRow]:
    """Actions not yet verified, one per visit, with whether each is overdue, most urgent first."""
    query = (
        select(CorrectiveAction)
        .where(CorrectiveAction.status != ActionStatus.VERIFIED)
        .options(
            joinedload(CorrectiveAction.inspection).joinedload(Inspection.store),
            selectinload(CorrectiveAction.items),
        )
        .order_by(CorrectiveAction.due_date, CorrectiveAction.id)
    )
    if store_scope is not None:
        query = query.join(Inspection, Inspection.id == CorrectiveAction.inspection_id).where(
            Inspection.store_id.in_(store_scope)
        )
    return [action_row(action, today) for action in db.session.scalars(query).unique()]
