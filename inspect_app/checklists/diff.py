"""Compare two checklist definitions and list what changed, as plain JSON-able values.

Pure: definitions in, a `ChecklistDiff` out; no Flask, no database.

Items and sections are matched by id. Changing an item's position within its section,
or the order of sections, is not reported: scoring and reports key on ids, not on order.
Moving an item to another section is reported as a "section" change of that item.
The checklist key, descriptions and the English title are not compared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from inspect_app.checklists.definition import ChecklistDefinition, Condition, Item, Section

#: Compared item fields in report order: (reported name, plain value of the item).
ITEM_FIELDS: tuple[tuple[str, Callable[[Item], Any]], ...] = (
    ("section", lambda item: item.section_id),
    ("type", lambda item: item.type),
    ("text", lambda item: item.text),
    ("text_en", lambda item: item.text_en),
    ("guidance", lambda item: item.guidance),
    ("guidance_en", lambda item: item.guidance_en),
    ("points", lambda item: plain_value(item.points)),
    ("photo", lambda item: item.photo),
    ("staff", lambda item: item.staff),
    ("veto", lambda item: item.veto),
    ("required", lambda item: item.required),
    ("na", lambda item: item.allow_na),
    ("show_if", lambda item: plain_value(item.show_if)),
    ("config", lambda item: plain_value(item.config)),
)

#: Compared section fields: (reported name, plain value of the section).
SECTION_FIELDS: tuple[tuple[str, Callable[[Section], Any]], ...] = (
    ("title", lambda section: section.title),
    ("title_en", lambda section: section.title_en),
    ("weight", lambda section: plain_value(section.weight)),
)


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class ItemChange:
    item_id: str
    #: "added", "removed" or "changed".
    kind: str
    #: The new section for added and changed items, the old one for removed items.
    section_id: str
    #: The Chinese text, new or (for a removed item) old.
    text: str
    changes: tuple[FieldChange, ...] = ()
    #: The English text beside `text`, if the checklist gives one.
    text_en: str | None = None

    def label(self, lang: str) -> str:
        """The item's text in `lang`: English where the checklist gives it, else Chinese."""
        return (self.text_en or self.text) if lang.startswith("en") else self.text


@dataclass(frozen=True)
class ChecklistDiff:
    #: Added and changed items in the new checklist's order, then removed items in the old order.
    items: tuple[ItemChange, ...]
    #: (section_id, field, old, new): field "added" (None, title), "removed" (title, None),
    #: or a changed "title", "title_en" or "weight".
    sections: tuple[tuple[str, str, Any, Any], ...]
    #: (field, old, new) for changed rating rules.
    rating: tuple[tuple[str, Any, Any], ...]
    #: (old, new) when the Chinese title changed.
    title: tuple[Any, Any] | None

    @property
    def is_empty(self) -> bool:
        """Return True when nothing compared differs."""
        return not (self.items or self.sections or self.rating or self.title)


def plain_value(value: Any) -> Any:
    """Return `value` as plain JSON: Decimals as strings like "2" or "2.5", conditions as dicts."""
    if isinstance(value, Decimal):
        # normalize() alone would turn 10 into "1E+1"; the "f" format keeps it "10".
        return format(value.normalize(), "f")
    if isinstance(value, Condition):
        return {"item": value.item_id, "in": plain_value(value.values)}
    if isinstance(value, dict):
        return {key: plain_value(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [plain_value(inner) for inner in value]
    return value


def diff_items(old: Item, new: Item) -> tuple[FieldChange, ...]:
    """Return the field changes between two versions of one item."""
    changes = []
    for name, read in ITEM_FIELDS:
        before, after = read(old), read(new)
        if before != after:
            changes.append(FieldChange(name, before, after))
    return tuple(changes)


def _item_changes(old: ChecklistDefinition, new: ChecklistDefinition) -> tuple[ItemChange, ...]:
    old_items = {item.id: item for item in old.items}
    new_ids = {item.id for item in new.items}
    changes = []
    for item in new.items:
        previous = old_items.get(item.id)
        if previous is None:
            changes.append(
                ItemChange(item.id, "added", item.section_id, item.text, text_en=item.text_en)
            )
        elif fields := diff_items(previous, item):
            changes.append(
                ItemChange(item.id, "changed", item.section_id, item.text, fields, item.text_en)
            )
    changes.extend(
        ItemChange(item.id, "removed", item.section_id, item.text, text_en=item.text_en)
        for item in old.items
        if item.id not in new_ids
    )
    return tuple(changes)


def _section_changes(
    old: ChecklistDefinition, new: ChecklistDefinition
) -> tuple[tuple[str, str, Any, Any], ...]:
    old_sections = {section.id: section for section in old.sections}
    new_ids = {section.id for section in new.sections}
    changes: list[tuple[str, str, Any, Any]] = []
    for section in new.sections:
        previous = old_sections.get(section.id)
        if previous is None:
            changes.append((section.id, "added", None, section.title))
            continue
        for name, read in SECTION_FIELDS:
            before, after = read(previous), read(section)
            if before != after:
                changes.append((section.id, name, before, after))
    changes.extend(
        (section.id, "removed", section.title, None)
        for section in old.sections
        if section.id not in new_ids
    )
    return tuple(changes)


def _rating_changes(
    old: ChecklistDefinition, new: ChecklistDefinition
) -> tuple[tuple[str, Any, Any], ...]:
    changes = []
    for name in ("star_thresholds", "min_inspections", "veto_max_percent", "veto_max_stars"):
        before = plain_value(getattr(old.rating, name))
        after = plain_value(getattr(new.rating, name))
        if before != after:
            changes.append((name, before, after))
    return tuple(changes)


def diff_definitions(old: ChecklistDefinition, new: ChecklistDefinition) -> ChecklistDiff:
    """Return what changed from `old` to `new`, ignoring the order of items and sections."""
    return ChecklistDiff(
        items=_item_changes(old, new),
        sections=_section_changes(old, new),
        rating=_rating_changes(old, new),
        title=(old.title, new.title) if old.title != new.title else None,
    )
