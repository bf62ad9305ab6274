"""The inspector's pages: home, starting a visit, the checklist form (with or without JavaScript)."""

from __future__ import annotations

from datetime import date

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from inspect_app.auth.permissions import Permission, requires
from inspect_app.calendar import halls_today
from inspect_app.checklists.answer_text import answer_words, points_text
from inspect_app.checklists.definition import ChecklistDefinition
from inspect_app.checklists.forms import answer_field_name, answer_form_class, comment_field_name
from inspect_app.checklists.models import Checklist, ChecklistVersion
from inspect_app.context import current_lang, halls_tz
from inspect_app.db import utcnow
from inspect_app.extensions import db
from inspect_app.inspections import bp
from inspect_app.inspections.attempts import replayable_form
from inspect_app.inspections.attribution import (
    UNIDENTIFIED_CHOICE,
    describe_message,
    roster_refusal,
    unattributed_message,
)
from inspect_app.inspections.form_data import answer_form_data, refusal_reasons
from inspect_app.inspections.form_rules import item_rules
from inspect_app.inspections.form_staff import StaffChoices, form_summary
from inspect_app.inspections.forms import StartVisitForm, VisitForm
from inspect_app.inspections.models import Assignment, Inspection, InspectionStatus
from inspect_app.inspections.operations import (
    EDITABLE,
    EVIDENCE_GATE,
    VisitConflict,
    inspection_definition,
    save_draft,
    start_inspection,
    submit_inspection,
    valid_uuid,
)
from inspect_app.inspections.payload import (
    SERVED_FIELD,
    description_field_name,
    payload_from_form,
    photo_field_name,
    staff_field_name,
)
from inspect_app.inspections.queries import (
    draft_for_assignment,
    inspection_by_uuid,
    is_overdue,
    open_assignments,
    recent_submissions,
    return_events,
    roster_standings,
    unfinished_inspections,
)
from inspect_app.inspections.scope import can_edit_inspection, require_inspection, require_own_visit
from inspect_app.photos.queries import evidence_photos
from inspect_app.photos.uploads import store_upload
from inspect_app.stores.models import Store
from inspect_app.uploads import chosen_files, photo_form

STORE_PICKER_LIMIT = 30


@bp.route("/visits")
@requires(Permission.INSPECT)
def home():
    today = halls_today()
    assignments = open_assignments(current_user.id)
    return render_template(
        "inspections/home.html",
        assignments=[(a, is_overdue(a, today), draft_for_assignment(a.id)) for a in assignments],
        drafts=unfinished_inspections(current_user.id),
        recent=recent_submissions(current_user.id),
        allow_unassigned=current_app.config["ALLOW_UNASSIGNED_VISITS"],
        refusal_reasons=refusal_reasons,
        start_form=StartVisitForm(formdata=None),
    )


@bp.route("/visits/new")
@requires(Permission.INSPECT)
def choose_store():
    if not current_app.config["ALLOW_UNASSIGNED_VISITS"]:
        abort(403)
    text = (request.args.get("q") or "").strip()[:50]
    stores: list[Store] = []
    if text:
        like = f"%{text}%"
        stores = list(
            db.session.scalars(
                select(Store)
                .where(Store.is_active, or_(Store.code.ilike(like), Store.name.ilike(like)))
                .order_by(Store.code)
                .limit(STORE_PICKER_LIMIT)
            )
        )
    checklists = db.session.scalars(
        select(Checklist).where(Checklist.active_version_id.is_not(None)).order_by(Checklist.key)
    ).all()
    return render_template(
        "inspections/choose_store.html",
        q=text,
        stores=stores,
        checklists=checklists,
        start_form=StartVisitForm(formdata=None),
    )


@bp.post("/visits/start")
@requires(Permission.INSPECT)
def start():
    form = StartVisitForm()
    assignment_id = form.assignment_id.data
    client_uuid = form.uuid.data
    if client_uuid and not valid_uuid(client_uuid):
        abort(400)
    if assignment_id:
        assignment = db.session.get(Assignment, assignment_id)
        if assignment is None or assignment.inspector_id != current_user.id:
            abort(404)
        existing = draft_for_assignment(assignment.id)
        if existing is not None:
            return redirect(url_for("inspections.visit", uuid=existing.uuid))
        store, checklist = assignment.store, assignment.checklist
    else:
        if not current_app.config["ALLOW_UNASSIGNED_VISITS"]:
            abort(403)
        assignment = None
        store = db.session.get(Store, form.store_id.data or 0)
        checklist = db.session.get(Checklist, form.checklist_id.data or 0)
        if store is None or not store.is_active or checklist is None:
            abort(404)
    try:
        inspection = start_inspection(
            current_user, store, checklist=checklist, client_uuid=client_uuid, assignment=assignment
        )
    except VisitConflict:
        abort(409)
    db.session.commit()
    return redirect(url_for("inspections.visit", uuid=inspection.uuid))


def _load(uuid: str) -> Inspection:
    inspection = inspection_by_uuid(uuid) if valid_uuid(uuid) else None
    require_inspection(inspection)
    return inspection


def render_visit_form(
    inspection: Inspection,
    *,
    errors=None,
    formdata=None,
    status: int = 200,
    offline_start: dict | None = None,
    notice: str | None = None,
):
    """Render the checklist form for a visit being edited (errors shown beside their items).

    `notice` replaces the count of places needing attention at the top of the form.
    """
    definition = inspection_definition(inspection)
    lang = current_lang()
    form_class = answer_form_class(definition, lang)
    form = (
        form_class(formdata)
        if formdata is not None
        else form_class(data=answer_form_data(inspection, definition))
    )
    answers = {a.item_id: a for a in inspection.answers}
    tz = halls_tz()
    staff = StaffChoices(inspection, definition, formdata, tz)
    return (
        render_template(
            "inspections/form.html",
            inspection=inspection,
            definition=definition,
            form=form,
            csrf_form=VisitForm(formdata=None),
            answers=answers,
            photos=evidence_photos(inspection.id),
            staff=staff,
            summary=form_summary(inspection, definition),
            # The reviewer's comments per item, while the visit is back with its inspector.
            return_notes=(inspection.review_comments or {})
            if inspection.status == InspectionStatus.RETURNED
            else {},
            unidentified_choice=UNIDENTIFIED_CHOICE,
            # The phone's check says what the server's would (attribution.py's words).
            unattributed_message=unattributed_message,
            describe_message=describe_message,
            served_field=SERVED_FIELD,
            errors=errors or {},
            notice=notice,
            lang=lang,
            answer_field_name=answer_field_name,
            comment_field_name=comment_field_name,
            staff_field_name=staff_field_name,
            description_field_name=description_field_name,
            photo_field_name=photo_field_name,
            formdata=formdata,
            offline_start=offline_start,
            item_rules=lambda item, field=None: item_rules(
                item, definition.fail_below(item), field
            ),
            uuid_placeholder=OFFLINE_UUID_PLACEHOLDER,
        ),
        status,
    )


@bp.route("/visits/<uuid>", methods=["GET"])
@requires(Permission.INSPECT)
def visit(uuid: str):
    inspection = _load(uuid)
    if inspection.status in EDITABLE and can_edit_inspection(current_user, inspection):
        return render_visit_form(inspection)
    return redirect(url_for("inspections.view", uuid=inspection.uuid))


#: Stands for the visit's UUID in a form served before the visit exists; the page puts in its own.
OFFLINE_UUID_PLACEHOLDER = "00000000-0000-4000-8000-000000000000"


@bp.route("/visits/offline/<int:assignment_id>")
@requires(Permission.INSPECT)
def offline_form(assignment_id: int):
    """The empty form for an assignment, kept on the phone so a visit can start without signal.

    The phone caches this page while online and opens it offline with ?uuid=<the visit's new
    UUID>; its outbox starts the visit on the server when the network returns. Online, a
    visit that already exists is opened instead.
    """
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.inspector_id != current_user.id:
        abort(404)
    existing = inspection_by_uuid(valid_uuid(request.args.get("uuid")) or "")
    if existing is None:
        existing = draft_for_assignment(assignment.id)
    if existing is not None and existing.inspector_id == current_user.id:
        return redirect(url_for("inspections.visit", uuid=existing.uuid))
    version_id = assignment.checklist.active_version_id
    if version_id is None:
        abort(404)
    # Never added to the session: a stand-in that gives the form its store and checklist.
    stand_in = Inspection(
        uuid=OFFLINE_UUID_PLACEHOLDER,
        store_id=assignment.store_id,
        checklist_version_id=version_id,
        inspector_id=current_user.id,
        status=InspectionStatus.DRAFT,
        draft_revision=0,
    )
    stand_in.store = assignment.store
    stand_in.checklist_version = db.session.get(ChecklistVersion, version_id)
    return render_visit_form(stand_in, offline_start={"assignment_id": assignment.id})


@bp.route("/visits/<uuid>", methods=["POST"])
@photo_form
@requires(Permission.INSPECT)
@replayable_form
def visit_post(uuid: str):
    """The no-JavaScript path: save or submit the whole form, photos included.

    The body may carry many photos (MAX_FORM_BYTES); each is held to the per-photo limit on its
    own, and a refused photo is named beside its item while the answers are still saved.
    """
    inspection = _load(uuid)
    require_own_visit(inspection)
    if inspection.status not in EDITABLE:
        flash(_("This visit was already submitted; it can no longer be changed."), "error")
        return redirect(url_for("inspections.view", uuid=inspection.uuid)), 303
    definition = inspection_definition(inspection)
    tz, now = halls_tz(), utcnow()
    photo_errors = _store_form_photos(inspection, definition)
    # The item fields are dynamic (one set per checklist item): the payload module reads them.
    payload = payload_from_form(request.form, definition)
    if VisitForm().action.data == "submit" and not photo_errors:
        result = submit_inspection(inspection, payload, tz=tz, now=now)
        db.session.commit()
        if result.ok:
            flash(_("Visit submitted. Thank you!"), "info")
            return redirect(url_for("inspections.home"))
        errors = result.checked.errors
    else:
        # A refused photo never costs the answers: they are saved as a draft either way.
        errors = save_draft(inspection, payload, tz=tz, now=now).errors
        db.session.commit()
        if not errors and not photo_errors:
            flash(_("Saved."), "info")
            return redirect(url_for("inspections.visit", uuid=inspection.uuid)), 303
    # One message at the top: the form counts the places marked, unless only photos failed.
    notice = (
        None
        if errors
        else _("Your answers were saved as a draft; the photos named below were not stored.")
    )
    for key, messages in photo_errors.items():
        errors.setdefault(key, []).extend(messages)
    return render_visit_form(
        inspection, errors=errors, formdata=request.form, status=422, notice=notice
    )


def _store_form_photos(
    inspection: Inspection, definition: ChecklistDefinition
) -> dict[str, list[str]]:
    """Store each photo of a no-JavaScript post; return, per item, the refused ones and why."""
    refused: dict[str, list[str]] = {}
    for item in definition.items:
        for upload in chosen_files(request.files.getlist(photo_field_name(item))):
            _photo, refusal = store_upload(
                inspection, upload, item_id=item.id, visit_gate=EVIDENCE_GATE
            )
            if refusal is not None:
                refused.setdefault(item.id, []).append(refusal)
    return refused


#: Longest 工号 the roster check reads (Staff.employee_no is at most 32 characters).
MAX_EMPLOYEE_NO = 32


@bp.get("/visits/roster-check")
@requires(Permission.INSPECT)
def roster_check():
    """Why a 工号 the form's roster search cannot find is not on the hall's roster that day.

    The answer is the sentence a submission naming that 工号 would be refused with (another
    hall's, left, on no roster), or null when the 工号 is on the roster after all.
    """
    store = db.session.get(Store, request.args.get("store_id", type=int) or 0)
    number = (request.args.get("no") or "").strip()
    try:
        day = date.fromisoformat(request.args.get("day") or "")
    except ValueError:
        abort(400)
    if store is None:
        abort(404)
    if not number or len(number) > MAX_EMPLOYEE_NO:
        abort(400)
    standing = roster_standings(store.id, day, {number}).get(number)
    return jsonify(no=number, message=roster_refusal(number, standing))


@bp.route("/visits/<uuid>/view")
@requires(Permission.INSPECT)
def view(uuid: str):
    inspection = _load(uuid)
    definition = inspection_definition(inspection)
    return render_template(
        "inspections/view.html",
        inspection=inspection,
        definition=definition,
        answers={a.item_id: a for a in inspection.answers},
        words=answer_words(definition, inspection.answers, current_lang()),
        points=points_text,
        photos=evidence_photos(inspection.id),
        lang=current_lang(),
        editable=inspection.status in EDITABLE and can_edit_inspection(current_user, inspection),
        returns=return_events(inspection.id),
    )
