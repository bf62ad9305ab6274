"""JSON endpoints the visit page's script uses: autosave, photo upload, submit, photo files."""

from __future__ import annotations

from flask import Response, abort, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from inspect_app.auth.permissions import Permission, require_inspection, require_own_visit, requires
from inspect_app.context import halls_tz, photo_limits
from inspect_app.db import utcnow
from inspect_app.extensions import db
from inspect_app.inspections import bp
from inspect_app.inspections.models import Photo
from inspect_app.inspections.operations import (
    VisitClosed,
    VisitConflict,
    add_photo,
    inspection_definition,
    remove_photo,
    save_draft,
    submit_inspection,
    valid_uuid,
)
from inspect_app.inspections.payload import PayloadError, payload_from_json
from inspect_app.inspections.photos import PhotoError
from inspect_app.inspections.queries import inspection_by_uuid
from inspect_app.inspections.storage import StorageKeyError, photo_storage


def _error(status: int, message: str, **extra):
    return jsonify(ok=False, status=status, message=message, **extra), status


def _own_visit(uuid: str):
    inspection = inspection_by_uuid(uuid) if valid_uuid(uuid) else None
    require_own_visit(inspection)
    return inspection


#: Largest JSON body for a visit: 67 items with 2,000-character comments fit easily.
MAX_JSON_BYTES = 1_000_000


def _payload(inspection):
    if (request.content_length or 0) > MAX_JSON_BYTES:
        return _error(413, _("The form is too large to save. Shorten the longest comments."))
    data = request.get_json(silent=True)
    if data is None:
        abort(400)
    try:
        return payload_from_json(data, inspection_definition(inspection))
    except PayloadError as exc:
        return _error(400, _("The form data could not be read: %(why)s", why=str(exc)))


def _score_summary(inspection) -> dict:
    return {
        "percent": None if inspection.score_percent is None else float(inspection.score_percent),
        "is_vetoed": inspection.is_vetoed,
    }


@bp.post("/api/visits/<uuid>/draft")
@requires(Permission.INSPECT)
def api_save_draft(uuid: str):
    inspection = _own_visit(uuid)
    payload = _payload(inspection)
    if isinstance(payload, tuple):
        return payload
    try:
        checked = save_draft(inspection, payload, tz=halls_tz(), now=utcnow())
    except VisitClosed:
        return _error(409, _("This visit was already submitted; it can no longer be changed."))
    db.session.commit()
    # 422 tells the page that the rest was saved but some answers were refused.
    return jsonify(
        ok=not checked.errors,
        revision=inspection.draft_revision,
        errors=checked.errors,
        score=_score_summary(inspection),
    ), 422 if checked.errors else 200


@bp.post("/api/visits/<uuid>/submit")
@requires(Permission.INSPECT)
def api_submit(uuid: str):
    inspection = _own_visit(uuid)
    payload = _payload(inspection)
    if isinstance(payload, tuple):
        return payload
    try:
        result = submit_inspection(inspection, payload, tz=halls_tz(), now=utcnow())
    except VisitClosed:
        return _error(
            409, _("This visit was already submitted with different answers; nothing was changed.")
        )
    db.session.commit()
    if not result.ok:
        return _error(
            422,
            _("Some answers need attention; they are marked below."),
            errors=result.checked.errors,
            revision=inspection.draft_revision,
        )
    return jsonify(
        ok=True,
        status=str(inspection.status),
        repeated=result.repeated,
        redirect=url_for("inspections.home"),
        score=_score_summary(inspection),
    )


@bp.post("/api/visits/<uuid>/photos")
@requires(Permission.INSPECT)
def api_upload_photo(uuid: str):
    inspection = _own_visit(uuid)
    photo_uuid = valid_uuid(request.form.get("uuid"))
    upload = request.files.get("photo")
    if photo_uuid is None or upload is None:
        return _error(400, _("A photo upload needs the photo and its id."))
    item_id = request.form.get("item_id") or None
    if item_id is not None:
        try:
            inspection_definition(inspection).item(item_id)
        except KeyError:
            return _error(400, _("This photo belongs to an item the checklist does not have."))
    try:
        photo, created = add_photo(
            inspection,
            photo_uuid=photo_uuid,
            item_id=item_id,
            data=upload.read(),
            uploader=current_user,
            storage=photo_storage(),
            limits=photo_limits(),
            tz=halls_tz(),
            client_captured_at=request.form.get("captured_at"),
        )
    except PhotoError as exc:
        db.session.rollback()
        return _error(422 if exc.code != "too_large_bytes" else 413, str(exc), code=exc.code)
    except VisitClosed:
        return _error(409, _("This visit was already submitted; it can no longer be changed."))
    except VisitConflict:
        return _error(409, _("A different photo was already stored under this id."))
    db.session.commit()
    body = {
        "ok": True,
        "uuid": photo.uuid,
        "item_id": photo.item_id,
        "url": url_for("inspections.photo_file", photo_uuid=photo.uuid),
        "thumbnail_url": url_for("inspections.photo_file", photo_uuid=photo.uuid, size="thumb"),
    }
    return jsonify(body), 201 if created else 200


@bp.delete("/api/visits/<uuid>/photos/<photo_uuid>")
@requires(Permission.INSPECT)
def api_delete_photo(uuid: str, photo_uuid: str):
    inspection = _own_visit(uuid)
    photo = db.session.query(Photo).filter_by(uuid=valid_uuid(photo_uuid) or "").one_or_none()
    if photo is None or photo.inspection_id != inspection.id:
        abort(404)
    try:
        remove_photo(inspection, photo, photo_storage())
    except VisitClosed:
        return _error(409, _("This visit was already submitted; it can no longer be changed."))
    db.session.commit()
    return "", 204


@bp.route("/photos/<photo_uuid>")
@bp.route("/photos/<photo_uuid>/<size>")
@requires()
def photo_file(photo_uuid: str, size: str = "full"):
    """Serve a photo to those who may see its visit; everyone else gets 404."""
    if size not in ("full", "thumb"):
        abort(404)
    photo = db.session.query(Photo).filter_by(uuid=valid_uuid(photo_uuid) or "").one_or_none()
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
