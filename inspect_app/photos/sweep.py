"""Clean the photo directory: half-written files and files no photo row refers to.

Uploads write their files before their row is committed, and a failed or lost race deletes
its files at once; what a crash or a failed commit leaves behind is removed here. Only files
older than MIN_AGE are touched, so uploads in flight are never swept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from inspect_app.extensions import db
from inspect_app.photos.models import Photo
from inspect_app.photos.storage import LocalPhotoStorage

#: Files younger than this may belong to an upload still running.
MIN_AGE = timedelta(hours=1)
#: Keys looked up per query.
CHUNK = 500


@dataclass(frozen=True)
class SweepResult:
    partial_removed: int
    orphans_removed: int


def referenced_keys(keys: list[str]) -> set[str]:
    """The subset of keys that a photo row refers to (as its photo or its thumbnail)."""
    found: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        rows = db.session.execute(
            select(Photo.storage_key, Photo.thumbnail_key).where(
                or_(Photo.storage_key.in_(chunk), Photo.thumbnail_key.in_(chunk))
            )
        )
        for photo_key, thumb_key in rows:
            found.update((photo_key, thumb_key))
    return found


def sweep_photo_files(
    storage: LocalPhotoStorage, now: datetime, min_age: timedelta = MIN_AGE
) -> SweepResult:
    """Delete partial files and unreferenced photo files older than min_age; say how many."""
    keys, partial = storage.files_older_than(now - min_age)
    for path in partial:
        path.unlink(missing_ok=True)
    used = referenced_keys(keys)
    orphans = [key for key in keys if key not in used]
    for key in orphans:
        storage.delete(key)
    return SweepResult(partial_removed=len(partial), orphans_removed=len(orphans))
