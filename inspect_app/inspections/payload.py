"""The content of a visit as the phone sends it, checked against its checklist.

The same payload comes as JSON from the page's script (autosave, submit, the
offline outbox) or as an ordinary form post when JavaScript is off; both are
turned into a VisitPayload and validated here, so the rules live in one place.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from flask_babel import gettext as _

from inspect_app.checklists.definition import ChecklistDefinition, Item
from inspect_app.checklists.forms import answer_field_name, comment_field_name
from inspect_app.checklists.item_types import MAX_TEXT_LENGTH, AnswerError
from inspect_app.scoring.inspection import AnswerInput, is_visible

EMPLOYEE_NO = re.compile(r"^[0-9A-Za-z_-]{1,32}$")
MAX_COUNTER_LENGTH = 32
MAX_WAITING_MINUTES = 600
#: A phone's clock may run a little fast; times further in the future are refused.
CLOCK_GRACE = timedelta(minutes=10)
#: A camera's clock may be a time zone or a day off; its capture time is then still kept.
CAPTURE_GRACE = timedelta(days=1)
#: Times before this are typing mistakes or a device whose clock was never set.
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)
#: The widest offset from UTC any place uses (+14:00, Kiribati).
MAX_UTC_OFFSET = timedelta(hours=14)
MAX_VISIT_LENGTH = timedelta(hours=12)
VISIT_FIELDS = ("arrived_at", "left_at", "waiting_minutes", "counter_no")


class PayloadError(ValueError):
    """The payload's shape is wrong (not what our page sends): answered with 400."""


@dataclass
class AnswerPayload:
    value: Any = None
    comment: str | None = None
    employee_no: str | None = None


@dataclass
class VisitPayload:
    visit: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, AnswerPayload] = field(default_factory=dict)

    def canonical_hash(self) -> str:
        """Return the sha256 of this content, the same for the same answers in any order."""
        doc = {
            "visit": {k: self.visit.get(k) for k in VISIT_FIELDS},
            "answers": {
                item_id: [a.value, a.comment or None, a.employee_no or None]
                for item_id, a in sorted(self.answers.items())
                if a.value not in (None, "") or a.comment or a.employee_no
            },
        }
        text = json.dumps(
            doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _text(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PayloadError(f"{name} must be text")
    text = str(value).strip()
    return text or None


def payload_from_json(data: Any, definition: ChecklistDefinition) -> VisitPayload:
    """Read the page script's JSON; PayloadError for a wrong shape or an unknown item id."""
    if not isinstance(data, Mapping):
        raise PayloadError("the body must be a JSON object")
    visit = data.get("visit") or {}
    answers = data.get("answers") or {}
    if not isinstance(visit, Mapping) or not isinstance(answers, Mapping):
        raise PayloadError("visit and answers must be objects")
    known = {item.id for item in definition.items}
    payload = VisitPayload(visit={k: visit.get(k) for k in VISIT_FIELDS})
    for item_id, answer in answers.items():
        if item_id not in known:
            raise PayloadError(f"unknown item {item_id!r}")
        if not isinstance(answer, Mapping):
            raise PayloadError(f"answer for {item_id!r} must be an object")
        value = answer.get("value")
        if isinstance(value, Mapping | list):
            raise PayloadError(f"answer for {item_id!r} has a wrong value")
        payload.answers[item_id] = AnswerPayload(
            value=value,
            comment=_text(answer.get("comment"), "comment"),
            employee_no=_text(answer.get("employee_no"), "employee_no"),
        )
    return payload


def payload_from_form(form: Mapping[str, str], definition: ChecklistDefinition) -> VisitPayload:
    """Read an ordinary form post (JavaScript off) into the same payload."""
    payload = VisitPayload(visit={k: form.get(f"visit_{k}") or None for k in VISIT_FIELDS})
    getlist = getattr(form, "getlist", lambda key: [form[key]] if key in form else [])
    for item in definition.items:
        # A number item's "not applicable" box shares the field's name.
        values = [v for v in getlist(answer_field_name(item)) if v]
        value = "na" if "na" in values else (values[0] if values else None)
        comment = form.get(comment_field_name(item))
        employee_no = form.get(staff_field_name(item))
        if value or comment or employee_no:
            payload.answers[item.id] = AnswerPayload(
                value=value or None, comment=(comment or "").strip() or None,
                employee_no=(employee_no or "").strip() or None,
            )  # fmt: skip
    return payload


def staff_field_name(item: Item) -> str:
    return "s__" + item.id.replace(".", "__")


def photo_field_name(item: Item) -> str:
    return "p__" + item.id.replace(".", "__")


@dataclass
class CheckedVisit:
    """A payload read against its checklist: canonical values, and errors by field."""

    answers: dict[str, AnswerPayload] = field(default_factory=dict)
    arrived_at: datetime | None = None
    left_at: datetime | None = None
    waiting_minutes: int | None = None
    counter_no: str | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add_error(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    def inputs(self) -> dict[str, AnswerInput]:
        return {item_id: AnswerInput(a.value, a.employee_no) for item_id, a in self.answers.items()}


def plausible_time(value: datetime, now: datetime, grace: timedelta = CLOCK_GRACE) -> bool:
    """Whether an instant can be a real visit or photo time: from 2000 until just after now."""
    return EARLIEST_TIME <= value <= now + grace


def _parse_local_time(raw: Any, tz: tzinfo) -> datetime:
    """Read an ISO date and time (local to tz unless it has an offset) as UTC.

    ValueError when unreadable; OverflowError for years so far out that UTC cannot hold them.
    """
    if not isinstance(raw, str):
        raise ValueError
    value = datetime.fromisoformat(raw.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    offset = value.utcoffset()
    if offset is None or abs(offset) > MAX_UTC_OFFSET:
        raise ValueError
    return value.astimezone(UTC)


def check_visit(
    payload: VisitPayload,
    definition: ChecklistDefinition,
    *,
    tz: tzinfo,
    now: datetime,
    for_submit: bool,
    photo_counts: Mapping[str, int] | None = None,
) -> CheckedVisit:
    """Check every field; for_submit adds the completeness rules (required, photos, 工号)."""
    checked = CheckedVisit()
    _check_visit_details(payload.visit, checked, tz=tz, now=now, for_submit=for_submit)
    for item in definition.items:
        answer = payload.answers.get(item.id)
        if answer is None:
            continue
        canonical = AnswerPayload(comment=answer.comment, employee_no=answer.employee_no)
        try:
            canonical.value = item.item_type.parse_answer(item, answer.value)
        except AnswerError as exc:
            checked.add_error(item.id, str(exc))
        if answer.comment and len(answer.comment) > MAX_TEXT_LENGTH:
            checked.add_error(
                item.id, _("Keep the comment under %(n)s characters.", n=MAX_TEXT_LENGTH)
            )
            canonical.comment = None
        if answer.employee_no and not EMPLOYEE_NO.match(answer.employee_no):
            checked.add_error(
                item.id, _("An employee number has letters and digits only (at most 32).")
            )
            canonical.employee_no = None
        if answer.employee_no and not item.staff:
            canonical.employee_no = None
        checked.answers[item.id] = canonical
    if for_submit:
        _check_complete(definition, checked, photo_counts or {})
    return checked


def _check_visit_details(
    visit: Mapping[str, Any], checked: CheckedVisit, *, tz: tzinfo, now: datetime, for_submit: bool
) -> None:
    for key, attr in (("arrived_at", "arrived_at"), ("left_at", "left_at")):
        raw = visit.get(key)
        if raw in (None, ""):
            if for_submit:
                checked.add_error(f"visit.{key}", _("Enter the time."))
            continue
        try:
            value = _parse_local_time(raw, tz)
        except (ValueError, TypeError, OverflowError):
            checked.add_error(f"visit.{key}", _("Enter a date and time such as 2026-03-14 10:15."))
            continue
        if value > now + CLOCK_GRACE:
            checked.add_error(f"visit.{key}", _("This time is in the future."))
            continue
        if not plausible_time(value, now):
            checked.add_error(
                f"visit.{key}", _("This date is too far in the past: check the year.")
            )
            continue
        setattr(checked, attr, value)
    if checked.arrived_at and checked.left_at:
        if checked.left_at < checked.arrived_at:
            checked.add_error("visit.left_at", _("You left before you arrived: check both times."))
            checked.left_at = None
        elif checked.left_at - checked.arrived_at > MAX_VISIT_LENGTH:
            checked.add_error("visit.left_at", _("A visit cannot last more than 12 hours."))
            checked.left_at = None
    waiting = visit.get("waiting_minutes")
    if waiting not in (None, ""):
        try:
            minutes = int(str(waiting).strip())
            if not 0 <= minutes <= MAX_WAITING_MINUTES:
                raise ValueError
            checked.waiting_minutes = minutes
        except (ValueError, TypeError):
            checked.add_error(
                "visit.waiting_minutes",
                _("Enter whole minutes from 0 to %(n)s.", n=MAX_WAITING_MINUTES),
            )
    counter = visit.get("counter_no")
    if counter not in (None, ""):
        counter = str(counter).strip()
        if len(counter) > MAX_COUNTER_LENGTH:
            checked.add_error(
                "visit.counter_no", _("Keep it under %(n)s characters.", n=MAX_COUNTER_LENGTH)
            )
        else:
            checked.counter_no = counter


def _check_complete(
    definition: ChecklistDefinition, checked: CheckedVisit, photo_counts: Mapping[str, int]
) -> None:
    inputs = checked.inputs()
    for item in definition.items:
        if item.id in checked.errors or not is_visible(item, inputs, definition):
            continue
        answer = checked.answers.get(item.id)
        value = answer.value if answer else None
        if value is None:
            if item.required:
                checked.add_error(item.id, _("Answer this item."))
            if item.photo == "always" and not photo_counts.get(item.id):
                checked.add_error(item.id, _("Take a photo for this item."))
            continue
        result = item.item_type.score(item, value)
        needs_photo = item.photo == "always" or (item.photo == "on_fail" and result.failed)
        if needs_photo and not photo_counts.get(item.id):
            checked.add_error(item.id, _("Take a photo for this item."))
        if item.staff and result.failed and not (answer and answer.employee_no):
            checked.add_error(item.id, _("Enter the employee number of the staff member observed."))
