"""The rules a visit's content must meet, checked against its checklist and the hall's roster.

`payload.py` reads what the phone or the no-JavaScript form sends into a VisitPayload;
`check_visit` here turns it into canonical values and errors by field (the autosave stores
what it can, a submission needs everything).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from flask_babel import gettext as _

from inspect_app.checklists.definition import ChecklistDefinition
from inspect_app.checklists.item_types import MAX_TEXT_LENGTH, AnswerError
from inspect_app.inspections.attribution import (
    MAX_SERVED,
    RosterLookup,
    both_message,
    describe_message,
    roster_refusal,
    unattributed_message,
    visit_day,
)
from inspect_app.inspections.payload import AnswerPayload, VisitPayload
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
