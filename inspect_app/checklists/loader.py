"""Validate a checklist file completely and build its typed definition.

Every problem is reported with the file, the line and the item id, never as a
traceback; a file with any error yields no definition. The validator's parts:
`loader_base.py` (errors, shared readings), `loader_rating.py` (`rating`),
`loader_items.py` (items and their conditions); each item type checks its own settings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _

from inspect_app.checklists.definition import ChecklistDefinition, Item, Section
from inspect_app.checklists.field_names import ITEM_ID
from inspect_app.checklists.loader_base import ChecklistError, line_of, to_decimal
from inspect_app.checklists.loader_items import ITEM_KEYS, ItemValidator
from inspect_app.checklists.loader_rating import RATING_KEYS, RatingValidator
from inspect_app.checklists.yaml_source import (
    DuplicateKeyError,
    TooLargeError,
    load_yaml_with_lines,
)
from inspect_app.edge import unstorable_text_at

__all__ = [
    "ITEM_ID",
    "ITEM_KEYS",
    "RATING_KEYS",
    "ChecklistError",
    "LoadResult",
    "load_checklist_file",
    "load_checklist_text",
    "validate_document",
]

CHECKLIST_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
SECTION_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
#: Largest checklist file accepted, in bytes.
MAX_SOURCE_BYTES = 1_000_000

TOP_KEYS = {"key", "title", "title_en", "description", "description_en", "rating", "sections"}
SECTION_KEYS = {"id", "title", "title_en", "weight", "staff", "items"}


@dataclass
class LoadResult:
    definition: ChecklistDefinition | None
    errors: list[ChecklistError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.definition is not None and not self.errors


class _Validator(RatingValidator, ItemValidator):
    def checklist(self, doc: Any) -> ChecklistDefinition | None:
        if not isinstance(doc, Mapping):
            self.error(
                _("A checklist file must be a mapping with key, title, rating and sections."), 1
            )
            return None
        self.unknown_keys(doc, TOP_KEYS)
        key = self.text(doc, "key", required=True)
        if key is not None and not CHECKLIST_KEY.match(key):
            self.error(
                _("`key` may use lowercase letters, digits and hyphens only."), line_of(doc, "key")
            )
        title = self.text(doc, "title", required=True)
        rating = self.rating(doc.get("rating"), line_of(doc, "rating") or 1)
        sections = self.sections(doc.get("sections"), line_of(doc, "sections") or 1)
        if self.errors or key is None or title is None or rating is None:
            return None
        return ChecklistDefinition(
            key=key,
            title=title,
            title_en=self.text(doc, "title_en", required=False),
            description=self.text(doc, "description", required=False),
            description_en=self.text(doc, "description_en", required=False),
            rating=rating,
            sections=tuple(sections),
        )

    def sections(self, node: Any, line: int) -> list[Section]:
        """The checklist's sections in order, each with its valid items."""
        if not isinstance(node, list) or not node:
            self.error(_("`sections` must be a list with at least one section."), line)
            return []
        seen_sections: set[str] = set()
        self.items_seen = {}
        sections: list[Section] = []
        for position, raw in enumerate(node):
            s_line = node.item_lines[position] if hasattr(node, "item_lines") else None
            section = self.section(raw, s_line, seen_sections)
            if section is not None:
                sections.append(section)
        return sections

    def section(self, raw: Any, s_line: int | None, seen_sections: set[str]) -> Section | None:
        """One section, or None when its id, title or weight is wrong (reported)."""
        if not isinstance(raw, Mapping):
            self.error(_("Each section must be a mapping."), s_line)
            return None
        self.unknown_keys(raw, SECTION_KEYS)
        section_id = self.text(raw, "id", required=True)
        if section_id is not None:
            if not SECTION_ID.match(section_id):
                self.error(
                    _(
                        "Section id `%(id)s` may use lowercase letters, digits and underscores only.",
                        id=section_id,
                    ),
                    line_of(raw, "id"),
                )
            elif section_id in seen_sections:
                self.error(
                    _("Section id `%(id)s` is used twice.", id=section_id), line_of(raw, "id")
                )
            seen_sections.add(section_id)
        title = self.text(raw, "title", required=True)
        weight = to_decimal(raw.get("weight"))
        if weight is None or weight <= 0:
            self.error(_("Section `weight` must be a number above 0."), line_of(raw, "weight"))
        staff_default = self.flag(raw, "staff", False)
        items_node = raw.get("items")
        items: list[Item] = []
        if not isinstance(items_node, list) or not items_node:
            self.error(
                _(
                    "Section `%(id)s` needs `items`: a list with at least one item.",
                    id=section_id,
                ),
                line_of(raw, "items"),
            )
        else:
            for index, item_raw in enumerate(items_node):
                i_line = items_node.item_lines[index] if hasattr(items_node, "item_lines") else None
                item = self.item(item_raw, i_line, section_id or "", staff_default)
                if item is not None:
                    items.append(item)
        if not (section_id and title and weight is not None and weight > 0):
            return None
        return Section(
            id=section_id,
            title=title,
            title_en=self.text(raw, "title_en", required=False),
            weight=weight,
            items=tuple(items),
        )


def load_checklist_text(text: str, source: str = "<checklist>") -> LoadResult:
    """Validate YAML checklist text; return the definition or every error found."""
    if len(text.encode("utf-8")) > MAX_SOURCE_BYTES:
        return LoadResult(
            None, [ChecklistError(source, None, None, _("The file is larger than 1 MB."))]
        )
    try:
        doc = load_yaml_with_lines(text)
    except DuplicateKeyError as exc:
        return LoadResult(
            None,
            [
                ChecklistError(
                    source,
                    exc.line,
                    None,
                    _("The key `%(key)s` appears twice in one mapping.", key=exc.key),
                )
            ],
        )
    except (TooLargeError, RecursionError):
        return LoadResult(
            None,
            [
                ChecklistError(
                    source,
                    None,
                    None,
                    _(
                        "The file is nested too deeply or expands to too much data (check anchors and aliases)."
                    ),
                )
            ],
        )
    except yaml.YAMLError as exc:
        # Where the broken construct began (an unclosed quote or bracket) beats where
        # the parser gave up, which is often the end of the file.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line = mark.line + 1 if mark is not None else None
        return LoadResult(
            None,
            [
                ChecklistError(
                    source, line, None, _("This is not valid YAML: %(problem)s", problem=problem)
                )
            ],
        )
    return validate_document(doc, source)


def validate_document(doc: Any, source: str) -> LoadResult:
    """Validate an already-parsed checklist document (from YAML or a spreadsheet)."""
    if (where := unstorable_text_at(doc)) is not None:  # a YAML "\0" or "\ud800" escape
        message = _(
            'The field "%(field)s" contains characters that cannot be saved (such as a null '
            "character). Remove them and send it again.",
            field=where,
        )
        return LoadResult(None, [ChecklistError(source, None, None, message)])
    validator = _Validator(source)
    definition = validator.checklist(doc)
    if validator.errors:
        return LoadResult(None, validator.errors)
    return LoadResult(definition, [])


def load_checklist_file(path: Path) -> LoadResult:
    """Validate one checklist file on disk."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return LoadResult(
            None,
            [
                ChecklistError(
                    str(path),
                    None,
                    None,
                    _("Cannot read the file: %(reason)s", reason=exc.strerror),
                )
            ],
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return LoadResult(
            None, [ChecklistError(str(path), None, None, _("The file is not UTF-8 text."))]
        )
    return load_checklist_text(text, str(path))
