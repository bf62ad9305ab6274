"""Reading checklists and their versions."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user
from sqlalchemy import func, select

from inspect_app.auth.permissions import Permission, can, requires
from inspect_app.checklists import bp, field_names
from inspect_app.checklists.answer_text import answer_in_words
from inspect_app.checklists.definition import ChecklistDefinition
from inspect_app.checklists.forms import ActivateVersionForm
from inspect_app.checklists.models import Checklist
from inspect_app.checklists.operations import definition_of, find_version
from inspect_app.checklists.version_texts import checklist_title, version_title
from inspect_app.context import current_lang
from inspect_app.extensions import db
from inspect_app.inspections.models import Inspection

# Templates name an item's inputs through the one codec: {{ field_name('rc', item.id) }}.
bp.add_app_template_global(field_names.encode, "field_name")
# A checklist's title in the reader's language: {{ checklist_title(c) }}, {{ version_title(v) }}.
bp.add_app_template_global(checklist_title, "checklist_title")
bp.add_app_template_global(version_title, "version_title")


@bp.route("/checklists")
@requires(Permission.VIEW_CHECKLISTS)
def index():
    checklists = db.session.scalars(select(Checklist).order_by(Checklist.key)).all()
    usage = dict(
        db.session.execute(
            select(Inspection.checklist_version_id, func.count()).group_by(
                Inspection.checklist_version_id
            )
        ).all()
    )
    return render_template(
        "checklists/index.html",
        checklists=checklists,
        usage=usage,
        can_manage=can(current_user, Permission.MANAGE_CHECKLISTS),
        activate_form=ActivateVersionForm(),
    )


@bp.route("/checklists/<key>/v<int:number>")
@requires(Permission.VIEW_CHECKLISTS)
def version(key: str, number: int):
    version = find_version(key, number)
    if version is None:
        abort(404)
    definition, lang = definition_of(version), current_lang()
    return render_template(
        "checklists/version.html",
        version=version,
        definition=definition,
        conditions=_conditions_in_words(definition, lang),
        lang=lang,
    )


def _conditions_in_words(definition: ChecklistDefinition, lang: str) -> dict[str, tuple[str, str]]:
    """Each conditional item's condition in words, by item id: (the item it depends on, by its
    text; the answers that show it, as the checklist words them)."""
    conditions = {}
    for item in definition.items:
        if item.show_if is not None:
            source = definition.item(item.show_if.item_id)
            words = [answer_in_words(source, value, lang) for value in item.show_if.values]
            conditions[item.id] = (source.label(lang), " / ".join(words))
    return conditions
