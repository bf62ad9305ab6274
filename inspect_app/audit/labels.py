"""The audit log in words: each kind of event, each kind of object, and the details' fields.

The audit page shows these labels, never the codes stored in `AuditEvent`; a kind recorded
without a label here still shows (by its code), so a new event is never hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

#: What happened, by `AuditEvent.action`.
AUDIT_LABELS = {
    "user.sign_in": _l("Signed in"),
    "user.sign_out": _l("Signed out"),
    "user.create": _l("User created"),
    "user.update": _l("User changed"),
    "user.reset_password": _l("Password reset"),
    "region.create": _l("Region created"),
    "region.update": _l("Region changed"),
    "store.create": _l("Hall created"),
    "store.update": _l("Hall changed"),
    "staff.create": _l("Staff member created"),
    "staff.update": _l("Staff member changed"),
    "roster.import": _l("Roster imported"),
    "checklist.version_stored": _l("Checklist version stored"),
    "checklist.version_activated": _l("Checklist version put in use"),
    "plan.propose": _l("Visit plan proposed"),
    "plan.publish": _l("Visit plan published"),
    "assignment.reassign": _l("Visit reassigned"),
    "inspection.start": _l("Visit started"),
    "inspection.submit": _l("Visit submitted"),
    "inspection.resubmit": _l("Visit resubmitted after corrections"),
    "inspection.return": _l("Visit returned to the inspector"),
    "inspection.approve": _l("Visit approved"),
    "inspection.rescore": _l("Visit scores recomputed"),
    "finding.attribute": _l("Finding attributed to a staff member"),
    "finding.unidentified": _l("Finding confirmed as not identifiable"),
    "appeal.file": _l("Appeal filed"),
    "appeal.uphold": _l("Appeal upheld"),
    "appeal.reject": _l("Appeal rejected"),
    "action.record": _l("Corrective action recorded"),
    "action.verify": _l("Corrective action verified"),
    "action.reject": _l("Corrective action not verified"),
    "export.start": _l("Export started"),
}

#: What an event is about, by `AuditEvent.object_type` (a table name).
OBJECT_LABELS = {
    "users": _l("User"),
    "regions": _l("Region"),
    "stores": _l("Hall"),
    "staff": _l("Staff member"),
    "checklist_versions": _l("Checklist version"),
    "assignments": _l("Planned visit"),
    "inspections": _l("Inspection visit"),
    "answers": _l("Finding"),
    "appeals": _l("Appeal"),
    "corrective_action_items": _l("Corrective action"),
    "export_jobs": _l("Export"),
    "system": _l("The whole system"),
}

#: The details' fields, by key.
DETAIL_LABELS = {
    "username": _l("Username"),
    "display_name": _l("Name"),
    "role": _l("Role"),
    "is_active": _l("Active"),
    "region_id": _l("Region"),
    "store_ids": _l("Halls"),
    "region_ids": _l("Regions"),
    "regions": _l("Regions"),
    "stores": _l("Halls"),
    "staff": _l("Staff"),
    "name": _l("Name (hall, region or person)"),
    "code": _l("Code"),
    "address": _l("Address"),
    "employee_no": _l("Employee number"),
    "position": _l("Position"),
    "month": _l("Month"),
    "visits": _l("Visits"),
    "problems": _l("Problems reported"),
    "halls_without_visits": _l("Halls left without a visit"),
    "inspector": _l("Inspector"),
    "key": _l("Checklist"),
    "number": _l("Version"),
    "previous": _l("Previous version"),
    "source": _l("Source"),
    "activated": _l("Put in use"),
    "created": _l("Created"),
    "updated": _l("Changed"),
    "moved": _l("Moved"),
    "deactivated": _l("Deactivated"),
    "comment": _l("Comment"),
    "items": _l("Comments on items"),
    "item": _l("Item"),
    "reason": _l("Reason"),
    "value": _l("Answer"),
    "score_before": _l("Score before"),
    "score_after": _l("Score after"),
    "action_items": _l("Corrective actions"),
    "period": _l("Period"),
    "hall_note": _l("Reviewer’s note to the hall"),
    "score_percent": _l("Score rate"),
    "is_vetoed": _l("Veto"),
    "changes": _l("Answers changed"),
}


def audit_label(action: str) -> str:
    """Return the words for a kind of event (its code when it has none)."""
    return str(AUDIT_LABELS.get(action, action))


def object_label(object_type: str) -> str:
    """Return the words for a kind of object (its code when it has none)."""
    return str(OBJECT_LABELS.get(object_type, object_type))


#: Events whose details are changes, each field as [old, new] (a creation's old is None).
CHANGE_EVENTS = frozenset(
    {"user.update", "region.update", "store.update", "staff.update", "assignment.reassign"}
    | {"region.create", "store.create", "staff.create"}  # each field as [None, value]
)

#: Turns one stored value (an id, a role's code) into words; None: show it as it is.
Namer = Callable[[Any], str | None]


#: Detail fields whose values are codes (file names), shown as such rather than as words.
CODE_DETAILS = frozenset({"source"})


def detail_lines(
    action: str, details: dict[str, Any], namers: Mapping[str, Namer] | None = None
) -> list[tuple[str, str, bool]]:
    """Return an event's details as (field, value, is_code) in words, in the order recorded.

    A change, stored as [old, new], reads "old → new"; a list reads as its items; a hall as
    its name and region; the plan's problems as their number (the page flashed them in full).
    `namers` name the stored values of some fields (ids, codes), by the field's key.
    """
    lines = []
    for key, value in details.items():
        label = str(DETAIL_LABELS.get(key, key.replace("_", " ")))
        namer = (namers or {}).get(key)
        if key == "problems" and isinstance(value, list):
            text = str(len(value))
        elif (action in CHANGE_EVENTS or key == "value") and _is_pair(value):
            text = f"{_words(value[0], namer)} → {_words(value[1], namer)}"
        else:
            text = _words(value, namer)
        lines.append((label, text, key in CODE_DETAILS))
    return lines


def _is_pair(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2


def _words(value: Any, namer: Namer | None = None) -> str:
    """Return one detail's value as words."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "; ".join(_words(v, namer) for v in value)
    if isinstance(value, dict):
        if "name" in value:
            return f"{value['name']} ({value['region']})" if value.get("region") else value["name"]
        return "; ".join(
            f"{DETAIL_LABELS.get(k, k.replace('_', ' '))}: {_words(v)}" for k, v in value.items()
        )
    named = namer(value) if namer else None
    return named if named else str(value)
