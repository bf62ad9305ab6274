"""The reviewer's queue and decisions, and the results pages stores see."""

from __future__ import annotations

from collections.abc import Iterable

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from inspect_app.auth.models import Role, User
from inspect_app.auth.permissions import Permission, can, requires
from inspect_app.calendar import halls_today
from inspect_app.checklists import field_names
from inspect_app.checklists.answer_text import answer_words, points_text
from inspect_app.checklists.models import Checklist, ChecklistVersion
from inspect_app.checklists.version_texts import answer_item_texts, item_texts
from inspect_app.context import current_lang
from inspect_app.db import utcnow
from inspect_app.extensions import db
from inspect_app.inspections.attempts import replayable_form
from inspect_app.inspections.models import Answer, Inspection, InspectionStatus
from inspect_app.inspections.operations import inspection_definition, valid_uuid, visit_score
from inspect_app.inspections.scope import require_inspection
from inspect_app.periods import PeriodError, month_of, parse_period
from inspect_app.photos.models import Photo, PhotoPurpose
from inspect_app.photos.queries import evidence_photos, photo_reuse_warnings
from inspect_app.review import bp
from inspect_app.review.forms import (
    AppealDecisionForm,
    AppealForm,
    ApproveForm,
    AttributionForm,
    KeptForm,
    ReturnForm,
    visit_forms,
)
from inspect_app.review.models import Appeal
from inspect_app.review.operations import (
    ReviewError,
    appeal_deadline,
    approve_inspection,
    decide_appeal,
    file_appeal,
    flagged_answers,
    resolve_attribution,
    return_inspection,
)
from inspect_app.review.pages import store_form_photos, undo
from inspect_app.review.quality import FLAG_POINTS, inspector_quality
from inspect_app.review.queries import (
    action_of,
    appeals_of,
    audit_trail,
    open_actions,
    open_appeals,
    unresolved_findings,
)
from inspect_app.stores.models import Region, Store
from inspect_app.stores.queries import roster_on
from inspect_app.uploads import photo_form

QUEUE_LIMIT = 200


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
    inspections = db.session.scalars(query.limit(QUEUE_LIMIT)).unique().all()
    return render_template(
        "review/queue.html",
        inspections=inspections,
        unresolved=unresolved_findings([i.id for i in inspections]),
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
    lang = current_lang()
    answers = {a.item_id: a for a in inspection.answers}
    appeal_photos: dict[int, list[Photo]] = {}
    for photo in inspection.photos:
        if photo.appeal_id:
            appeal_photos.setdefault(photo.appeal_id, []).append(photo)
    show_inspector = can(current_user, Permission.VIEW_INSPECTOR)
    internal = can(current_user, Permission.REVIEW)
    can_review = (
        can(current_user, Permission.REVIEW) and inspection.status == InspectionStatus.SUBMITTED
    )
    flagged = flagged_answers(inspection) if can_review else []
    action = action_of(inspection.id)
    return render_template(
        template,
        inspection=inspection,
        definition=definition,
        answers=answers,
        words=answer_words(definition, inspection.answers, lang),
        points=points_text,
        # The items a resubmission changed, by their texts: 工牌佩戴…、制服整洁….
        item_list=lambda ids: (", " if lang == "en" else "、").join(
            item_texts(definition, i, lang)[1] for i in ids
        ),
        score=visit_score(inspection),
        photos=evidence_photos(inspection.id),
        appeal_photos=appeal_photos,
        appeals=appeals_of(inspection.id),
        action=action,
        action_items={item.answer_id: item for item in action.items} if action else {},
        flagged=flagged,
        roster=roster_on(inspection.store_id, inspection.visit_date) if flagged else [],
        warnings=photo_reuse_warnings(inspection) if can(current_user, Permission.REVIEW) else [],
        # The store reads what is addressed to it: no returns, no notes to the inspector.
        events=audit_trail(inspection.id, hall_only=not internal),
        internal=internal,
        show_inspector=show_inspector,
        # An inspector's description of a person they could not identify may give the
        # inspector away: reviewers read it, the store never does.
        show_description=can(current_user, Permission.REVIEW),
        can_review=can_review,
        can_decide=can(current_user, Permission.REVIEW),
        can_appeal=can(current_user, Permission.APPEAL)
        and inspection.status == InspectionStatus.APPROVED,
        appeal_deadline=appeal_deadline(inspection, current_app.config["APPEAL_WINDOW_DAYS"]),
        today=halls_today(),
        lang=lang,
        kept=kept,
        forms=visit_forms(),
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


def _form_answer(inspection: Inspection, answer_id: int | None) -> Answer:
    """The answer the form names (answer_id), if it is one of this visit's; 404 otherwise."""
    answer = db.session.get(Answer, answer_id or 0)
    if answer is None or answer.inspection_id != inspection.id:
        abort(404)
    return answer


@bp.post("/review/<uuid>/approve")
@requires(Permission.REVIEW)
def approve(uuid: str):
    inspection = _locked(uuid)
    if inspection.status == InspectionStatus.APPROVED:
        flash(_("This visit was already approved."), "info")
        return redirect(url_for("review.inspection", uuid=uuid))
    hall_note = ApproveForm().hall_note.data
    try:
        approve_inspection(
            inspection, current_user, utcnow(), current_app.config["CORRECTIVE_ACTION_DAYS"],
            hall_note=hall_note,
        )  # fmt: skip
    except ReviewError as exc:
        if hall_note and hall_note.strip():  # a typed note is shown again, not lost
            kept = KeptForm("approve", hall_note, {"hall_note": [str(exc)]})
            return _refused(inspection, kept, str(exc))
        flash(str(exc), "error")
        return redirect(url_for("review.inspection", uuid=uuid)), 303
    db.session.commit()
    flash(_("Approved: the visit now counts in the ratings."), "info")
    return redirect(url_for("review.queue"))


@bp.post("/review/<uuid>/return")
@requires(Permission.REVIEW)
def send_back(uuid: str):
    inspection = _locked(uuid)
    form = ReturnForm()
    # The per-item comments are dynamic item fields (rc__<item id>), not fields of the form.
    names = field_names.decode_kind(request.form.keys(), "rc")
    item_comments = {
        item_id: value
        for name, item_id in names.items()
        if (value := request.form.get(name, "")).strip()
    }
    try:
        return_inspection(inspection, current_user, form.comment.data, item_comments)
    except ReviewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("review.inspection", uuid=uuid)), 303
    db.session.commit()
    flash(_("Returned to the inspector with your comments."), "info")
    return redirect(url_for("review.queue"))


@bp.post("/review/<uuid>/attribution")
@requires(Permission.REVIEW)
@replayable_form
def resolve(uuid: str):
    """The reviewer names the person behind an unidentified finding, or confirms nobody can be."""
    inspection = _locked(uuid)
    posted = AttributionForm()
    answer = _form_answer(inspection, posted.answer_id.data)
    decision = posted.decision.data
    if decision not in ("name", "unidentified"):
        abort(400)
    number = (posted.employee_no.data or "").strip()
    form = f"attribution-{answer.id}"
    try:
        if decision == "name" and not number:
            raise ReviewError(
                _("Choose the staff member, or confirm the person cannot be identified.")
            )
        resolve_attribution(answer, current_user, number if decision == "name" else None, utcnow())
    except ReviewError as exc:
        kept = KeptForm(form, number, {"employee_no": [str(exc)]})
        return _refused(inspection, kept, _("Nothing was saved: %(why)s", why=str(exc)))
    db.session.commit()
    person = answer.staff
    flash(
        _("The finding is attributed to %(name)s (%(no)s).", name=person.name, no=number)
        if decision == "name" and person is not None
        else _("Confirmed: the finding counts for the hall only."),
        "info",
    )
    return redirect(url_for("review.inspection", uuid=uuid, _anchor="unidentified"))


@bp.route("/review/appeals")
@requires(Permission.REVIEW)
def appeals():
    appeals = open_appeals()
    return render_template(
        "review/appeals.html",
        appeals=appeals,
        item_texts=answer_item_texts([ap.answer for ap in appeals], current_lang()),
        actions=open_actions(halls_today()),
        lang=current_lang(),
        decide_form=AppealDecisionForm(formdata=None),
    )


@bp.post("/review/appeals/<int:appeal_id>")
@requires(Permission.REVIEW)
def decide(appeal_id: int):
    appeal = db.session.scalar(select(Appeal).where(Appeal.id == appeal_id).with_for_update())
    if appeal is None:
        abort(404)
    posted = AppealDecisionForm()
    decision = posted.decision.data
    if decision not in ("uphold", "reject"):
        abort(400)
    inspection, reason = appeal.inspection, posted.reason.data
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


def _refused(
    inspection: Inspection, kept: KeptForm, message: str, stored: Iterable[str] = ()
) -> tuple[str, int]:
    """Undo the attempt and show the visit again with what was typed and why it was refused."""
    undo(message, stored)
    return _detail(inspection, "review/inspection.html", kept), 422


@bp.post("/results/<uuid>/appeals")
@photo_form
@requires(Permission.APPEAL)
@replayable_form
def appeal(uuid: str):
    """A store manager files an appeal with photos; on any refusal the reason typed is kept."""
    inspection = _locked(uuid)
    posted = AppealForm()
    answer = _form_answer(inspection, posted.answer_id.data)
    reason, item_id, form = posted.reason.data or "", answer.item_id, f"appeal-{answer.id}"
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
    stored, errors = store_form_photos(
        inspection, purpose=PhotoPurpose.APPEAL, appeal_id=filed.id, item_id=item_id
    )
    if errors:
        why = " ".join(errors)
        kept = KeptForm(form, reason, {"photos": errors})
        return _refused(inspection, kept, _("The appeal was not filed: %(why)s", why=why), stored)
    db.session.commit()
    flash(_("Appeal filed. A reviewer will decide it."), "info")
    return redirect(url_for("review.results", uuid=uuid, _anchor=f"item-{item_id}"))


@bp.get("/results/<uuid>/appeals")
@requires(Permission.VIEW_RESULTS)
def appeal_page(uuid: str):
    """The address a refused appeal form was shown at, opened again: back to the visit."""
    return redirect(url_for("review.results", uuid=uuid))


@bp.route("/review/inspectors")
@requires(Permission.REVIEW)
def inspectors():
    """How each inspector scores compared with peers at the same halls."""
    today = halls_today()
    try:
        period = parse_period(request.args.get("period"), today)
    except PeriodError:
        abort(400)
    return render_template(
        "review/inspectors.html",
        rows=inspector_quality(period),
        flag_points=FLAG_POINTS,
        period=period,
        periods=[p.key for p in month_of(today).history(12)][::-1],
    )
