"""Photos sent in a form (the visit form without JavaScript, appeals, corrective actions).

Each photo is held to the per-photo limit on its own and stored under a new UUID; a refused
photo is named with the reason, so the text typed around it is never lost. The form's body
limit is inspect_app.uploads' concern.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from inspect_app.context import halls_tz
from inspect_app.photos.limits import photo_limits
from inspect_app.photos.models import Photo
from inspect_app.photos.operations import add_photo
from inspect_app.photos.pipeline import PhotoError
from inspect_app.photos.storage import photo_storage
from inspect_app.uploads import shown_name

if TYPE_CHECKING:
    from inspect_app.inspections.models import Inspection


def read_photo(upload: FileStorage, max_bytes: int) -> bytes:
    """Read an uploaded photo, stopping one byte past max_bytes: a huge file is never held whole.

    The photo pipeline then refuses the oversized one with the same message as the photo API.
    """
    return upload.stream.read(max_bytes + 1)


def store_upload(
    inspection: Inspection, upload: FileStorage, **owner: Any
) -> tuple[Photo | None, str | None]:
    """Store one photo of a form for the signed-in user under a new UUID.

    Returns (photo, None), or (None, the sentence naming the photo and why) when the photo
    pipeline refuses it. ``owner`` is passed to add_photo: item_id with visit_gate (evidence),
    purpose, appeal_id, or corrective_action_id with corrective_action_item_id (the failed
    item the photo proves fixed). StorageUnavailable (a 503) when the photo disk cannot take it.
    """
    limits = photo_limits()
    try:
        photo, _created = add_photo(
            inspection,
            photo_uuid=str(uuid.uuid4()),
            data=read_photo(upload, limits.max_bytes),
            uploader=current_user,
            storage=photo_storage(),
            limits=limits,
            tz=halls_tz(),
            **owner,
        )
    except PhotoError as exc:
        return None, refused_photo(upload, str(exc))
    return photo, None


def refused_photo(upload: FileStorage, why: str) -> str:
    """The sentence that names a refused photo and says why it was refused."""
    return _("Photo “%(name)s” was not stored: %(why)s", name=shown_name(upload), why=why)
