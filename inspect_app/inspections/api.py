"""JSON endpoints the visit page's script uses: autosave, photo upload and removal, submit.

The photo files themselves are served by inspect_app.photos.views.
"""

from __future__ import annotations

from flask import abort, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from inspect_app.auth.permissions import Permission, requires
from inspect_app.checklists.models import Checklist
from inspect_app.context import halls_tz
from inspect_app.db import utcnow
from inspect_app.edge import MAX_ID, read_json
from inspect_app.extensions import db
from inspect_app.inspections import bp
from inspect_app.inspections.attempts import replayable
from inspect_app.inspections.models import Assignment
from inspect_app.inspections.operations import (
    EVIDENCE_GATE,
    VisitClosed,
    VisitConflict,
    inspection_definition,
    save_draft,
    start_inspection,
    submit_inspection,
    valid_uuid,
)
from inspect_app.inspections.payload import PayloadError, payload_from_json
from inspect_app.inspections.queries import inspection_by_uuid
from inspect_app.inspections.scope import require_own_visit
from inspect_app.photos.limits import photo_limits
from inspect_app.photos.operations import PhotoConflict, add_photo, remove_photo
from inspect_app.photos.pipeline import PhotoError
from inspect_app.photos.queries import photo_by_uuid
from inspect_app.photos.storage import RETRY_AFTER_SECONDS, StorageUnavailable, photo_storage
from inspect_app.stores.models import Store


def _error(status: int, message: str, **extra):
    return jsonify(ok=False, status=status, message=message, **extra), status


def _own_visit(uuid: str):
    inspection = inspection_by_uuid(uuid) if valid_uuid(uuid) else None
    require_own_visit(inspection)
    return inspection


#: Largest JSON body for a visit: 67 items with 2,000-character comments fit easily.
MAX_JSON_BYTES = 1_000_000


def _payload(inspection):
    # Too large, too deep, not JSON or unstorable text: read_json raises a 400 or 413.
    data = read_json(MAX_JSON_BYTES)
    try:
        return payload_from_json(data, inspection_definition(inspection))
    except PayloadError as exc:
        return _error(400, _("The form data could not be read: %(why)s", why=str(exc)))


def _score_summary(inspection) -> dict:
    return {
        "percent": None if inspection.score_percent is None else float(inspection.score_percent),
        "is_vetoed": inspection.is_vetoed,
    }


@bp.get("/api/csrf-token")
@requires()
def api_csrf_token():
    """A fresh CSRF token for a page whose token went stale while its session lives on."""
    response = jsonify(ok=True, token=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/api/visits/start")
@requires(Permission.INSPECT)
@replayable
def api_start_visit():
    """Open a visit the phone started offline under its own UUID (an assignment or a hall)."""
    data = read_json(MAX_JSON_BYTES)
    if not isinstance(data, dict) or not valid_uuid(data.get("uuid")):
        return _error(400, _("A visit needs its id to be started."))
    client_uuid = valid_uuid(data.get("uuid"))
    assignment_id, store_id = data.get("assignment_id"), data.get("store_id")
    if _is_id(assignment_id):
        assignment = db.session.get(Assignment, assignment_id)
        if assignment is None or assignment.inspector_id != current_user.id:
            return _error(404, _("This assignment is not yours or no longer exists."))
        store, checklist = assignment.store, assignment.checklist
    elif _is_id(store_id):
        if not current_app.config["ALLOW_UNASSIGNED_VISITS"]:
            return _error(403, _("Visits without an assignment are switched off."))
        assignment = None
        store = db.session.get(Store, store_id)
        checklist_id = data.get("checklist_id")
        checklist = db.session.get(Checklist, checklist_id) if _is_id(checklist_id) else None
        if store is None or not store.is_active or checklist is None:
            return _error(404, _("This hall or checklist no longer exists."))
    else:
        return _error(400, _("A visit needs its assignment or hall to be started."))
    try:
        inspection = start_inspection(
            current_user, store, checklist=checklist, client_uuid=client_uuid, assignment=assignment
        )
    except VisitConflict:
        return _error(409, _("This visit id is already used for another visit."))
    db.session.commit()
    # Another UUID: the assignment was started on another device meanwhile, and the phone
    # continues in that visit (its outbox moves what it queued there).
    status = 201 if inspection.uuid == client_uuid else 200
    return jsonify(ok=True, uuid=inspection.uuid, url=_visit_url(inspection.uuid)), status


def _is_id(value: object) -> bool:
    """A row id as JSON gives it: a whole number a database key can hold."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def _visit_url(uuid: str) -> str:
    return url_for("inspections.visit", uuid=uuid)


@bp.post("/api/visits/<uuid>/draft")
@requires(Permission.INSPECT)
@replayable
def api_save_draft(uuid: str):
    inspection = _own_visit(uuid)
    payload = _payload(inspection)
    if isinstance(payload, tuple):
        return payload
    try:
        checked = save_draft(inspection, payload, tz=halls_tz(), now=utcnow())
    except VisitClosed:
        return _error(409, _("This visit was already submitted; it can no longer be changed."))
    # Read before the commit releases the row lock: this save's own revision, not a later one.
    body = {
        "ok": not checked.errors,
        "revision": inspection.draft_revision,
        "errors": checked.errors,
        "score": _score_summary(inspection),
    }
    db.session.commit()
    # 422 tells the page that the rest was saved but some answers were refused.
    return jsonify(body), 422 if checked.errors else 200


@bp.post("/api/visits/<uuid>/submit")
@requires(Permission.INSPECT)
@replayable
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
@replayable
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
            visit_gate=EVIDENCE_GATE,
        )
    except PhotoError as exc:
        db.session.rollback()
        return _error(422 if exc.code != "too_large_bytes" else 413, str(exc), code=exc.code)
    except VisitClosed:
        return _error(409, _("This visit was already submitted; it can no longer be changed."))
    except PhotoConflict:
        return _error(409, _("A different photo was already stored under this id."))
    except StorageUnavailable:
        db.session.rollback()
        message = _(
            "The photo could not be stored just now. The phone keeps it and sends it again."
        )
        response, status = _error(503, message, code="storage_unavailable")
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response, status
    db.session.commit()
    body = {
        "ok": True,
        "uuid": photo.uuid,
        "item_id": photo.item_id,
        "url": url_for("photos.photo_file", photo_uuid=photo.uuid),
        "thumbnail_url": url_for("photos.photo_file", photo_uuid=photo.uuid, size="thumb"),
    }
    return jsonify(body), 201 if created else 200


@bp.delete("/api/visits/<uuid>/photos/<photo_uuid>")
@requires(Permission.INSPECT)
@replayable
def api_delete_photo(uuid: str, photo_uuid: str):
    inspection = _own_visit(uuid)
    photo = photo_by_uuid(valid_uuid(photo_uuid) or "")
    if photo is None:
        # Already gone (a repeated delete): the outcome the phone wants is the same.
        return "", 204
    if photo.inspection_id != inspection.id:
        abort(404)
    try:
        remove_photo(inspection, photo, photo_storage(), EVIDENCE_GATE)
    except VisitClosed:
        return _error(409, _("This visit was already submitted; it can no longer be changed."))
    db.session.commit()
    return "", 204
