"""Changes to photos: add (idempotent per photo uuid) and remove.

Each flushes; the view commits. Files are written to photo storage before the row, and removed
again if the row cannot be stored, so no file outlives a failed upload.

A visit's own rules (evidence only while it is being edited, its row locked while a photo is
added) come from the visit as a VisitGate: inspections.operations.EVIDENCE_GATE.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, tzinfo
from hashlib import sha256
from typing import TYPE_CHECKING

from sqlalchemy import select

from inspect_app.db import utcnow
from inspect_app.extensions import db
from inspect_app.locking import insert_or_ignore
from inspect_app.photos.capture_time import photo_capture_window, sort_capture_time
from inspect_app.photos.limits import PhotoLimits
from inspect_app.photos.models import Photo, PhotoPurpose
from inspect_app.photos.pipeline import ProcessedPhoto, exif_capture_time, process_photo
from inspect_app.photos.storage import PhotoStorage

if TYPE_CHECKING:
    from inspect_app.auth.models import User
    from inspect_app.inspections.models import Inspection


class PhotoConflict(Exception):
    """Another photo (other bytes, or another visit) is stored under this uuid (a 409)."""


@dataclass(frozen=True)
class VisitGate:
    """How a visit lets evidence photos in; the visit's package defines it.

    ``refuse_if_closed`` raises (the visit's own error) when the visit takes no more photos;
    ``lock`` locks the visit's row until the transaction ends and reads it again, so a submit
    waits for the photo, or the photo for the submit.
    """

    refuse_if_closed: Callable[[Inspection], None]
    lock: Callable[[Inspection], object]


def add_photo(
    inspection: Inspection,
    *,
    photo_uuid: str,
    item_id: str | None,
    data: bytes,
    uploader: User,
    storage: PhotoStorage,
    limits: PhotoLimits,
    tz: tzinfo,
    client_captured_at: str | None = None,
    purpose: PhotoPurpose = PhotoPurpose.EVIDENCE,
    visit_gate: VisitGate | None = None,
    appeal_id: int | None = None,
    corrective_action_id: int | None = None,
    corrective_action_item_id: int | None = None,
) -> tuple[Photo, bool]:
    """Store one photo; a retry with the same UUID and bytes returns the stored one (created False).

    Evidence photos belong to a visit being filled in and pass its ``visit_gate`` (required for
    them); appeal and corrective-action photos are added by the store after approval. The row
    is inserted with ON CONFLICT DO NOTHING, so copies of one upload arriving at once store one
    photo; the files of a copy that lost are deleted, and so are the files of any upload that
    fails after writing them. The capture time is the file's EXIF time, else the one the phone
    read (client_captured_at, EXIF text in the halls' zone ``tz``); it is kept only if
    plausible for the visit (capture_time), else stored as implausible_captured_at for the
    reviewer to see. PhotoError for an unusable file, PhotoConflict for another photo under
    the uuid, StorageUnavailable when the photo disk cannot take the files.
    """
    if purpose == PhotoPurpose.EVIDENCE and visit_gate is None:
        raise ValueError("evidence photos need their visit's gate")
    source_sha256 = sha256(data).hexdigest()
    if stored := _stored_before(photo_uuid, inspection, source_sha256):
        return stored, False
    if visit_gate is not None:
        visit_gate.refuse_if_closed(inspection)
    processed = process_photo(data, limits, tz)
    if visit_gate is not None:
        visit_gate.lock(inspection)
        if stored := _stored_before(photo_uuid, inspection, source_sha256):
            return stored, False
        visit_gate.refuse_if_closed(inspection)
    received_at = utcnow()
    # The file's own EXIF wins: a phone's text is consulted only when the file carries no time.
    captured_at, implausible_captured_at = sort_capture_time(
        processed.captured_at or exif_time(client_captured_at, tz),
        photo_capture_window(inspection, purpose, received_at),
    )
    row = {
        "uuid": photo_uuid,
        "inspection_id": inspection.id,
        "item_id": item_id,
        "purpose": purpose,
        "appeal_id": appeal_id,
        "corrective_action_id": corrective_action_id,
        "corrective_action_item_id": corrective_action_item_id,
        "captured_at": captured_at,
        "implausible_captured_at": implausible_captured_at,
        "uploaded_by_id": uploader.id,
        "created_at": received_at,
    }
    return _store(inspection, processed, row, storage, source_sha256)


def _store(
    inspection: Inspection,
    processed: ProcessedPhoto,
    row: dict[str, object],
    storage: PhotoStorage,
    source_sha256: str,
) -> tuple[Photo, bool]:
    """Write the files, then insert the row (``row`` plus the files' facts) unless a copy won.

    Deletes the files again when a copy of the upload was stored first or anything fails.
    """
    keys: list[str] = []
    try:
        keys.append(storage.put(processed.jpeg))
        keys.append(storage.put(processed.thumbnail))
        created = insert_or_ignore(
            Photo,
            {
                **row,
                "storage_key": keys[0],
                "thumbnail_key": keys[1],
                "byte_size": len(processed.jpeg),
                "width": processed.width,
                "height": processed.height,
                "sha256": processed.sha256,
                "source_sha256": processed.source_sha256,
                "perceptual_hash": processed.perceptual_hash,
            },
        )
        photo = _photo_by_uuid(str(row["uuid"]))
        if not created:
            _delete_files(storage, keys)
            return _same_photo(photo, inspection, source_sha256), False
    except BaseException:
        _delete_files(storage, keys)
        raise
    return photo, True


def _stored_before(photo_uuid: str, inspection: Inspection, source_sha256: str) -> Photo | None:
    """This upload's photo if it is already stored (a retry); PhotoConflict for another one."""
    existing = _photo_by_uuid(photo_uuid)
    return None if existing is None else _same_photo(existing, inspection, source_sha256)


def _photo_by_uuid(photo_uuid: str) -> Photo | None:
    return db.session.scalar(
        select(Photo).where(Photo.uuid == photo_uuid).execution_options(populate_existing=True)
    )


def _same_photo(photo: Photo | None, inspection: Inspection, source_sha256: str) -> Photo:
    """The stored photo, if it is this upload again; PhotoConflict for other bytes or visits."""
    if (
        photo is None
        or photo.inspection_id != inspection.id
        or photo.source_sha256 != source_sha256
    ):
        raise PhotoConflict(photo.uuid if photo else "")
    return photo


def _delete_files(storage: PhotoStorage, keys: list[str]) -> None:
    for key in keys:
        # What cannot be deleted now, `flask photos sweep` removes later.
        with suppress(OSError):
            storage.delete(key)


def exif_time(value: str | None, tz: tzinfo) -> datetime | None:
    """Read an EXIF-style "YYYY:MM:DD HH:MM:SS" (local to tz) the phone found before scaling.

    The instant in UTC, or None when absent or unreadable (cameras without a clock write
    zeros, and year 1 cannot even be shifted to UTC). Whether it is plausible for the visit is
    capture_time's question, asked by add_photo.
    """
    return exif_capture_time(value, None, tz)


def remove_photo(
    inspection: Inspection, photo: Photo, storage: PhotoStorage, visit_gate: VisitGate
) -> None:
    """Delete a photo from a visit that still takes changes; removing it twice is fine."""
    visit_gate.lock(inspection)
    visit_gate.refuse_if_closed(inspection)
    if db.session.scalar(select(Photo.id).where(Photo.id == photo.id)) is None:
        return  # another request removed it while this one waited
    keys = (photo.storage_key, photo.thumbnail_key)
    db.session.delete(photo)
    db.session.flush()
    _delete_files(storage, list(keys))
