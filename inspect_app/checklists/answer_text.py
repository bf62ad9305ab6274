"""A stored answer in the words the checklist gives it, and its points as a person writes them.

Pure: an item, the stored value and its points in, text out (合格, 4 星, 3 / 4, the option's
label, 17 分钟; 得 2 分（满分 2）). Every page that shows an answer reads it from here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from inspect_app.checklists.definition import Item
from inspect_app.checklists.item_types import NOT_APPLICABLE


def points_text(value: Decimal | float | int | None) -> str:
    """Points without trailing zeros: 30.000 -> 30, 12.500 -> 12.5, None -> 0."""
    if not value:
        return "0"
    return f"{Decimal(str(value)).normalize():f}"


def answer_in_words(item: Item | None, value: Any, lang: str) -> str:
    """The stored answer as a person reads it: 合格, 4 星, 3 / 4, the option's text, 17 分钟."""
    if value is None:
        return _("Not answered")
    if value == NOT_APPLICABLE:
        return _("Not applicable")
    if item is None:
        return str(value)
    english = lang.startswith("en")
    if item.type == "pass_fail":
        return _("Pass") if value == "pass" else _("Fail")
    if item.type == "stars":
        return _("%(n)s stars", n=value)
    if item.type == "scale":
        return f"{value} / {item.config.get('max')}"
    if item.type == "choice":
        for option in item.config.get("options", []):
            if option["value"] == value:
                return (option.get("text_en") or option["text"]) if english else option["text"]
    if item.type == "number":
        number = points_text(value) if isinstance(value, int | float) else str(value)
        unit = (item.config.get("unit_en") if english else None) or item.config.get("unit")
        return f"{number} {unit}" if unit else number
    return str(value)


def answer_with_points(
    item: Item | None,
    value: Any,
    earned: Decimal | None,
    possible: Decimal | None,
    lang: str,
) -> str:
    """The answer in words, then its points when it has any: 合格 · 得 2 分（满分 2）.

    Unanswered and not-applicable answers, and unscored ones (a remark), carry no points.
    """
    words = answer_in_words(item, value, lang)
    if value is None or value == NOT_APPLICABLE or not possible:
        return words
    scored = _("%(e)s of %(p)s points", e=points_text(earned), p=points_text(possible))
    return f"{words} · {scored}"
