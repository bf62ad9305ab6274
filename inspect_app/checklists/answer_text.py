"""A stored answer in the words the checklist gives it, and its points as a person writes them.

Pure: an item, the stored value and its points in, text out (合格, 4★, 3 / 4, the option's
label, 17 分钟; 得 2 分（满分 2）). Every page that shows an answer reads it from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

from flask_babel import gettext as _

from inspect_app.checklists.definition import ChecklistDefinition, Item
from inspect_app.checklists.item_type_base import NOT_APPLICABLE, points_text

__all__ = ["answer_in_words", "answer_with_points", "answer_words", "points_text"]


def answer_in_words(item: Item | None, value: Any, lang: str) -> str:
    """The stored answer as a person reads it: 合格, 4★, 3 / 4, the option's text, 17 分钟."""
    if value is None:
        return _("Not answered")
    if value == NOT_APPLICABLE:
        return _("Not applicable")
    if item is None:
        return str(value)
    return item.item_type.answer_in_words(item, value, lang.startswith("en"))


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


class StoredAnswer(Protocol):
    """What the words need of a stored answer (an inspections Answer)."""

    id: int
    item_id: str
    value: Any
    points_earned: Decimal | None
    points_possible: Decimal | None


def answer_words(
    definition: ChecklistDefinition, answers: Iterable[StoredAnswer], lang: str
) -> dict[int, str]:
    """Each answer by id in the checklist's words with its points: 合格 · 得 2 分（满分 2）."""
    words = {}
    for answer in answers:
        try:
            item = definition.item(answer.item_id)
        except KeyError:  # an item of an older version, kept with the visit
            item = None
        words[answer.id] = answer_with_points(
            item, answer.value, answer.points_earned, answer.points_possible, lang
        )
    return words
