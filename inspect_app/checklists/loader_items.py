"""The checklist validator's reading of sections' items and their `show_if` conditions.

An item's type (`item_types.py`) checks its own settings; here are the keys every item has.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from inspect_app.checklists.definition import PHOTO_RULES, Condition, Item
from inspect_app.checklists.field_names import ITEM_ID
from inspect_app.checklists.item_type_base import ItemType
from inspect_app.checklists.item_types import get_item_type, item_type_keys
from inspect_app.checklists.loader_base import ValidatorBase, line_of, to_decimal

ITEM_KEYS = {
    "id", "type", "text", "text_en", "guidance", "guidance_en", "points",
    "photo", "staff", "veto", "required", "na", "show_if", "fail_below",
}  # fmt: skip


class ItemValidator(ValidatorBase):
    """Reads items; `items_seen` holds every id read so far (None: read with errors)."""

    items_seen: dict[str, Item | None]

    def item(self, raw: Any, line: int | None, section_id: str, staff_default: bool) -> Item | None:
        """One item of a section, or None when it has any error (each reported)."""
        if not isinstance(raw, Mapping):
            self.error(_("Each item must be a mapping."), line)
            return None
        item_id = self.item_id(raw, line)
        item_type = self.item_type(raw, line, item_id)
        if item_type is None:
            return None
        self.unknown_keys(raw, ITEM_KEYS | item_type.extra_keys, item_id)
        errors_before = len(self.errors)
        text = self.text(raw, "text", required=True, item_id=item_id)
        points = self.points(raw, item_type, line, item_id)

        def report(message: str, key: str | None) -> None:
            self.error(message, line_of(raw, key) if key else line, item_id)

        config = item_type.parse_config(
            raw, points if points is not None and points > 0 else None, report
        )
        photo, veto, allow_na, fail_below = self.item_rules(raw, item_type, item_id)
        item = Item(
            id=item_id or "",
            section_id=section_id,
            type=item_type.key,
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
        if points is None and not item_type.points_required:
            # Left out where the type can tell it (a choice: its best option's points).
            item = replace(item, points=item_type.max_points(item))
        show_if = self.condition(raw, item_id)
        if show_if is not None:
            item = replace(item, show_if=show_if)
        if item_id:
            self.items_seen[item_id] = item
        return item if item_id and len(self.errors) == errors_before else None

    def item_id(self, raw: Mapping, line: int | None) -> str | None:
        """The item's id when it is well formed and new, else None (reported)."""
        item_id = raw.get("id")
        if not isinstance(item_id, str) or not ITEM_ID.match(item_id):
            self.error(
                _("Each item needs an `id` of lowercase letters, digits, dots and underscores."),
                line_of(raw, "id") or line,
            )
            item_id = None
        elif item_id in self.items_seen:
            self.error(
                _("Item id `%(id)s` is used twice.", id=item_id), line_of(raw, "id"), item_id
            )
            item_id = None
        return item_id

    def item_type(self, raw: Mapping, line: int | None, item_id: str | None) -> ItemType | None:
        """The registered type the item names, or None (reported; the id is then spent)."""
        type_key = raw.get("type")
        if type_key not in item_type_keys():
            self.error(
                _(
                    "Unknown item type `%(type)s`; use one of: %(types)s.",
                    type=type_key,
                    types=", ".join(item_type_keys()),
                ),
                line_of(raw, "type") or line,
                item_id,
            )
            if item_id:
                self.items_seen[item_id] = None
            return None
        return get_item_type(type_key)

    def points(
        self, raw: Mapping, item_type: ItemType, line: int | None, item_id: str | None
    ) -> Decimal | None:
        """The item's `points` as given (None when left out); problems are reported."""
        type_key = item_type.key
        points: Decimal | None = None
        if "points" in raw:
            points = to_decimal(raw["points"])
            if not item_type.scored:
                self.error(
                    _("A text item is not scored; remove `points`."),
                    line_of(raw, "points"),
                    item_id,
                )
            elif points is None:
                self.error(_("`points` must be a number."), line_of(raw, "points"), item_id)
            elif points < 0:
                self.error(_("`points` must not be negative."), line_of(raw, "points"), item_id)
            elif points == 0:
                self.error(
                    _("`points` must be above 0; use a text item for an unscored note."),
                    line_of(raw, "points"),
                    item_id,
                )
        elif item_type.points_required:
            self.error(_("`points` is required for a %(type)s item.", type=type_key), line, item_id)

        return points

    def item_rules(
        self, raw: Mapping, item_type: ItemType, item_id: str | None
    ) -> tuple[Any, bool, bool, Decimal | None]:
        """(photo, veto, na, fail_below) as given, each checked against the item's type."""
        photo = raw.get("photo", "never")
        if photo not in PHOTO_RULES:
            self.error(
                _("`photo` must be one of: never, on_fail, always."), line_of(raw, "photo"), item_id
            )
        veto = self.flag(raw, "veto", False, item_id)
        if veto and not item_type.scored:
            self.error(_("Only a scored item can be a veto item."), line_of(raw, "veto"), item_id)
        if photo == "on_fail" and not item_type.scored:
            self.error(
                _("A text item cannot fail, so `photo: on_fail` never applies."),
                line_of(raw, "photo"),
                item_id,
            )
        allow_na = self.flag(raw, "na", item_type.default_na, item_id)
        if allow_na and not item_type.scored:
            self.error(
                _("Only a scored item can be marked not applicable."), line_of(raw, "na"), item_id
            )
        fail_below = self.fail_share(raw, None, item_id)
        if fail_below is not None and not item_type.scored:
            self.error(
                _("A text item cannot fail; remove `fail_below`."),
                line_of(raw, "fail_below"),
                item_id,
            )
            fail_below = None
        return photo, veto, allow_na, fail_below

    def condition(self, raw: Mapping, item_id: str | None) -> Condition | None:
        if "show_if" not in raw:
            return None
        node = raw["show_if"]
        line = line_of(raw, "show_if")
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
