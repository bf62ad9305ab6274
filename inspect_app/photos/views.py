"""The photo files: a photo or its thumbnail, to those who may see its visit."""

from __future__ import annotations

from flask import Response, abort

from inspect_app.auth.permissions import requires
from inspect_app.inspections.operations import valid_uuid
from inspect_app.inspections.scope import require_inspection
from inspect_app.photos import bp
from inspect_app.photos.queries import photo_by_uuid
from inspect_app.photos.storage import StorageKeyError, photo_storage


@bp.route("/photos/<photo_uuid>")
@bp.route("/photos/<photo_uuid>/<size>")
@requires()
def photo_file(photo_uuid: str, size: str = "full"):
    """Serve a photo to those who may see its visit; everyone else gets 404."""
    if size not in ("full", "thumb"):
        abort(404)
    photo = photo_by_uuid(valid_uuid(photo_uuid) or "")
    if photo is None:
        abort(404)
    require_inspection(photo.inspection)
    key = photo.thumbnail_key if size == "thumb" else photo.storage_key
    try:
        data = photo_storage().get(key)
    except (FileNotFoundError, StorageKeyError):
        abort(404)
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["Content-Disposition"] = "inline"
    return response
