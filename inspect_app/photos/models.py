"""Evidence photos: one row per stored photo, for a visit, an appeal or a corrective action.

The files themselves are in photo storage (storage.py); the row holds their keys and what the
pipeline learned (pipeline.py). When a capture time is believed is capture_time.py's rule.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.db import Base, str_enum, utcnow

if TYPE_CHECKING:
    from inspect_app.inspections.models import Inspection


class PhotoPurpose(enum.StrEnum):
    """Why a photo was taken, and so who may add it and when (capture_time's window)."""

    EVIDENCE = "evidence"  # taken by the inspector for an item
    APPEAL = "appeal"  # evidence attached to a manager's appeal
    CORRECTIVE_ACTION = "corrective_action"  # proof of a fix


class Photo(Base):
    """One stored photo (re-encoded JPEG and thumbnail) of a visit, an appeal or a fix."""

    __tablename__ = "photos"
    __table_args__ = (
        CheckConstraint("byte_size > 0", name="byte_size_positive"),
        CheckConstraint(
            "captured_at IS NULL OR implausible_captured_at IS NULL", name="one_capture_time"
        ),
        Index("ix_photos_inspection_item", "inspection_id", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Generated on the phone, so a retried upload is stored once.
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"))
    #: The checklist item the photo is evidence for; None for a visit-level photo.
    item_id: Mapped[str | None] = mapped_column(String(100))
    purpose: Mapped[PhotoPurpose] = mapped_column(
        str_enum(PhotoPurpose, "photo_purpose"), default=PhotoPurpose.EVIDENCE
    )
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"))
    corrective_action_id: Mapped[int | None] = mapped_column(ForeignKey("corrective_actions.id"))
    #: The failed item of the corrective action that this photo proves fixed.
    corrective_action_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("corrective_action_items.id")
    )
    #: Key of the re-encoded JPEG in photo storage (random, never the uploaded name).
    storage_key: Mapped[str] = mapped_column(String(128), unique=True)
    thumbnail_key: Mapped[str] = mapped_column(String(128), unique=True)
    byte_size: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    #: sha256 of the bytes as uploaded; a retried upload under the same UUID must match it.
    source_sha256: Mapped[str] = mapped_column(String(64))
    #: 64-bit perceptual hash as 16 hex digits, to spot reused photos.
    perceptual_hash: Mapped[str] = mapped_column(String(16), index=True)
    #: When the camera took it (the file's EXIF, else the time the phone read from it before
    #: scaling it down), if known and plausible for the visit (capture_time.capture_window).
    captured_at: Mapped[datetime | None]
    #: The time the photo claimed when it was not plausible (e.g. 2099), shown to the reviewer.
    implausible_captured_at: Mapped[datetime | None]
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="photos")
