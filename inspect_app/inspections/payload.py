"""The content of a visit as the phone sends it, checked against its checklist.

The same payload comes as JSON from the page's script (autosave, submit, the
offline outbox) or as an ordinary form post when JavaScript is off; both are
turned into a VisitPayload here and checked in `visit_checks.py`, so the rules live
in one place. Form field names come from the one codec, `checklists/field_names.py`.

JSON shape: ``{"visit": {"arrived_at", "left_at", "waiting_minutes", "counter_no",
"served_by": ["工号", ...]}, "answers": {item_id: {"value", "comment", "employee_no",
"unidentified": bool, "person_description"}}}``. `served_by` lists the staff who served the
inspector (接待员工, at most three, the first is the default for person-items); an answer's
`employee_no` names someone else for that item, `unidentified` says the person could not be
identified and `person_description` describes them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from inspect_app.checklists.definition import ChecklistDefinition, Item
from inspect_app.checklists.forms import answer_field_name, comment_field_name, item_field_name
from inspect_app.checklists.item_types import typed_text
from inspect_app.inspections.attribution import (
    UNIDENTIFIED_CHOICE,
)

VISIT_FIELDS = ("arrived_at", "left_at", "waiting_minutes", "counter_no")


class PayloadError(ValueError):
    """The payload's shape is wrong (not what our page sends): answered with 400."""


@dataclass
class AnswerPayload:
    value: Any = None
    comment: str | None = None
    #: 工号 the inspector named for this item (instead of the visit's served staff).
    employee_no: str | None = None
    #: The inspector could not identify the person this item is about.
    unidentified: bool = False
    person_description: str | None = None

    def has_content(self) -> bool:
        return bool(
            self.value not in (None, "")
            or self.comment
            or self.employee_no
            or self.unidentified
            or self.person_description
        )


@dataclass
class VisitPayload:
    visit: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, AnswerPayload] = field(default_factory=dict)
    #: 工号 of the staff who served the inspector, in the order chosen.
    served_by: list[str] = field(default_factory=list)

    def canonical_hash(self) -> str:
        """Return the sha256 of this content, the same for the same answers in any order."""
        visit: dict[str, Any] = {k: self.visit.get(k) for k in VISIT_FIELDS}
        # Added only when present, so content without them hashes as it did before.
        if self.served_by:
            visit["served_by"] = list(self.served_by)
        answers = {}
        for item_id, a in sorted(self.answers.items()):
            if not a.has_content():
                continue
            answers[item_id] = [a.value, _trimmed(a.comment), a.employee_no or None]
            if a.unidentified or a.person_description:
                answers[item_id] += [bool(a.unidentified), _trimmed(a.person_description)]
        doc = {"visit": visit, "answers": answers}
        text = json.dumps(
            doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _trimmed(text: str | None) -> str | None:
    """Free text as it was hashed before it was kept exactly: trimmed, None when blank.

    The submission hash recognises a phone's retry; hashing the trimmed text keeps every
    content's hash what it was, so a retry queued before free text was kept as typed is still
    a repeat. Texts that differ only in surrounding whitespace count as the same submission.
    """
    return (text.strip() or None) if text else None


def _string(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PayloadError(f"{name} must be text")
    return str(value)


def _code(value: Any, name: str) -> str | None:
    """A 工号 or other code: trimmed, None when blank."""
    text = _string(value, name)
    return (text.strip() or None) if text is not None else None


def _free_text(value: Any, name: str) -> str | None:
    """A comment or description exactly as typed; None when empty or only whitespace."""
    return typed_text(_string(value, name))


def payload_from_json(data: Any, definition: ChecklistDefinition) -> VisitPayload:
    """Read the page script's JSON; PayloadError for a wrong shape or an unknown item id."""
    if not isinstance(data, Mapping):
        raise PayloadError("the body must be a JSON object")
    visit = data.get("visit") or {}
    answers = data.get("answers") or {}
    if not isinstance(visit, Mapping) or not isinstance(answers, Mapping):
        raise PayloadError("visit and answers must be objects")
    known = {item.id for item in definition.items}
    served = visit.get("served_by")
    if served is not None and not isinstance(served, list):
        raise PayloadError("visit.served_by must be a list of employee numbers")
    payload = VisitPayload(
        visit={k: visit.get(k) for k in VISIT_FIELDS},
        served_by=[n for n in (_code(v, "served_by") for v in served or []) if n],
    )
    for item_id, answer in answers.items():
        if item_id not in known:
            raise PayloadError(f"unknown item {item_id!r}")
        if not isinstance(answer, Mapping):
            raise PayloadError(f"answer for {item_id!r} must be an object")
        value = answer.get("value")
        if isinstance(value, Mapping | list):
            raise PayloadError(f"answer for {item_id!r} has a wrong value")
        unidentified = answer.get("unidentified")
        if unidentified is not None and not isinstance(unidentified, bool):
            raise PayloadError(f"unidentified for {item_id!r} must be true or false")
        payload.answers[item_id] = AnswerPayload(
            value=value,
            comment=_free_text(answer.get("comment"), "comment"),
            employee_no=_code(answer.get("employee_no"), "employee_no"),
            unidentified=bool(unidentified),
            person_description=_free_text(answer.get("person_description"), "person_description"),
        )
    return payload


def payload_from_form(form: Mapping[str, str], definition: ChecklistDefinition) -> VisitPayload:
    """Read an ordinary form post (JavaScript off) into the same payload.

    `visit_served_by` comes once per chosen slot, in order; an item's staff choice `s__<id>`
    is empty (the served staff), a 工号, or UNIDENTIFIED_CHOICE with a description `d__<id>`.
    """
    getlist = getattr(form, "getlist", lambda key: [form[key]] if key in form else [])
    payload = VisitPayload(
        visit={k: form.get(f"visit_{k}") or None for k in VISIT_FIELDS},
        served_by=[v.strip() for v in getlist(SERVED_FIELD) if v and v.strip()],
    )
    for item in definition.items:
        # A number item's "not applicable" box shares the field's name.
        values = [v for v in getlist(answer_field_name(item)) if v]
        value = "na" if "na" in values else (values[0] if values else None)
        choice = (form.get(staff_field_name(item)) or "").strip()
        answer = AnswerPayload(
            value=value or None,
            comment=typed_text(form.get(comment_field_name(item))),
            employee_no=choice if choice not in ("", UNIDENTIFIED_CHOICE) else None,
            unidentified=choice == UNIDENTIFIED_CHOICE,
            person_description=typed_text(form.get(description_field_name(item))),
        )
        if answer.has_content():
            payload.answers[item.id] = answer
    return payload


#: The no-JavaScript form's field for the served staff, one per chosen slot.
SERVED_FIELD = "visit_served_by"


def staff_field_name(item: Item) -> str:
    return item_field_name("s", item)


def description_field_name(item: Item) -> str:
    return item_field_name("d", item)


def photo_field_name(item: Item) -> str:
    return item_field_name("p", item)
