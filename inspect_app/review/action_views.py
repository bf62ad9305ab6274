"""Corrective actions (整改): one list per visit, each failed item closed with its own proof."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from inspect_app.auth.permissions import Permission, can, requires
from inspect_app.calendar import halls_today
from inspect_app.checklists.answer_text import answer_words
from inspect_app.checklists.version_texts import answer_item_texts
from inspect_app.context import current_lang
from inspect_app.db import utcnow
from inspect_app.extensions import db
from inspect_app.inspections.attempts import replayable_form
from inspect_app.inspections.operations import inspection_definition
from inspect_app.inspections.scope import require_inspection
from inspect_app.photos.models import PhotoPurpose
from inspect_app.photos.queries import evidence_photos
from inspect_app.review import bp
from inspect_app.review.actions import record_action_item, verify_action_item
from inspect_app.review.forms import ActionRecordForm, ActionVerifyForm, KeptForm
from inspect_app.review.models import CorrectiveAction, CorrectiveActionItem
from inspect_app.review.pages import store_form_photos, undo
from inspect_app.review.queries import action_row, action_with_items, open_actions, open_appeals
from inspect_app.review.texts import ReviewError
from inspect_app.stores.scope import scoped_store_ids
from inspect_app.uploads import photo_form


@bp.route("/actions")
@requires(Permission.APPEAL)
def store_actions():
    """The manager's list: one row per visit with a corrective action still to close."""
    scope = scoped_store_ids(current_user)
    appeals = open_appeals(scope)
    return render_template(
        "review/actions.html",
        actions=open_actions(halls_today(), scope),
        appeals=appeals,
        item_texts=answer_item_texts([ap.answer for ap in appeals], current_lang()),
        lang=current_lang(),
    )


def _action_or_404(action_id: int) -> CorrectiveAction:
    """The corrective action, if the current user may see its visit; 404 otherwise."""
    action = action_with_items(action_id)
    if action is None:
        abort(404)
    require_inspection(action.inspection)
    return action


def _item_or_404(action_item_id: int) -> CorrectiveActionItem:
    item = db.session.get(CorrectiveActionItem, action_item_id)
    if item is None:
        abort(404)
    require_inspection(item.action.inspection)
    return item


def _page(action: CorrectiveAction, kept: KeptForm | None = None) -> str:
    inspection = action.inspection
    photos: dict[int, list] = {}
    for photo in inspection.photos:
        if photo.corrective_action_item_id:
            photos.setdefault(photo.corrective_action_item_id, []).append(photo)
    lang, row = current_lang(), action_row(action, halls_today())
    definition = inspection_definition(inspection)
    return render_template(
        "review/action.html",
        action=action,
        inspection=inspection,
        definition=definition,
        words=answer_words(definition, [item.answer for item in action.items], lang),
        evidence=evidence_photos(inspection.id),
        item_photos=photos,
        open_items=row.open_items,
        overdue=row.overdue,
        can_record=can(current_user, Permission.APPEAL),
        can_verify=can(current_user, Permission.REVIEW),
        lang=lang,
        kept=kept,
        record_form=ActionRecordForm(formdata=None),
        verify_form=ActionVerifyForm(formdata=None),
    )


@bp.get("/results/actions/<int:action_id>")
@requires(Permission.VIEW_RESULTS)
def action_page(action_id: int):
    """A visit's corrective action: each failed item with its answer, proof and state."""
    return _page(_action_or_404(action_id))


def _refused(action_id: int, kept: KeptForm, message: str, stored=()) -> tuple[str, int]:
    """Undo the attempt and show the action again with what was typed and why it was refused."""
    undo(message, stored)
    action = action_with_items(action_id)
    if action is None:  # the last item was withdrawn meanwhile
        abort(404)
    return _page(action, kept), 422


@bp.post("/results/actions/items/<int:action_item_id>")
@photo_form
@requires(Permission.APPEAL)
@replayable_form
def record(action_item_id: int):
    """The store records what it did about one item, with photos; a refusal keeps the text."""
    item = _item_or_404(action_item_id)
    action_id, inspection = item.action_id, item.action.inspection
    description = ActionRecordForm().description.data or ""
    form = f"record-{action_item_id}"
    try:
        record_action_item(item, current_user, description, utcnow())
    except ReviewError as exc:
        kept = KeptForm(form, description, {"description": [str(exc)]})
        return _refused(action_id, kept, _("Nothing was saved: %(why)s", why=str(exc)))
    stored, errors = store_form_photos(
        inspection,
        purpose=PhotoPurpose.CORRECTIVE_ACTION,
        corrective_action_id=action_id,
        corrective_action_item_id=action_item_id,
        item_id=item.answer.item_id,
    )
    if errors:
        why = " ".join(errors)
        kept = KeptForm(form, description, {"photos": errors})
        return _refused(action_id, kept, _("Nothing was saved: %(why)s", why=why), stored)
    db.session.commit()
    flash(_("Corrective action recorded."), "info")
    return redirect(
        url_for("review.action_page", action_id=action_id, _anchor=f"ai-{action_item_id}")
    )


@bp.get("/results/actions/items/<int:action_item_id>")
@requires(Permission.VIEW_RESULTS)
def record_page(action_item_id: int):
    """The address a refused item form was shown at, opened again: back to the action."""
    item = _item_or_404(action_item_id)
    return redirect(url_for("review.action_page", action_id=item.action_id))


@bp.post("/review/actions/items/<int:action_item_id>")
@requires(Permission.REVIEW)
def verify(action_item_id: int):
    """A reviewer confirms one item's fix, or sends it back with what is missing."""
    item = _item_or_404(action_item_id)
    posted = ActionVerifyForm()
    decision = posted.decision.data
    if decision not in ("verified", "not_verified"):
        abort(400)
    action_id, comment = item.action_id, posted.comment.data
    try:
        verify_action_item(
            item, current_user, verified=decision == "verified", comment=comment, now=utcnow()
        )
    except ReviewError as exc:
        kept = KeptForm(f"verify-{action_item_id}", comment or "", {"comment": [str(exc)]})
        return _refused(action_id, kept, _("Nothing was saved: %(why)s", why=str(exc)))
    db.session.commit()
    flash(_("Saved."), "info")
    return redirect(
        url_for("review.action_page", action_id=action_id, _anchor=f"ai-{action_item_id}")
    )
