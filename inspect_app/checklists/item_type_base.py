"""What every checklist item type shares: the answer and score shapes and the base class.

The registered types themselves are in `item_types.py`; the validation of their longer settings
(a choice's options, a number's bands) in `item_type_config.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.fields.choices import SelectChoice

if TYPE_CHECKING:
    from inspect_app.checklists.definition import Item

NOT_APPLICABLE = "na"
QUANT = Decimal("0.001")
OPTION_VALUE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
#: Longest free-text answer or comment, in characters.
MAX_TEXT_LENGTH = 2000


def to_json_number(value: Decimal) -> int | float:
    """Return an int for whole numbers so the canonical JSON stays stable."""
    return int(value) if value == value.to_integral_value() else float(value)


def points_text(value: Decimal | float | int | None) -> str:
    """Points without trailing zeros: 30.000 -> 30, 12.500 -> 12.5, None -> 0."""
    if not value:
        return "0"
    return f"{Decimal(str(value)).normalize():f}"


def typed_text(raw: str | None) -> str | None:
    """Return free text exactly as typed, or None when it is empty or only whitespace.

    Free text (comments, text answers, notes, reasons) keeps a leading tab, carriage return or
    line feed and trailing spaces: the files promise to give back what was typed (issue 13).
    Only codes are trimmed, never here.
    """
    if raw is None or not raw.strip():
        return None
    return raw


#: report(message, key) records a problem with the item's setting `key`.
Report = Callable[[str, str | None], None]


class AnswerError(ValueError):
    """An answer the item cannot take; the message is shown to the inspector."""


@dataclass(frozen=True)
class ItemScore:
    earned: Decimal
    possible: Decimal
    answered: bool
    not_applicable: bool
    #: Earned less than the failure share of its points (not merely fewer than all of them).
    failed: bool

    @property
    def lost_points(self) -> bool:
        return self.earned < self.possible


UNANSWERED = ItemScore(Decimal(0), Decimal(0), False, False, False)
NOT_APPLICABLE_SCORE = ItemScore(Decimal(0), Decimal(0), True, True, False)


def to_number(raw: Any) -> Decimal | None:
    """A finite Decimal from a number or numeric text; None for anything else (and booleans)."""
    if isinstance(raw, bool) or raw is None:
        return None
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(QUANT, rounding=ROUND_HALF_UP)


class ItemType:
    """One kind of checklist item; subclasses register in `item_types.py`."""

    key: ClassVar[str]
    label: ClassVar[Any]
    scored: ClassVar[bool] = True
    default_na: ClassVar[bool] = False
    #: Whether the item's `points` must be given in the file.
    points_required: ClassVar[bool] = True
    #: Type-specific keys this type accepts in a checklist file.
    extra_keys: ClassVar[frozenset[str]] = frozenset()
    #: The macro in checklists/_widgets.html that draws the answer's input on the visit form.
    widget: ClassVar[str]
    #: The demo's history writes a remark on a failed answer of this type ("found below
    #: standard, photographed").
    demo_failure_comment: ClassVar[bool] = False
    #: The demo keeps at most this many example answers per outcome ("partial", "fail").
    example_limits: ClassVar[Mapping[str, int]] = {}

    def parse_config(self, raw: Mapping[str, Any], points: Decimal | None, report: Report) -> dict:
        """Validate the type-specific keys and return them as plain JSON."""
        return {}

    def max_points(self, item: Item) -> Decimal:
        return item.points if self.scored else Decimal(0)

    def parse_answer(self, item: Item, raw: Any) -> Any:
        """Return the canonical answer for `raw`, None if empty; AnswerError if invalid."""
        raise NotImplementedError

    def accepts_condition_value(self, item: Item, value: Any) -> bool:
        """Whether another item's show_if may compare this item's answer with `value`."""
        try:
            return self.parse_answer(item, value) is not None
        except AnswerError:
            return False

    def earned(self, item: Item, value: Any) -> Decimal:
        raise NotImplementedError

    def score(self, item: Item, value: Any, *, fail_below: Decimal) -> ItemScore:
        """Score a canonical answer; not-applicable and unanswered items score nothing.

        The item fails when it earns less than `fail_below` (a share, 0 < x <= 1) of its
        points, so partial credit above that share loses points without failing. The share is
        the checklist's (`ChecklistDefinition.fail_below(item)`); see docs/ratings.md.
        """
        if value is None:
            return UNANSWERED
        if value == NOT_APPLICABLE and item.allow_na:
            return NOT_APPLICABLE_SCORE
        if not self.scored:
            return ItemScore(Decimal(0), Decimal(0), True, False, False)
        earned = _quantize(self.earned(item, value))
        possible = self.max_points(item)
        return ItemScore(earned, possible, True, False, earned < possible * fail_below)

    def best_answer(self, item: Item) -> Any:
        """The canonical answer that earns the item's full points (None when unscored).

        An upheld appeal changes the finding to it.
        """
        return None

    def example_answers(self, item: Item) -> list[Any]:
        """Every ordinary canonical answer the item can take, for the demo's history."""
        return []

    def example_answer(self, item: Item) -> Any:
        """One valid canonical answer with full points (for tests and sample visits)."""
        return self.best_answer(item)

    def band_limits(self, item: Item) -> list[Any]:
        """The answers past which the score steps (a number's band limits), for the phone's
        score table; [] when every answer the form offers is a listed choice."""
        return []

    def answer_in_words(self, item: Item, value: Any, english: bool) -> str:
        """A stored, answered (not not-applicable) value as a person reads it."""
        return str(value)

    def form_field(self, item: Item, lang: str) -> Field:
        """Return an unbound WTForms field that asks for this item's answer."""
        raise NotImplementedError

    def _na_choice(self, item: Item) -> list[SelectChoice]:
        return [SelectChoice(NOT_APPLICABLE, _l("Not applicable"))] if item.allow_na else []

    def _check_na(self, item: Item, raw: Any) -> bool:
        if raw == NOT_APPLICABLE:
            if not item.allow_na:
                raise AnswerError(_("This item cannot be marked not applicable."))
            return True
        return False
