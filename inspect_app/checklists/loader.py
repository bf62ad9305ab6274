"""Validate a checklist file completely and build its typed definition.

Every problem is reported with the file, the line and the item id, never as a
traceback; a file with any error yields no definition.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _

from inspect_app.checklists.definition import (
    DEFAULT_FAIL_BELOW,
    DEFAULT_STAFF_MIN_ITEMS,
    PHOTO_RULES,
    ChecklistDefinition,
    Condition,
    Item,
    RatingRules,
    Section,
)
from inspect_app.checklists.item_types import get_item_type, item_type_keys
from inspect_app.checklists.yaml_source import (
    DuplicateKeyError,
    TooLargeError,
    load_yaml_with_lines,
)
from inspect_app.edge import unstorable_text_at

CHECKLIST_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
SECTION_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
ITEM_ID = re.compile(r"^[a-z][a-z0-9_.]{0,99}$")
#: Largest checklist file accepted, in bytes.
MAX_SOURCE_BYTES = 1_000_000

TOP_KEYS = {"key", "title", "title_en", "description", "description_en", "rating", "sections"}
RATING_KEYS = {"star_thresholds", "min_inspections", "veto", "fail_below", "staff_min_items"}
SECTION_KEYS = {"id", "title", "title_en", "weight", "staff", "items"}
ITEM_KEYS = {
    "id", "type", "text", "text_en", "guidance", "guidance_en", "points",
    "photo", "staff", "veto", "required", "na", "show_if", "fail_below",
}  # fmt: skip


@dataclass(frozen=True)
class ChecklistError:
    source: str
    line: int | None
    item_id: str | None
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return (
            f"{where}: [{self.item_id}] {self.message}"
            if self.item_id
            else f"{where}: {self.message}"
        )


@dataclass
class LoadResult:
    definition: ChecklistDefinition | None
    errors: list[ChecklistError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.definition is not None and not self.errors


def _line(node: Any, key: Any = None) -> int | None:
    if key is not None and hasattr(node, "line_of"):
        return node.line_of(key)
    return getattr(node, "line", None) or None


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class _Validator:
    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[ChecklistError] = []

    def error(self, message: str, line: int | None = None, item_id: str | None = None) -> None:
        self.errors.append(ChecklistError(self.source, line, item_id, message))

    def text(
        self, node: Mapping, key: str, *, required: bool, item_id: str | None = None
    ) -> str | None:
        value = node.get(key)
        if value is None:
            if required:
                self.error(_("`%(key)s` is required.", key=key), _line(node), item_id)
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self.error(_("`%(key)s` must be text.", key=key), _line(node, key), item_id)
            return None
        return value.strip()

    def flag(self, node: Mapping, key: str, default: bool, item_id: str | None = None) -> bool:
        value = node.get(key, default)
        if not isinstance(value, bool):
            self.error(_("`%(key)s` must be true or false.", key=key), _line(node, key), item_id)
            return default
        return value

    def unknown_keys(self, node: Mapping, allowed: set[str], item_id: str | None = None) -> None:
        for key in node:
            if key not in allowed:
                self.error(_("Unknown key `%(key)s`.", key=key), _line(node, key), item_id)

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
                _("`key` may use lowercase letters, digits and hyphens only."), _line(doc, "key")
            )
        title = self.text(doc, "title", required=True)
        rating = self.rating(doc.get("rating"), _line(doc, "rating") or 1)
        sections = self.sections(doc.get("sections"), _line(doc, "sections") or 1)
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

    def rating(self, node: Any, line: int) -> RatingRules | None:
        if not isinstance(node, Mapping):
            self.error(_("`rating` is required: star_thresholds, min_inspections and veto."), line)
            return None
        self.unknown_keys(node, RATING_KEYS)
        thresholds = node.get("star_thresholds")
        parsed: list[Decimal] = []
        t_line = _line(node, "star_thresholds")
        if not isinstance(thresholds, Mapping) or set(thresholds) != {1, 2, 3, 4, 5}:
            self.error(
                _("`star_thresholds` must give the minimum percentage for each of 1 to 5 stars."),
                t_line,
            )
        else:
            for stars in range(1, 6):
                value = _decimal(thresholds[stars])
                if value is None or not 0 <= value <= 100:
                    self.error(
                        _("The %(n)s-star threshold must be a percentage from 0 to 100.", n=stars),
                        _line(thresholds, stars),
                    )
                    continue
                parsed.append(value)
            if len(parsed) == 5:
                if parsed[0] != 0:
                    self.error(
                        _("The 1-star threshold must be 0, so that every score earns a rating."),
                        _line(thresholds, 1),
                    )
                for lower, higher, stars in zip(parsed, parsed[1:], range(2, 6), strict=False):
                    if higher <= lower:
                        self.error(
                            _(
                                "Star thresholds must increase: %(n)s stars needs more than %(m)s stars.",
                                n=stars,
                                m=stars - 1,
                            ),
                            _line(thresholds, stars),
                        )
        minimum = self.count(
            node,
            "min_inspections",
            None,
            _("`min_inspections` must be a whole number of at least 1."),
            line,
        )
        veto = node.get("veto", {})
        max_percent, max_stars = Decimal(0), 1
        if not isinstance(veto, Mapping):
            self.error(
                _("`veto` must be a mapping with max_percent and max_stars."), _line(node, "veto")
            )
        else:
            self.unknown_keys(veto, {"max_percent", "max_stars"})
            percent = _decimal(veto.get("max_percent", 0))
            if percent is None or not 0 <= percent <= 100:
                self.error(
                    _("`veto.max_percent` must be a percentage from 0 to 100."),
                    _line(veto, "max_percent"),
                )
            else:
                max_percent = percent
            stars_cap = veto.get("max_stars", 1)
            if (
                isinstance(stars_cap, bool)
                or not isinstance(stars_cap, int)
                or not 1 <= stars_cap <= 5
            ):
                self.error(
                    _("`veto.max_stars` must be a whole number from 1 to 5."),
                    _line(veto, "max_stars"),
                )
            else:
                max_stars = stars_cap
        fail_below = self.fail_share(node, DEFAULT_FAIL_BELOW)
        staff_min = self.count(
            node,
            "staff_min_items",
            DEFAULT_STAFF_MIN_ITEMS,
            _("`staff_min_items` must be a whole number of at least 1."),
            line,
        )
        if len(parsed) != 5:
            return None
        return RatingRules(
            tuple(parsed),
            minimum,
            max_percent,
            max_stars,
            fail_below=fail_below,
            staff_min_items=staff_min,
        )

    def count(self, node: Mapping, key: str, default: int | None, message: str, line: int) -> int:
        """Read a whole number of at least 1 under `key`; report `message` and use the default
        (1 where the key is required) when it is missing without a default, or not such a number."""
        value = node.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.error(message, _line(node, key) or line)
            return default or 1
        return value

    def fail_share(
        self, node: Mapping, default: Decimal | None, item_id: str | None = None
    ) -> Decimal | None:
        """Read `fail_below`: the share of an item's points below which it fails (0 < x <= 1).

        A share such as 0.5, not 50 or "50%"; a bad value is reported at its line and `default`
        is returned so that later checks still run.
        """
        if "fail_below" not in node:
            return default
        value = _decimal(node["fail_below"])
        if value is None or not 0 < value <= 1:
            self.error(
                _(
                    "`fail_below` must be a share of an item's points above 0 and at most 1 "
                    "(0.5: an item fails when it earns less than half its points)."
                ),
                _line(node, "fail_below"),
                item_id,
            )
            return default
        return value

    def sections(self, node: Any, line: int) -> list[Section]:
        if not isinstance(node, list) or not node:
            self.error(_("`sections` must be a list with at least one section."), line)
            return []
        seen_sections: set[str] = set()
        self.items_seen: dict[str, Item | None] = {}
        sections: list[Section] = []
        for position, raw in enumerate(node):
            s_line = node.item_lines[position] if hasattr(node, "item_lines") else None
            if not isinstance(raw, Mapping):
                self.error(_("Each section must be a mapping."), s_line)
                continue
            self.unknown_keys(raw, SECTION_KEYS)
            section_id = self.text(raw, "id", required=True)
            if section_id is not None:
                if not SECTION_ID.match(section_id):
                    self.error(
                        _(
                            "Section id `%(id)s` may use lowercase letters, digits and underscores only.",
                            id=section_id,
                        ),
                        _line(raw, "id"),
                    )
                elif section_id in seen_sections:
                    self.error(
                        _("Section id `%(id)s` is used twice.", id=section_id), _line(raw, "id")
                    )
                seen_sections.add(section_id)
            title = self.text(raw, "title", required=True)
            weight = _decimal(raw.get("weight"))
            if weight is None or weight <= 0:
                self.error(_("Section `weight` must be a number above 0."), _line(raw, "weight"))
            staff_default = self.flag(raw, "staff", False)
            items_node = raw.get("items")
            items: list[Item] = []
            if not isinstance(items_node, list) or not items_node:
                self.error(
                    _(
                        "Section `%(id)s` needs `items`: a list with at least one item.",
                        id=section_id,
                    ),
                    _line(raw, "items"),
                )
            else:
                for index, item_raw in enumerate(items_node):
                    i_line = (
                        items_node.item_lines[index] if hasattr(items_node, "item_lines") else None
                    )
                    item = self.item(item_raw, i_line, section_id or "", staff_default)
                    if item is not None:
                        items.append(item)
            if section_id and title and weight is not None and weight > 0:
                sections.append(
                    Section(
                        id=section_id,
                        title=title,
                        title_en=self.text(raw, "title_en", required=False),
                        weight=weight,
                        items=tuple(items),
                    )
                )
        return sections

    def item(self, raw: Any, line: int | None, section_id: str, staff_default: bool) -> Item | None:
        if not isinstance(raw, Mapping):
            self.error(_("Each item must be a mapping."), line)
            return None
        item_id = raw.get("id")
        if not isinstance(item_id, str) or not ITEM_ID.match(item_id):
            self.error(
                _("Each item needs an `id` of lowercase letters, digits, dots and underscores."),
                _line(raw, "id") or line,
            )
            item_id = None
        elif item_id in self.items_seen:
            self.error(_("Item id `%(id)s` is used twice.", id=item_id), _line(raw, "id"), item_id)
            item_id = None
        type_key = raw.get("type")
        if type_key not in item_type_keys():
            self.error(
                _(
                    "Unknown item type `%(type)s`; use one of: %(types)s.",
                    type=type_key,
                    types=", ".join(item_type_keys()),
                ),
                _line(raw, "type") or line,
                item_id,
            )
            if item_id:
                self.items_seen[item_id] = None
            return None
        item_type = get_item_type(type_key)
        self.unknown_keys(raw, ITEM_KEYS | item_type.extra_keys, item_id)
        errors_before = len(self.errors)
        text = self.text(raw, "text", required=True, item_id=item_id)

        points: Decimal | None = None
        if "points" in raw:
            points = _decimal(raw["points"])
            if not item_type.scored:
                self.error(
                    _("A text item is not scored; remove `points`."), _line(raw, "points"), item_id
                )
            elif points is None:
                self.error(_("`points` must be a number."), _line(raw, "points"), item_id)
            elif points < 0:
                self.error(_("`points` must not be negative."), _line(raw, "points"), item_id)
            elif points == 0:
                self.error(
                    _("`points` must be above 0; use a text item for an unscored note."),
                    _line(raw, "points"),
                    item_id,
                )
        elif item_type.points_required:
            self.error(_("`points` is required for a %(type)s item.", type=type_key), line, item_id)

        def report(message: str, key: str | None) -> None:
            self.error(message, _line(raw, key) if key else line, item_id)

        config = item_type.parse_config(
            raw, points if points is not None and points > 0 else None, report
        )
        photo = raw.get("photo", "never")
        if photo not in PHOTO_RULES:
            self.error(
                _("`photo` must be one of: never, on_fail, always."), _line(raw, "photo"), item_id
            )
        veto = self.flag(raw, "veto", False, item_id)
        if veto and not item_type.scored:
            self.error(_("Only a scored item can be a veto item."), _line(raw, "veto"), item_id)
        if photo == "on_fail" and not item_type.scored:
            self.error(
                _("A text item cannot fail, so `photo: on_fail` never applies."),
                _line(raw, "photo"),
                item_id,
            )
        allow_na = self.flag(raw, "na", item_type.default_na, item_id)
        if allow_na and not item_type.scored:
            self.error(
                _("Only a scored item can be marked not applicable."), _line(raw, "na"), item_id
            )
        fail_below = self.fail_share(raw, None, item_id)
        if fail_below is not None and not item_type.scored:
            self.error(
                _("A text item cannot fail; remove `fail_below`."),
                _line(raw, "fail_below"),
                item_id,
            )
            fail_below = None
        item = Item(
            id=item_id or "",
            section_id=section_id,
            type=type_key,
            text=text or "",
            text_en=self.text(raw, "text_en", required=False, item_id=item_id),
            guidance=self.text(raw, "guidance", required=False, item_id=item_id),
            guidance_en=self.text(raw, "guidance_en", required=False, item_id=item_id),
            points=points if points is not None and points > 0 else Decimal(0),
            photo=photo if photo in PHOTO_RULES else "never",
            staff=self.flag(raw, "staff", staff_default, item_id),
            veto=veto,
            required=self.flag(raw, "required", item_type.scored, item_id),
            allow_na=allow_na,
            config=config,
            fail_below=fail_below,
        )
        if type_key == "choice" and points is None:
            item = _with_points(item, item_type.max_points(item))
        show_if = self.condition(raw, item_id)
        if show_if is not None:
            item = _with_condition(item, show_if)
        if item_id:
            self.items_seen[item_id] = item
        return item if item_id and len(self.errors) == errors_before else None

    def condition(self, raw: Mapping, item_id: str | None) -> Condition | None:
        if "show_if" not in raw:
            return None
        node = raw["show_if"]
        line = _line(raw, "show_if")
        if (
            not isinstance(node, Mapping)
            or "item" not in node
            or ("equals" in node) == ("in" in node)
        ):
            self.error(
                _("`show_if` needs `item` and exactly one of `equals` or `in`."), line, item_id
            )
            return None
        self.unknown_keys(node, {"item", "equals", "in"}, item_id)
        target_id = node["item"]
        if not isinstance(target_id, str):
            self.error(_("`show_if.item` must be the id of an earlier item."), line, item_id)
            return None
        if target_id not in self.items_seen:
            self.error(
                _(
                    "`show_if` names an unknown item `%(id)s`; it must be an item that comes before this one.",
                    id=target_id,
                ),
                line,
                item_id,
            )
            return None
        target = self.items_seen[target_id]
        if target is None:
            return None
        values = [node["equals"]] if "equals" in node else node["in"]
        if not isinstance(values, list) or not values:
            self.error(_("`show_if.in` must be a non-empty list."), line, item_id)
            return None
        canonical = []
        for value in values:
            if not target.item_type.accepts_condition_value(target, value):
                self.error(
                    _(
                        "`show_if`: `%(value)s` is not a possible answer of `%(id)s`.",
                        value=value,
                        id=target_id,
                    ),
                    line,
                    item_id,
                )
                return None
            canonical.append(target.item_type.parse_answer(target, value))
        return Condition(target_id, tuple(canonical))


def _with_points(item: Item, points: Decimal) -> Item:
    from dataclasses import replace

    return replace(item, points=points)


def _with_condition(item: Item, condition: Condition) -> Item:
    from dataclasses import replace

    return replace(item, show_if=condition)


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
