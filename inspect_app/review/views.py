"""The reviewer's queue and decisions, and the results pages stores see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from inspect_app.auth.models import Role, User
from inspect_app.auth.permissions import (
    Permission,
    can,
    require_inspection,
    requires,
    scoped_store_ids,
)
from inspect_app.checklists.models import Checklist, ChecklistVersion
from inspect_app.context import current_lang, halls_tz
from inspect_app.db import utcnow
from inspect_app.extensions import db
from inspect_app.inspections.attempts import replayable_form
from inspect_app.inspections.models import Answer, Inspection, InspectionStatus, Photo, PhotoPurpose
from inspect_app.inspections.operations import inspection_definition, valid_uuid
from inspect_app.inspections.queries import evidence_photos
from inspect_app.inspections.storage import photo_storage
from inspect_app.review import bp
from inspect_app.review.models import Appeal, CorrectiveAction
from inspect_app.review.operations import (
    ReviewError,
    appeal_deadline,
    approve_inspection,
    decide_appeal,
    file_appeal,
    record_action,
    return_inspection,
    verify_action,
)
from inspect_app.review.queries import (
    actions_of,
    appeals_of,
    audit_trail,
    open_actions,
    open_appeals,
    photo_reuse_warnings,
)
from inspect_app.scoring.inspection import AnswerInput, score_inspection
from inspect_app.stores.models import Region, Store
from inspect_app.uploads import chosen_files, photo_form, store_upload

QUEUE_LIMIT = 200
#: Most photos an appeal or a corrective action carries.
MAX_OWNER_PHOTOS = 5


@dataclass(frozen=True)
class KeptForm:
    """A refused form, shown again with what was typed and each error beside its field."""

    #: Which form on the page: "appeal-<answer id>", "action-<id>", "decide-<appeal id>", "verify-<id>".
    form: str
    text: str
    errors: dict[str, list[str]] = field(default_factory=dict)


@bp.route("/review")
@requires(Permission.REVIEW)
def queue():
    filters = {
        "region": request.args.get("region", type=int),
        "store": request.args.get("store", type=int),
        "inspector": request.args.get("inspector", type=int),
        "checklist": request.args.get("checklist", type=int),
    }
    query = (
        select(Inspection)
        .join(Store, Store.id == Inspection.store_id)
        .join(ChecklistVersion, ChecklistVersion.id == Inspection.checklist_version_id)
        .where(Inspection.status == InspectionStatus.SUBMITTED)
        .options(joinedload(Inspection.store), joinedload(Inspection.inspector))
        .order_by(Inspection.submitted_at, Inspection.id)
    )
    if filters["region"]:
        query = query.where(Store.region_id == filters["region"])
    if filters["store"]:
        query = query.where(Store.id == filters["store"])
    if filters["inspector"]:
        query = query.where(Inspection.inspector_id == filters["inspector"])
    if filters["checklist"]:
        query = query.where(ChecklistVersion.checklist_id == filters["checklist"])
    return render_template(
        "review/queue.html",
        inspections=db.session.scalars(query.limit(QUEUE_LIMIT)).unique().all(),
        filters=filters,
        regions=db.session.scalars(select(Region).order_by(Region.code)).all(),
        inspectors=db.session.scalars(
            select(User).where(User.role == Role.INSPECTOR).order_by(User.display_name)
        ).all(),
        checklists=db.session.scalars(select(Checklist).order_by(Checklist.key)).all(),
        appeals=len(open_appeals()),
    )


def _load(uuid: str) -> Inspection:
    inspection = db.session.scalar(
        select(Inspection).where(Inspection.uuid == (valid_uuid(uuid) or ""))
    )
    require_inspection(inspection)
    return inspection


def _detail(inspection: Inspection, template: str, kept: KeptForm | None = None):
    definition = inspection_definition(inspection)
    answers = {a.item_id: a for a in inspection.answers}
    score = score_inspection(
        definition, {k: AnswerInput(a.value, a.employee_no) for k, a in answers.items()}
    )
    photos_by_owner: dict[tuple[str, int], list[Photo]] = {}
    for photo in inspection.photos:
        if photo.appeal_id:
            photos_by_owner.setdefault(("appeal", photo.appeal_id), []).append(photo)
        if photo.corrective_action_id:
            photos_by_owner.setdefault(("action", photo.corrective_action_id), []).append(photo)
    show_inspector = can(current_user, Permission.VIEW_INSPECTOR)
    return render_template(
        template,
        inspection=inspection,
        definition=definition,
        answers=answers,
        score=score,
        photos=evidence_photos(inspection.id),
        owner_photos=photos_by_owner,
        appeals=appeals_of(inspection.id),
        actions=actions_of(inspection.id),
        warnings=photo_reuse_warnings(inspection) if can(current_user, Permission.REVIEW) else [],
        events=audit_trail(inspection.id),
        show_inspector=show_inspector,
        can_review=can(current_user, Permission.REVIEW)
        and inspection.status == InspectionStatus.SUBMITTED,
        can_decide=can(current_user, Permission.REVIEW),
        can_appeal=can(current_user, Permission.APPEAL)
        and inspection.status == InspectionStatus.APPROVED,
        appeal_deadline=appeal_deadline(inspection, current_app.config["APPEAL_WINDOW_DAYS"]),
        today=date.today(),
        lang=current_lang(),
        tz=halls_tz(),
        kept=kept,
    )


@bp.route("/review/<uuid>")
@requires(Permission.REVIEW)
def inspection(uuid: str):
    return _detail(_load(uuid), "review/inspection.html")


@bp.route("/results/<uuid>")
@requires(Permission.VIEW_RESULTS)
def results(uuid: str):
    return _detail(_load(uuid), "review/inspection.html")


def _locked(uuid: str) -> Inspection:
    """The visit, locked for this transaction so that two clicks decide once."""
    inspection = db.session.scalar(
        select(Inspection).where(Inspection.uuid == (valid_uuid(uuid) or "")).with_for_update()
    )
    require_inspection(inspection)
    return inspection


@bp.post("/review/<uuid>/approve")
@requires(Permission.REVIEW)
def approve(uuid: str):
    inspection = _locked(uuid)
    if inspection.status == InspectionStatus.APPROVED:
        flash(_("This visit was already approved."), "info")
        return redirect(url_for("review.inspection", uuid=uuid))
    try:
        approve_inspection(
            inspection, current_user, utcnow(), current_app.config["CORRECTIVE_ACTION_DAYS"]
        )
    except ReviewError as exc:
        flash(str(exc), "error")
        return redirect(url_for("review.inspection", uuid=uuid)), 303
    db.session.commit()
    flash(_("Approved: the visit now counts in the ratings."), "info")
    return redirect(url_for("review.queue"))


@bp.post("/review/<uuid>/return")
@requires(Permission.REVIEW)
def send_back(uuid: str):
    inspection = _locked(uuid)
    item_comments = {
        key.removeprefix("rc__").replace("__", "."): value
        for key, value in request.form.items()
        if key.startswith("rc__") and value.strip()
    }
    try:
        return_inspection(inspection, current_user, request.form.get("comment"), item_comments)
    except ReviewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("review.inspection", uuid=uuid)), 303
    db.session.commit()
    flash(_("Returned to the inspector with your comments."), "info")
    return redirect(url_for("review.queue"))


@bp.route("/review/appeals")
@requires(Permission.REVIEW)
def appeals():
    return render_template(
        "review/appeals.html",
        appeals=open_appeals(),
        actions=open_actions(date.today()),
        lang=current_lang(),
    )


@bp.post("/review/appeals/<int:appeal_id>")
@requires(Permission.REVIEW)
def decide(appeal_id: int):
    appeal = db.session.scalar(select(Appeal).where(Appeal.id == appeal_id).with_for_update())
    if appeal is None:
        abort(404)
    decision = request.form.get("decision")
    if decision not in ("uphold", "reject"):
        abort(400)
    inspection, reason = appeal.inspection, request.form.get("reason")
    try:
        decide_appeal(
            appeal, current_user, uphold=decision == "uphold", reason=reason, now=utcnow()
        )
    except ReviewError as exc:
        kept = KeptForm(f"decide-{appeal_id}", reason or "", {"reason": [str(exc)]})
        return _refused(inspection, kept, _("Nothing was saved: %(why)s", why=str(exc)))
    db.session.commit()
    flash(
        _("Appeal upheld: the finding is withdrawn and the scores recomputed.")
        if decision == "uphold"
        else _("Appeal rejected."),
        "info",
    )
    return redirect(url_for("review.appeals"))


@bp.post("/review/actions/<int:action_id>")
@requires(Permission.REVIEW)
def verify(action_id: int):
    action = _action_or_404(action_id)
    decision = request.form.get("decision")
    if decision not in ("verified", "not_verified"):
        abort(400)
    inspection, comment = action.inspection, request.form.get("comment")
    try:
        verify_action(
            action, current_user, verified=decision == "verified", comment=comment, now=utcnow()
        )
    except ReviewError as exc:
        kept = KeptForm(f"verify-{action_id}", comment or "", {"comment": [str(exc)]})
        return _refused(inspection, kept, _("Nothing was saved: %(why)s", why=str(exc)))
    db.session.commit()
    flash(_("Saved."), "info")
    return redirect(url_for("review.appeals"))


def _action_or_404(action_id: int) -> CorrectiveAction:
    """The corrective action, if the current user may see its visit; 404 otherwise."""
    action = db.session.get(CorrectiveAction, action_id)
    if action is None:
        abort(404)
    require_inspection(action.inspection)
    return action


def _refused(
    inspection: Inspection, kept: KeptForm, message: str, stored: Iterable[str] = ()
) -> tuple[str, int]:
    """Undo the attempt and show the visit again with what was typed and why it was refused."""
    db.session.rollback()
    storage = photo_storage()
    for key in stored:  # files of photos stored before a later one was refused
        storage.delete(key)
    flash(message, "error")
    return _detail(inspection, "review/inspection.html", kept), 422


def _store_photos(inspection: Inspection, **owner) -> tuple[list[str], list[str]]:
    """Store the form's photos for an appeal or an action; return the stored keys and refusals."""
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


@bp.post("/results/<uuid>/appeals")
@photo_form
@requires(Permission.APPEAL)
@replayable_form
def appeal(uuid: str):
    """A store manager files an appeal with photos; on any refusal the reason typed is kept."""
    inspection = _locked(uuid)
    answer = db.session.get(Answer, request.form.get("answer_id", type=int) or 0)
    if answer is None or answer.inspection_id != inspection.id:
        abort(404)
    reason, item_id, form = request.form.get("reason") or "", answer.item_id, f"appeal-{answer.id}"
    try:
        filed = file_appeal(
            inspection,
            answer,
            current_user,
            reason,
            utcnow(),
            current_app.config["APPEAL_WINDOW_DAYS"],
        )
    except ReviewError as exc:
        kept = KeptForm(form, reason, {"reason": [str(exc)]})
        return _refused(inspection, kept, _("The appeal was not filed: %(why)s", why=str(exc)))
    stored, errors = _store_photos(
        inspection, purpose=PhotoPurpose.APPEAL, appeal_id=filed.id, item_id=item_id
    )
    if errors:
        why = " ".join(errors)
        kept = KeptForm(form, reason, {"photos": errors})
        return _refused(inspection, kept, _("The appeal was not filed: %(why)s", why=why), stored)
    db.session.commit()
    flash(_("Appeal filed. A reviewer will decide it."), "info")
    return redirect(url_for("review.results", uuid=uuid, _anchor=f"item-{item_id}"))


@bp.post("/results/actions/<int:action_id>")
@photo_form
@requires(Permission.APPEAL)
@replayable_form
def record(action_id: int):
    """The store records what it did, with photos; on any refusal the text typed is kept."""
    action = _action_or_404(action_id)
    inspection = action.inspection
    uuid, item_id = inspection.uuid, action.answer.item_id
    description, form = request.form.get("description") or "", f"action-{action_id}"
    try:
        record_action(action, current_user, description, utcnow())
    except ReviewError as exc:
        kept = KeptForm(form, description, {"description": [str(exc)]})
        return _refused(inspection, kept, _("Nothing was saved: %(why)s", why=str(exc)))
    stored, errors = _store_photos(
        inspection,
        purpose=PhotoPurpose.CORRECTIVE_ACTION,
        corrective_action_id=action_id,
        item_id=item_id,
    )
    if errors:
        why = " ".join(errors)
        kept = KeptForm(form, description, {"photos": errors})
        return _refused(inspection, kept, _("Nothing was saved: %(why)s", why=why), stored)
    db.session.commit()
    flash(_("Corrective action recorded."), "info")
    return redirect(url_for("review.results", uuid=uuid, _anchor=f"item-{item_id}"))


@bp.get("/results/<uuid>/appeals")
@requires(Permission.VIEW_RESULTS)
def appeal_page(uuid: str):
    """The address a refused appeal form was shown at, opened again: back to the visit."""
    return redirect(url_for("review.results", uuid=uuid))


@bp.get("/results/actions/<int:action_id>")
@requires(Permission.APPEAL)
def action_page(action_id: int):
    """The address a refused corrective-action form was shown at, opened again."""
    action = _action_or_404(action_id)
    return redirect(url_for("review.results", uuid=action.inspection.uuid))


@bp.route("/actions")
@requires(Permission.APPEAL)
def store_actions():
    scope = scoped_store_ids(current_user)
    return render_template(
        "review/actions.html",
        actions=open_actions(date.today(), scope),
        appeals=open_appeals(scope),
        lang=current_lang(),
    )


@bp.route("/results/<uuid>/report.pdf")
@requires(Permission.VIEW_RESULTS)
def inspection_pdf(uuid: str):
    """The visit as a PDF; the inspector's name is left out for those who may not know it."""
    inspection = _load(uuid)
    from flask import Response

    from inspect_app.reports.pdf import build_inspection_pdf
    from inspect_app.review.reports import inspection_report
    from inspect_app.templating import ACTION_LABELS, APPEAL_LABELS, STATUS_LABELS

    inspection = _load(uuid)
    definition = inspection_definition(inspection)
    answers = {a.item_id: a for a in inspection.answers}
    score = score_inspection(
        definition, {k: AnswerInput(a.value, a.employee_no) for k, a in answers.items()}
    )
    report = inspection_report(
        inspection, definition, score,
        appeals=appeals_of(inspection.id), actions=actions_of(inspection.id), storage=photo_storage(),
        lang=current_lang(), tz=halls_tz(), show_inspector=can(current_user, Permission.VIEW_INSPECTOR),
        labels_of={"status": STATUS_LABELS, "appeal": APPEAL_LABELS, "action": ACTION_LABELS},
    )  # fmt: skip
    response = Response(build_inspection_pdf(report), mimetype="application/pdf")
    name = f"inspection-{inspection.store.code}-{inspection.visit_date or 'draft'}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/review/inspectors")
@requires(Permission.REVIEW)
def inspectors():
    """How each inspector scores compared with peers at the same halls."""
    from inspect_app.review.quality import inspector_quality
    from inspect_app.scoring.periods import PeriodError, month_of, parse_period

    try:
        period = parse_period(request.args.get("period"), date.today())
    except PeriodError:
        abort(400)
    return render_template(
        "review/inspectors.html",
        rows=inspector_quality(period),
        period=period,
        periods=[p.key for p in month_of(date.today()).history(12)][::-1],
    )
