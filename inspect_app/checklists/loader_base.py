"""The checklist validator's base: where an error is, and the readings every part shares.

A validator collects every problem (message, file, line, item id) instead of stopping at the
first; `loader.py` puts the parts together (`loader_rating.py`, `loader_items.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _


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


def line_of(node: Any, key: Any = None) -> int | None:
    """The line of `key` in a mapping read with lines (or of the node itself), else None."""
    if key is not None and hasattr(node, "line_of"):
        return node.line_of(key)
    return getattr(node, "line", None) or None


def to_decimal(value: Any) -> Decimal | None:
    """A finite Decimal from a number or numeric text; None otherwise (and for booleans)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class ValidatorBase:
    """Collects the errors of one source and reads the simple values every part checks."""

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
                self.error(_("`%(key)s` is required.", key=key), line_of(node), item_id)
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self.error(_("`%(key)s` must be text.", key=key), line_of(node, key), item_id)
            return None
        return value.strip()

    def flag(self, node: Mapping, key: str, default: bool, item_id: str | None = None) -> bool:
        value = node.get(key, default)
        if not isinstance(value, bool):
            self.error(_("`%(key)s` must be true or false.", key=key), line_of(node, key), item_id)
            return default
        return value

    def unknown_keys(self, node: Mapping, allowed: set[str], item_id: str | None = None) -> None:
        for key in node:
            if key not in allowed:
                self.error(_("Unknown key `%(key)s`.", key=key), line_of(node, key), item_id)

    def count(self, node: Mapping, key: str, default: int | None, message: str, line: int) -> int:
        """Read a whole number of at least 1 under `key`; report `message` and use the default
        (1 where the key is required) when it is missing without a default, or not such a number."""
        value = node.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.error(message, line_of(node, key) or line)
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
        value = to_decimal(node["fail_below"])
        if value is None or not 0 < value <= 1:
            self.error(
                _(
                    "`fail_below` must be a share of an item's points above 0 and at most 1 "
                    "(0.5: an item fails when it earns less than half its points)."
                ),
                line_of(node, "fail_below"),
                item_id,
            )
            return default
        return value
