"""Reads for the inspector's pages."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from inspect_app.audit.models import AuditEvent
from inspect_app.extensions import db
from inspect_app.inspections.attribution import RosterStanding, Standing
from inspect_app.inspections.models import (
    Assignment,
    AssignmentStatus,
    Inspection,
    InspectionStatus,
)
from inspect_app.stores.models import Staff, StaffPosting
from inspect_app.stores.queries import roster_on

OPEN_ASSIGNMENT = (AssignmentStatus.PUBLISHED, AssignmentStatus.IN_PROGRESS)


def open_assignments(inspector_id: int) -> list[Assignment]:
    """Return the inspector's published, unfinished assignments, most urgent first."""
    return list(
        db.session.scalars(
            select(Assignment)
            .where(Assignment.inspector_id == inspector_id, Assignment.status.in_(OPEN_ASSIGNMENT))
            .order_by(Assignment.window_end, Assignment.id)
        )
    )


def is_overdue(assignment: Assignment, today: date) -> bool:
    return assignment.window_end < today


def draft_for_assignment(assignment_id: int) -> Inspection | None:
    return db.session.scalar(
        select(Inspection).where(
            Inspection.assignment_id == assignment_id,
            Inspection.status.in_((InspectionStatus.DRAFT, InspectionStatus.RETURNED)),
        )
    )


def unfinished_inspections(inspector_id: int) -> list[Inspection]:
    """Return drafts and inspections a reviewer returned, newest first."""
    return list(
        db.session.scalars(
            select(Inspection)
            .where(
                Inspection.inspector_id == inspector_id,
                Inspection.status.in_((InspectionStatus.DRAFT, InspectionStatus.RETURNED)),
            )
            .order_by(Inspection.updated_at.desc())
        )
    )


def recent_submissions(inspector_id: int, limit: int = 20) -> list[Inspection]:
    return list(
        db.session.scalars(
            select(Inspection)
            .where(
                Inspection.inspector_id == inspector_id,
                Inspection.status.in_((InspectionStatus.SUBMITTED, InspectionStatus.APPROVED)),
            )
            .order_by(Inspection.submitted_at.desc())
            .limit(limit)
        )
    )


def return_events(inspection_id: int) -> list[AuditEvent]:
    """Each time the visit was returned, oldest first, with the comments given then (kept in the
    event's details, so a later return or a resubmission does not erase them)."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.inspection_id == inspection_id, AuditEvent.action == "inspection.return"
            )
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
    )


def inspection_by_uuid(uuid: str) -> Inspection | None:
    return db.session.scalar(select(Inspection).where(Inspection.uuid == uuid))


def roster_standings(
    store_id: int, day: date, numbers: Collection[str]
) -> dict[str, RosterStanding]:
    """Where each 工号 stands against the hall's roster on `day`; unknown ones are left out.

    Read from the staff postings (the roster history).
    """
    on_roster = {s.employee_no for s in roster_on(store_id, day) if s.employee_no in numbers}
    standings = {n: RosterStanding(Standing.ON_ROSTER) for n in on_roster}
    others = set(numbers) - on_roster
    if not others:
        return standings
    for staff in db.session.scalars(
        select(Staff)
        .where(Staff.employee_no.in_(others))
        .options(
            joinedload(Staff.store),
            selectinload(Staff.postings).joinedload(StaffPosting.store),
        )
    ):
        standings[staff.employee_no] = _off_roster(staff, store_id, day)
    return standings


def _off_roster(staff: Staff, store_id: int, day: date) -> RosterStanding:
    """Why a known person is not on the hall's roster on `day`, from their postings."""
    elsewhere = next((p for p in staff.postings if p.covers(day)), None)
    if elsewhere is not None:
        hall = f"{elsewhere.store.name} {elsewhere.store.code}"
        moved = elsewhere.store_id != staff.store_id
        return RosterStanding(Standing.OTHER_HALL, hall=hall, hall_on=day if moved else None)
    here = [p for p in staff.postings if p.store_id == store_id]
    left = [p.ended_on for p in here if p.ended_on is not None and p.ended_on < day]
    if left:
        return RosterStanding(Standing.LEFT, left_on=max(left))
    joined = [p.started_on for p in here if p.started_on is not None and p.started_on > day]
    if joined:
        return RosterStanding(Standing.JOINED, joined_on=min(joined))
    if staff.store_id != store_id:
        return RosterStanding(Standing.OTHER_HALL, hall=f"{staff.store.name} {staff.store.code}")
    return RosterStanding(Standing.LEFT)  # marked as left, with no date on record


def people_by_employee_no(numbers: Collection[str]) -> dict[str, Staff]:
    """Staff by 工号, for the 工号 a visit already holds (served or named)."""
    if not numbers:
        return {}
    return {
        s.employee_no: s
        for s in db.session.scalars(select(Staff).where(Staff.employee_no.in_(set(numbers))))
    }
