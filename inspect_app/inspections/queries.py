"""Reads for the inspector's home page."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.inspections.models import (
    Assignment,
    AssignmentStatus,
    Inspection,
    InspectionStatus,
)

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
