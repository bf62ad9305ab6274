"""Changes to visits: start, save a draft, submit, store scores. Each flushes; the view commits.

Photos are added and removed by inspect_app.photos.operations, through the visit's EVIDENCE_GATE.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal

from sqlalchemy import select

from inspect_app.audit.operations import record_event
from inspect_app.auth.models import User
from inspect_app.calendar import local_date
from inspect_app.checklists.definition import ChecklistDefinition
from inspect_app.checklists.models import Checklist
from inspect_app.checklists.operations import definition_of
from inspect_app.extensions import db
from inspect_app.inspections.attribution import RosterLookup
from inspect_app.inspections.models import (
    Answer,
    Assignment,
    AssignmentStatus,
    Inspection,
    InspectionStatus,
    SectionScore,
    ServedStaff,
)
from inspect_app.inspections.payload import VisitPayload
from inspect_app.inspections.queries import people_by_employee_no, roster_standings
from inspect_app.inspections.visit_checks import CheckedVisit, check_visit
from inspect_app.locking import insert_or_ignore, lock_row
from inspect_app.photos.capture_time import recheck_capture_time
from inspect_app.photos.operations import VisitGate
from inspect_app.photos.queries import photo_counts
from inspect_app.scoring.inspection import AnswerInput, InspectionScore, score_inspection
from inspect_app.stores.models import Store

EDITABLE = (InspectionStatus.DRAFT, InspectionStatus.RETURNED)


class VisitConflict(Exception):
    """The request clashes with what is stored (answered with 409)."""


class VisitClosed(VisitConflict):
    """The visit was submitted: it is read-only until a reviewer returns it."""


def valid_uuid(value: str | None) -> str | None:
    """Return the canonical form of a UUID string, or None if it is not one."""
    try:
        return str(uuid_module.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        return None


def start_inspection(
    inspector: User,
    store: Store,
    *,
    checklist: Checklist,
    client_uuid: str | None = None,
    assignment: Assignment | None = None,
) -> Inspection:
    """Open a draft visit, or return the one already opened under the same UUID or assignment.

    Insert-or-fetch, so a triple tap or two phones starting one assignment at once get the same
    visit: INSERT … ON CONFLICT DO NOTHING on the visit's uuid and its assignment, then read.
    """
    inspection_uuid = valid_uuid(client_uuid) or str(uuid_module.uuid4())
    if assignment is not None:
        # Serialises starting with reassigning (planning.operations.reassign locks it too).
        lock_row(assignment)
        if assignment.inspector_id != inspector.id:
            raise VisitConflict(inspection_uuid)
    existing = _visit_for(inspection_uuid, assignment)
    if existing is None:
        if checklist.active_version_id is None:
            raise VisitConflict("checklist has no version")
        created = insert_or_ignore(
            Inspection,
            {
                "uuid": inspection_uuid,
                "store_id": store.id,
                "checklist_version_id": checklist.active_version_id,
                "inspector_id": inspector.id,
                "assignment_id": assignment.id if assignment else None,
                "status": InspectionStatus.DRAFT,
            },
        )
        existing = _visit_for(inspection_uuid, assignment)
        if created:
            if assignment is not None and assignment.status == AssignmentStatus.PUBLISHED:
                assignment.status = AssignmentStatus.IN_PROGRESS
            db.session.flush()
            record_event(
                "inspection.start", existing, actor_id=inspector.id, inspection_id=existing.id
            )
            return existing
    if existing is None or existing.inspector_id != inspector.id or existing.store_id != store.id:
        raise VisitConflict(inspection_uuid)
    return existing


def _visit_for(inspection_uuid: str, assignment: Assignment | None) -> Inspection | None:
    """The visit stored under this uuid, else the one already started for the assignment."""
    found = db.session.scalar(select(Inspection).where(Inspection.uuid == inspection_uuid))
    if found is None and assignment is not None:
        found = db.session.scalar(
            select(Inspection).where(Inspection.assignment_id == assignment.id)
        )
    return found


def lock_inspection(inspection: Inspection) -> Inspection:
    """Lock the visit's row until the transaction ends and re-read it (status included).

    Saving, submitting and adding or removing photos on one visit then run one after the
    other on PostgreSQL; SQLite's write lock already serialises them.
    """
    return lock_row(inspection)


def refuse_if_closed(inspection: Inspection) -> None:
    """VisitClosed unless the visit is still being edited (a draft, or returned to the inspector)."""
    if inspection.status not in EDITABLE:
        raise VisitClosed(inspection.uuid)


#: How a visit lets evidence photos in: only while it is edited, its row locked for the insert.
EVIDENCE_GATE = VisitGate(refuse_if_closed=refuse_if_closed, lock=lock_inspection)


def inspection_definition(inspection: Inspection) -> ChecklistDefinition:
    return definition_of(inspection.checklist_version)


def visit_score(inspection: Inspection) -> InspectionScore:
    """The visit's stored answers scored again (the reasons and per-item results pages show)."""
    served = [s.staff.employee_no for s in inspection.served_by]
    return score_inspection(
        inspection_definition(inspection), scoring_inputs(inspection.answers), served
    )


def _apply(inspection: Inspection, checked: CheckedVisit, definition: ChecklistDefinition) -> None:
    """Write the checked content onto the visit: valid values replace, invalid ones are kept as they were.

    The served staff list is replaced as a whole; an answer's attribution (the 工号 named,
    "not identified" and the description) is kept as stored when the check refused it.
    `store_scores` then works out whom each person-item is attributed to.
    """
    for attr in ("arrived_at", "left_at", "waiting_minutes", "counter_no"):
        if f"visit.{attr}" in checked.errors:
            continue
        value = getattr(checked, attr)
        column = {"arrived_at": "visit_started_at", "left_at": "visit_ended_at"}.get(attr, attr)
        setattr(inspection, column, value)
    # Arrival and departure bound when a photo can have been taken (capture_time).
    for photo in inspection.photos:
        recheck_capture_time(photo)
    if checked.served_by_ok:
        _replace_served(inspection, checked.served_by)
    existing = {a.item_id: a for a in inspection.answers}
    for item in definition.items:
        new = checked.answers.get(item.id)
        answer = existing.get(item.id)
        if new is None or (item.id in checked.errors and new.value is None and answer is not None):
            continue
        if answer is None:
            answer = Answer(item_id=item.id, points_earned=Decimal(0), points_possible=Decimal(0))
            inspection.answers.append(answer)
        answer.value = new.value
        answer.comment = new.comment
        if item.id not in checked.attribution_refused:
            _attribute(answer, new.employee_no, new.unidentified, new.person_description)
    inspection.draft_revision = (inspection.draft_revision or 0) + 1


def _attribute(
    answer: Answer, named: str | None, unidentified: bool, description: str | None
) -> None:
    """Store whom the inspector said an answer is about; a change reopens a reviewer's ruling."""
    before = (answer.is_staff_named, answer.is_unidentified)
    if answer.is_staff_named:
        before += (answer.employee_no,)
    after = (named is not None, unidentified) + ((named,) if named is not None else ())
    if before != after:
        answer.attribution_resolved_at = None
        answer.attribution_resolved_by_id = None
    answer.is_staff_named = named is not None
    if named is not None:
        answer.employee_no = named
    answer.is_unidentified = unidentified
    answer.person_description = description


def _replace_served(inspection: Inspection, numbers: list[str]) -> None:
    """Make the visit's served staff exactly `numbers`, in that order."""
    if [s.staff.employee_no for s in inspection.served_by] == numbers:
        return
    if inspection.served_by:
        # Deleted first: the new rows may reuse a position or a person (both unique).
        inspection.served_by.clear()
        db.session.flush()
    people = people_by_employee_no(numbers)
    chosen = [people[n] for n in numbers if n in people]
    inspection.served_by.extend(
        ServedStaff(staff=person, position=position) for position, person in enumerate(chosen)
    )


def roster_lookup(inspection: Inspection) -> RosterLookup:
    """The roster check for this visit's hall (see attribution.RosterLookup)."""
    return lambda day, numbers: roster_standings(inspection.store_id, day, numbers)


def save_draft(
    inspection: Inspection, payload: VisitPayload, *, tz: tzinfo, now: datetime
) -> CheckedVisit:
    """Save what is valid of a draft and return the check (with errors for the rest)."""
    lock_inspection(inspection)
    if inspection.status not in EDITABLE:
        raise VisitClosed(inspection.uuid)
    definition = inspection_definition(inspection)
    checked = check_visit(
        payload, definition, tz=tz, now=now, for_submit=False, roster=roster_lookup(inspection)
    )
    _apply(inspection, checked, definition)
    store_scores(inspection, definition)
    db.session.flush()
    return checked


@dataclass(frozen=True)
class SubmitResult:
    checked: CheckedVisit
    #: True when this exact content had already been submitted (a retry).
    repeated: bool = False

    @property
    def ok(self) -> bool:
        return not self.checked.errors


def submit_inspection(
    inspection: Inspection, payload: VisitPayload, *, tz: tzinfo, now: datetime
) -> SubmitResult:
    """Submit a visit: all-or-nothing validation; a repeated submit of the same content is a success."""
    lock_inspection(inspection)
    content_hash = payload.canonical_hash()
    if inspection.status not in EDITABLE:
        if inspection.submission_hash == content_hash:
            return SubmitResult(CheckedVisit(), repeated=True)
        raise VisitClosed(inspection.uuid)
    definition = inspection_definition(inspection)
    roster = roster_lookup(inspection)
    checked = check_visit(
        payload,
        definition,
        tz=tz,
        now=now,
        for_submit=True,
        roster=roster,
        photo_counts=photo_counts(inspection),
    )
    if checked.errors:
        # Nothing the inspector entered is lost: the valid part is kept as the draft.
        draft = check_visit(payload, definition, tz=tz, now=now, for_submit=False, roster=roster)
        _apply(inspection, draft, definition)
        store_scores(inspection, definition)
        # The inspector's home page flags the visit with these reasons until it goes through.
        inspection.submit_refused_at = now
        inspection.submit_errors = checked.errors
        db.session.flush()
        return SubmitResult(checked)
    was_returned = inspection.status == InspectionStatus.RETURNED
    before = _answer_snapshot(inspection)
    _apply(inspection, checked, definition)
    changes = _changes(before, _answer_snapshot(inspection)) if was_returned else {}
    inspection.status = InspectionStatus.SUBMITTED
    inspection.submitted_at = now
    inspection.submission_hash = content_hash
    inspection.submit_refused_at = None
    inspection.submit_errors = None
    inspection.visit_date = local_date(inspection.visit_started_at, tz)
    store_scores(inspection, definition)
    if inspection.assignment is not None:
        inspection.assignment.status = AssignmentStatus.DONE
    db.session.flush()
    record_event(
        "inspection.resubmit" if was_returned else "inspection.submit",
        inspection,
        actor_id=inspection.inspector_id,
        inspection_id=inspection.id,
        score_percent=str(inspection.score_percent),
        is_vetoed=inspection.is_vetoed,
        **({"changes": changes} if was_returned else {}),
    )
    return SubmitResult(checked)


def _answer_snapshot(inspection: Inspection) -> dict[str, list]:
    return {
        a.item_id: [a.value, a.comment, a.employee_no]
        + ([True, a.person_description] if a.is_unidentified else [])
        for a in inspection.answers
    }


def _changes(before: dict[str, list], after: dict[str, list]) -> dict[str, list]:
    """What a resubmission changed, item by item: {item_id: [old, new]}."""
    return {
        item_id: [before.get(item_id), after.get(item_id)]
        for item_id in sorted(set(before) | set(after))
        if before.get(item_id) != after.get(item_id)
    }


def store_scores(inspection: Inspection, definition: ChecklistDefinition | None = None) -> None:
    """Recompute and store every answer's points, attribution, the section scores and totals.

    Person-items are attributed by the scoring rules (scoring/inspection.py): the 工号 named on
    the answer, else the visit's first served staff member; `staff_id` and `employee_no` hold
    the result, so roll-ups read one column whoever was named. A 工号 named on an item that
    is not a person-item now (unanswered, not applicable, hidden) is kept as named, so the
    inspector's choice survives until the item is answered; roll-ups count only answered,
    applicable items with points.
    """
    definition = definition or inspection_definition(inspection)
    answers = {a.item_id: a for a in inspection.answers}
    served = [s.staff for s in inspection.served_by]
    result = score_inspection(
        definition, scoring_inputs(inspection.answers), [s.employee_no for s in served]
    )
    people = {s.employee_no: s.id for s in served}
    named = {a.employee_no for a in answers.values() if a.is_staff_named and a.employee_no}
    people.update((n, s.id) for n, s in people_by_employee_no(named - set(people)).items())
    for item_id, answer in answers.items():
        item_result = result.items.get(item_id)
        if item_result is None:
            continue
        answer.points_earned = item_result.earned
        answer.points_possible = item_result.possible
        answer.is_not_applicable = item_result.not_applicable
        answer.is_failed = item_result.failed
        answer.is_veto_failed = item_result.veto_failed
        employee_no = item_result.employee_no
        if not item_result.person_item and answer.is_staff_named:
            employee_no = answer.employee_no
        answer.employee_no = employee_no
        answer.staff_id = people.get(employee_no) if employee_no else None
    sections = {s.section_id: s for s in inspection.section_scores}
    for section in result.sections:
        row = sections.get(section.section_id)
        if row is None:
            row = SectionScore(section_id=section.section_id)
            inspection.section_scores.append(row)
        row.points_earned = section.earned
        row.points_possible = section.possible
        row.percent = section.percent
    inspection.points_earned = result.earned
    inspection.points_possible = result.possible
    inspection.score_percent = result.percent
    inspection.is_vetoed = result.is_vetoed


def scoring_inputs(answers: Iterable[Answer]) -> dict[str, AnswerInput]:
    """The stored answers as the scoring rules read them (named 工号 only; unidentified flag)."""
    return {
        a.item_id: AnswerInput(
            a.value, a.employee_no if a.is_staff_named else None, a.is_unidentified
        )
        for a in answers
    }
