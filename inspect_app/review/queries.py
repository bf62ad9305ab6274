"""Reads for the reviewer's and the store manager's pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from inspect_app.audit.models import AuditEvent
from inspect_app.extensions import db
from inspect_app.inspections.models import Inspection, Photo
from inspect_app.inspections.photos import hamming_distance
from inspect_app.review.models import ActionStatus, Appeal, AppealStatus, CorrectiveAction

#: Perceptual hashes this close (of 64 bits) are the same picture, re-saved or cropped a little.
NEAR_DUPLICATE_BITS = 6


@dataclass(frozen=True)
class ReuseWarning:
    photo: Photo
    other: Photo
    distance: int

    @property
    def identical(self) -> bool:
        return self.photo.sha256 == self.other.sha256


def photo_reuse_warnings(inspection: Inspection) -> list[ReuseWarning]:
    """Photos of this visit that match a photo stored for another visit (reused-photo fraud).

    Candidates share the file hash or one of four 16-bit bands of the perceptual hash:
    by the pigeonhole rule every pair within 3 bits shares a band, and most within 6 do.
    """
    warnings = []
    for photo in inspection.photos:
        bands = [
            func.substr(Photo.perceptual_hash, 1 + 4 * n, 4)
            == photo.perceptual_hash[4 * n : 4 * n + 4]
            for n in range(4)
        ]
        candidates = db.session.scalars(
            select(Photo)
            .where(Photo.inspection_id != inspection.id, or_(Photo.sha256 == photo.sha256, *bands))
            .options(joinedload(Photo.inspection).joinedload(Inspection.store))
            .limit(50)
        )
        for other in candidates:
            distance = hamming_distance(photo.perceptual_hash, other.perceptual_hash)
            if photo.sha256 == other.sha256 or distance <= NEAR_DUPLICATE_BITS:
                warnings.append(ReuseWarning(photo, other, distance))
    return warnings


def audit_trail(inspection_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.inspection_id == inspection_id)
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
    )


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


def actions_of(inspection_id: int) -> dict[int, CorrectiveAction]:
    return {
        a.answer_id: a
        for a in db.session.scalars(
            select(CorrectiveAction).where(CorrectiveAction.inspection_id == inspection_id)
        )
    }


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


def open_actions(today: date, store_scope=None) -> list[tuple[CorrectiveAction, bool]]:
    """Actions not yet verified, with whether each is overdue, most urgent first."""
    query = (
        select(CorrectiveAction)
        .where(CorrectiveAction.status != ActionStatus.VERIFIED)
        .options(
            joinedload(CorrectiveAction.inspection).joinedload(Inspection.store),
            joinedload(CorrectiveAction.answer),
        )
        .order_by(CorrectiveAction.due_date, CorrectiveAction.id)
    )
    if store_scope is not None:
        query = query.join(Inspection, Inspection.id == CorrectiveAction.inspection_id).where(
            Inspection.store_id.in_(store_scope)
        )
    return [
        (a, a.due_date < today and a.status != ActionStatus.RECORDED)
        for a in db.session.scalars(query).unique()
    ]
