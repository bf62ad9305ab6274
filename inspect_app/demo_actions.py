"""The demo's corrective actions (整改): one per approved visit with failed items.

Visits whose deadline has passed were corrected and verified; newer ones are open, or recorded
by the hall and waiting for the reviewer, as a hall working through its list would leave them.
"""

from __future__ import annotations

from datetime import date, timedelta

from inspect_app.auth.models import User
from inspect_app.calendar import local_date
from inspect_app.checklists.definition import ChecklistDefinition
from inspect_app.extensions import db
from inspect_app.inspections.models import Inspection
from inspect_app.review.actions import action_status
from inspect_app.review.models import ActionStatus, CorrectiveAction, CorrectiveActionItem

#: Days a hall has to correct a visit's failed items (the CORRECTIVE_ACTION_DAYS default).
ACTION_DAYS = 14


def add_corrective_action(
    inspection: Inspection,
    today: date,
    recorder: User | None,
    reviewer: User,
    definition: ChecklistDefinition,
) -> CorrectiveAction | None:
    """Open the visit's corrective action for its failed items (partial credit opens none)."""
    failed = [a for a in inspection.answers if a.is_failed]
    if not failed:
        return None
    db.session.flush()  # answer ids
    approved = inspection.approved_at
    # The halls' dates of the approval and the record, as the app's own rules count them.
    due = max(
        inspection.visit_date + timedelta(days=ACTION_DAYS), local_date(approved) + timedelta(1)
    )
    action = CorrectiveAction(inspection_id=inspection.id, due_date=due, created_at=approved)
    recorded_at = approved + timedelta(days=3)
    for answer in sorted(failed, key=lambda a: a.id):
        item = CorrectiveActionItem(answer_id=answer.id, status=ActionStatus.OPEN)
        if recorder is not None and local_date(recorded_at) < today:
            item.status = ActionStatus.RECORDED
            item.description = f"已整改并自查：{definition.item(answer.item_id).text}"
            item.recorded_by_id, item.recorded_at = recorder.id, recorded_at
            if due < today and local_date(recorded_at + timedelta(days=1)) < today:
                item.status = ActionStatus.VERIFIED
                item.verified_by_id = reviewer.id
                item.verified_at = recorded_at + timedelta(days=1)
        action.items.append(item)
    action.status = action_status(item.status for item in action.items)
    db.session.add(action)
    return action
