"""Reads of photos: a visit's evidence by item, counts for the completeness check, reuse search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from inspect_app.extensions import db
from inspect_app.photos.models import Photo, PhotoPurpose
from inspect_app.photos.pipeline import hamming_distance

if TYPE_CHECKING:
    from inspect_app.inspections.models import Inspection

#: Perceptual hashes this close (of 64 bits) are the same picture, re-saved or cropped a little.
NEAR_DUPLICATE_BITS = 6
#: Candidates read per photo of the visit: a plain picture (a white wall) shares bands with many.
REUSE_CANDIDATES = 50


def photo_by_uuid(photo_uuid: str) -> Photo | None:
    """The photo stored under this uuid (canonical form), if any."""
    return db.session.scalar(select(Photo).where(Photo.uuid == photo_uuid))


def evidence_photos(inspection_id: int) -> dict[str, list[Photo]]:
    """Return the visit's evidence photos grouped by item id ("" for visit-level photos)."""
    grouped: dict[str, list[Photo]] = {}
    for photo in db.session.scalars(
        select(Photo)
        .where(Photo.inspection_id == inspection_id, Photo.purpose == PhotoPurpose.EVIDENCE)
        .order_by(Photo.id)
    ):
        grouped.setdefault(photo.item_id or "", []).append(photo)
    return grouped


def evidence_photos_by_item(inspection_ids: list[int]) -> dict[tuple[int, str], list[Photo]]:
    """Evidence photos of several visits in one query, keyed by (inspection id, item id)."""
    grouped: dict[tuple[int, str], list[Photo]] = {}
    if not inspection_ids:
        return grouped
    for photo in db.session.scalars(
        select(Photo)
        .where(Photo.inspection_id.in_(inspection_ids), Photo.purpose == PhotoPurpose.EVIDENCE)
        .order_by(Photo.id)
    ):
        grouped.setdefault((photo.inspection_id, photo.item_id or ""), []).append(photo)
    return grouped


def photo_counts(inspection: Inspection) -> dict[str, int]:
    """The visit's evidence photos per item id (visit-level photos left out)."""
    rows = db.session.execute(
        select(Photo.item_id, func.count())
        .where(Photo.inspection_id == inspection.id, Photo.purpose == PhotoPurpose.EVIDENCE)
        .group_by(Photo.item_id)
    )
    return {item_id: count for item_id, count in rows if item_id}


@dataclass(frozen=True)
class ReuseWarning:
    """A photo of the visit under review and a matching photo of another visit."""

    photo: Photo
    other: Photo
    #: Differing bits of the two perceptual hashes (0 to 64).
    distance: int

    @property
    def identical(self) -> bool:
        return self.photo.sha256 == self.other.sha256


def photo_reuse_warnings(inspection: Inspection) -> list[ReuseWarning]:
    """Photos of this visit that match a photo stored for another visit (reused-photo fraud).

    One query. Candidates share the file hash or one of four 16-bit bands of the perceptual
    hash: by the pigeonhole rule every pair within 3 bits shares a band, and most within 6 do.
    Each photo of the visit reads at most REUSE_CANDIDATES of them (the oldest first); the
    exact distance then keeps identical files and those within NEAR_DUPLICATE_BITS. In the
    order of the visit's photos, then of the other photos.
    """
    mine, other = aliased(Photo, name="mine"), aliased(Photo, name="other")
    bands = [
        func.substr(other.perceptual_hash, 1 + 4 * n, 4)
        == func.substr(mine.perceptual_hash, 1 + 4 * n, 4)
        for n in range(4)
    ]
    candidates = (
        select(
            mine.id.label("photo_id"),
            other.id.label("other_id"),
            func.row_number().over(partition_by=mine.id, order_by=other.id).label("rank"),
        )
        .join(
            other,
            and_(
                other.inspection_id != mine.inspection_id,
                or_(other.sha256 == mine.sha256, *bands),
            ),
        )
        .where(mine.inspection_id == inspection.id)
        .subquery()
    )
    photo, match = aliased(Photo, name="photo"), aliased(Photo, name="match")
    pairs = db.session.execute(
        select(photo, match)
        .join(candidates, candidates.c.photo_id == photo.id)
        .join(match, match.id == candidates.c.other_id)
        .where(candidates.c.rank <= REUSE_CANDIDATES)
        .options(joinedload(match.inspection))
        .order_by(photo.id, match.id)
    )
    warnings = []
    for this, that in pairs:
        distance = hamming_distance(this.perceptual_hash, that.perceptual_hash)
        if this.sha256 == that.sha256 or distance <= NEAR_DUPLICATE_BITS:
            warnings.append(ReuseWarning(this, that, distance))
    return warnings
