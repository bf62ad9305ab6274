"""Helpers the review package's pages share: photos from a form, undo."""

from __future__ import annotations

from collections.abc import Iterable

from flask import flash, request
from flask_babel import gettext as _

from inspect_app.extensions import db
from inspect_app.inspections.models import Inspection
from inspect_app.photos.storage import photo_storage
from inspect_app.photos.uploads import store_upload
from inspect_app.uploads import chosen_files

#: Most photos an appeal or a corrective-action item carries.
MAX_OWNER_PHOTOS = 5


def undo(message: str, stored: Iterable[str] = ()) -> None:
    """Roll the attempt back, delete the files of photos it stored, and say why."""
    db.session.rollback()
    storage = photo_storage()
    for key in stored:  # files of photos stored before a later one was refused
        storage.delete(key)
    flash(message, "error")


def store_form_photos(inspection: Inspection, **owner) -> tuple[list[str], list[str]]:
    """Store the form's photos for an appeal or an action item; return stored keys and refusals."""
    uploads = chosen_files(request.files.getlist("photos"))
    if len(uploads) > MAX_OWNER_PHOTOS:
        return [], [_("Attach at most %(n)s photos.", n=MAX_OWNER_PHOTOS)]
    stored, errors = [], []
    for upload in uploads:
        photo, refusal = store_upload(inspection, upload, **owner)
        if photo is None:
            errors.append(refusal)
        else:
            stored += [photo.storage_key, photo.thumbnail_key]
    return stored, errors
