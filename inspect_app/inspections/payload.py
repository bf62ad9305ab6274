"""The content of a visit as the phone sends it, checked against its checklist.

The same payload comes as JSON from the page's script (autosave, submit, the
offline outbox) or as an ordinary form post when JavaScript is off; both are
turned into a VisitPayload and validated here, so the rules live in one place.

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
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from flask_babel import gettext as _

from inspect_app.checklists.definition import ChecklistDefinition, Item
from inspect_app.checklists.forms import answer_field_name, comment_field_name, item_field_name
from inspect_app.checklists.item_types import MAX_TEXT_LENGTH, AnswerError, typed_text
from inspect_app.inspections.attribution import (
    MAX_SERVED,
    UNIDENTIFIED_CHOICE,
    RosterLookup,
    both_message,
    describe_message,
    roster_refusal,
    unattributed_message,
    visit_day,
)
from inspect_app.scoring.inspection import AnswerInput, score_inspection

EMPLOYEE_NO = re.compile(r"^[0-9A-Za-z_-]{1,32}$")
MAX_COUNTER_LENGTH = 32
MAX_WAITING_MINUTES = 600
#: A phone's clock may run a little fast; times further in the future are refused.
CLOCK_GRACE = timedelta(minutes=10)
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


@dataclass
class CheckedVisit:
    """A payload read against its checklist: canonical values, and errors by field."""

    answers: dict[str, AnswerPayload] = field(default_factory=dict)
    arrived_at: datetime | None = None
    left_at: datetime | None = None
    waiting_minutes: int | None = None
    counter_no: str | None = None
    #: The served staff's 工号 as checked; only stored when "visit.served_by" has no error.
    served_by: list[str] = field(default_factory=list)
    #: Items whose attribution was refused (a 工号 off the roster ...): stored ones are kept.
    attribution_refused: set[str] = field(default_factory=set)
    #: The halls' date the 工号 were checked for.
    day: date | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add_error(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    @property
    def served_by_ok(self) -> bool:
        return "visit.served_by" not in self.errors

    def inputs(self) -> dict[str, AnswerInput]:
        return {
            item_id: AnswerInput(a.value, a.employee_no, a.unidentified)
            for item_id, a in self.answers.items()
        }


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
    roster: RosterLookup,
    photo_counts: Mapping[str, int] | None = None,
) -> CheckedVisit:
    """Check every field; for_submit adds the completeness rules (required, photos, who).

    Every served and named 工号 must be on the hall's roster on the visit date (`roster`
    tells where each stands); a refused one is an error on "visit.served_by" or its item.
    """
    checked = CheckedVisit()
    _check_visit_details(payload.visit, checked, tz=tz, now=now, for_submit=for_submit)
    _check_served(payload.served_by, checked)
    for item in definition.items:
        answer = payload.answers.get(item.id)
        if answer is None:
            continue
        canonical = AnswerPayload(comment=answer.comment)
        try:
            canonical.value = item.item_type.parse_answer(item, answer.value)
        except AnswerError as exc:
            checked.add_error(item.id, str(exc))
        if answer.comment and len(answer.comment) > MAX_TEXT_LENGTH:
            checked.add_error(
                item.id, _("Keep the comment under %(n)s characters.", n=MAX_TEXT_LENGTH)
            )
            canonical.comment = None
        if item.staff:
            _check_attribution(item.id, answer, canonical, checked)
        checked.answers[item.id] = canonical
    checked.day = visit_day(checked.arrived_at, now, tz)
    _check_roster(checked, roster)
    if for_submit:
        _check_complete(definition, checked, photo_counts or {})
    return checked


def _valid_employee_no(value: str) -> bool:
    return bool(EMPLOYEE_NO.match(value))


def _bad_employee_no() -> str:
    return _("An employee number has letters and digits only (at most 32).")


def _check_served(served: list[str], checked: CheckedVisit) -> None:
    numbers = list(dict.fromkeys(n.strip() for n in served if n and n.strip()))
    if len(numbers) > MAX_SERVED:
        checked.add_error(
            "visit.served_by",
            _("Choose at most %(n)s staff members who served you.", n=MAX_SERVED),
        )
    for number in numbers:
        if not _valid_employee_no(number):
            checked.add_error("visit.served_by", _bad_employee_no())
            break
    checked.served_by = numbers[:MAX_SERVED]


def _check_attribution(
    item_id: str, answer: AnswerPayload, canonical: AnswerPayload, checked: CheckedVisit
) -> None:
    """Check who a staff item names; on a refusal the stored attribution is kept."""
    refusals = []
    if answer.employee_no and not _valid_employee_no(answer.employee_no):
        refusals.append(_bad_employee_no())
    elif answer.employee_no and answer.unidentified:
        refusals.append(both_message())
    if answer.person_description and len(answer.person_description) > MAX_TEXT_LENGTH:
        refusals.append(_("Keep the description under %(n)s characters.", n=MAX_TEXT_LENGTH))
    for message in refusals:
        checked.add_error(item_id, message)
    if refusals:
        checked.attribution_refused.add(item_id)
        return
    canonical.employee_no = answer.employee_no
    canonical.unidentified = answer.unidentified
    canonical.person_description = answer.person_description


def _check_roster(checked: CheckedVisit, roster: RosterLookup) -> None:
    """Refuse every 工号 that is not on the hall's roster on the visit date."""
    named = {item_id: a.employee_no for item_id, a in checked.answers.items() if a.employee_no}
    served = checked.served_by if checked.served_by_ok else []
    numbers = frozenset(served) | frozenset(named.values())
    if not numbers:
        return
    standings = roster(checked.day, numbers)
    refusals = {n: roster_refusal(n, standings.get(n)) for n in numbers}
    for number in served:
        if refusals[number]:
            checked.add_error("visit.served_by", refusals[number])
    for item_id, number in named.items():
        if refusals[number]:
            checked.add_error(item_id, refusals[number])
            checked.attribution_refused.add(item_id)
            checked.answers[item_id].employee_no = None


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
    """Required answers and photos, and every answered person-item attributed to someone.

    A person-item is attributed to the 工号 named on it, else the first served staff member,
    else explicitly to "not identified" with a description. A refused served list still stands
    in here (it is not stored), so that its error is not repeated on every item.
    """
    scored = score_inspection(definition, checked.inputs(), checked.served_by)
    for item in definition.items:
        result = scored.items[item.id]
        answer = checked.answers.get(item.id)
        if not result.person_item and answer is not None and item.id not in checked.errors:
            # Only person-items carry a person: a hidden or not applicable item drops it.
            answer.employee_no, answer.unidentified = None, False
        if item.id in checked.errors or result.hidden:
            continue
        value = answer.value if answer else None
        if value is None:
            if item.required:
                checked.add_error(item.id, _("Answer this item."))
            if item.photo == "always" and not photo_counts.get(item.id):
                checked.add_error(item.id, _("Take a photo for this item."))
            continue
        needs_photo = item.photo == "always" or (item.photo == "on_fail" and result.failed)
        if needs_photo and not photo_counts.get(item.id):
            checked.add_error(item.id, _("Take a photo for this item."))
        if result.unattributed:
            checked.add_error(item.id, unattributed_message())
        elif result.unidentified and not answer.person_description:
            checked.add_error(item.id, describe_message())
