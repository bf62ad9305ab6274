"""The checklist upload and version forms, and the WTForms form for a checklist version built
through the item-type registry."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, Form, TextAreaField
from wtforms.validators import Length, Optional

from inspect_app.checklists import field_names
from inspect_app.checklists.definition import ChecklistDefinition, Item
from inspect_app.checklists.item_types import MAX_TEXT_LENGTH


class ChecklistUploadForm(FlaskForm):
    """A YAML or XLSX checklist file; `activate` (ticked when posted non-empty) makes it the
    version new inspections use. The file is checked by checklists.operations."""

    file = FileField()
    activate = BooleanField(false_values=("",))


class ActivateVersionForm(FlaskForm):
    """Choose a version for new inspections: the version is in the URL; the form carries the
    CSRF token only."""


def item_field_name(prefix: str, item: Item) -> str:
    """Form field name of one of an item's inputs: see `field_names.encode` for the kinds."""
    return field_names.encode(prefix, item.id)


def answer_field_name(item: Item) -> str:
    return item_field_name("a", item)


def comment_field_name(item: Item) -> str:
    return item_field_name("c", item)


_FORM_CLASSES: dict[tuple[str, str], type[Form]] = {}


def answer_form_class(definition: ChecklistDefinition, lang: str) -> type[Form]:
    """Return a Form class with an answer and a comment field for every item."""
    key = (definition.content_hash(), lang)
    if key not in _FORM_CLASSES:
        _FORM_CLASSES[key] = _build_form_class(definition, lang, key[0])
    return _FORM_CLASSES[key]


def _build_form_class(definition: ChecklistDefinition, lang: str, content_hash: str) -> type[Form]:
    fields = {}
    for item in definition.items:
        fields[answer_field_name(item)] = item.item_type.form_field(item, lang)
        fields[comment_field_name(item)] = TextAreaField(
            _l("Comment"), validators=[Optional(), Length(max=MAX_TEXT_LENGTH)]
        )
    return type(f"ChecklistForm_{content_hash[:8]}", (Form,), fields)
