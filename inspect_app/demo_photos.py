"""The demo's evidence photos: a made-up picture on every item that asks for one."""

from __future__ import annotations

import io
import random
import uuid
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw

from inspect_app.auth.models import User
from inspect_app.checklists.definition import ChecklistDefinition
from inspect_app.extensions import db
from inspect_app.inspections.models import Inspection
from inspect_app.photos.limits import PhotoLimits
from inspect_app.photos.models import Photo, PhotoPurpose
from inspect_app.photos.pipeline import process_photo
from inspect_app.photos.storage import PhotoStorage


def add_evidence(
    inspection: Inspection,
    definition: ChecklistDefinition,
    rng: random.Random,
    inspector: User,
    storage: PhotoStorage,
    tz: ZoneInfo,
) -> None:
    """A photo on every answered item that always asks for one, or asks on failure and failed."""
    for answer in inspection.answers:
        item = definition.item(answer.item_id)
        if item.photo == "always" or (item.photo == "on_fail" and answer.is_failed):
            _add_photo(inspection, item.id, _photo(rng), inspector, storage, tz)


def _photo(rng: random.Random) -> bytes:
    image = Image.new(
        "RGB", (960, 720), (rng.randint(150, 230), rng.randint(150, 230), rng.randint(150, 230))
    )
    draw = ImageDraw.Draw(image)
    for _ in range(8):
        x, y = rng.randint(0, 900), rng.randint(0, 660)
        draw.rectangle(
            [x, y, x + rng.randint(40, 200), y + rng.randint(30, 150)],
            fill=tuple(rng.randint(0, 255) for _ in range(3)),
        )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _add_photo(inspection, item_id, data, uploader, storage, tz) -> None:
    processed = process_photo(data, PhotoLimits(), tz)
    db.session.add(
        Photo(
            uuid=str(uuid.uuid4()),
            inspection_id=inspection.id,
            item_id=item_id,
            purpose=PhotoPurpose.EVIDENCE,
            storage_key=storage.put(processed.jpeg),
            thumbnail_key=storage.put(processed.thumbnail),
            byte_size=len(processed.jpeg),
            width=processed.width,
            height=processed.height,
            sha256=processed.sha256,
            source_sha256=processed.source_sha256,
            perceptual_hash=processed.perceptual_hash,
            captured_at=inspection.visit_started_at,
            uploaded_by_id=uploader.id,
        )
    )
