"""Checklist item types: one small class each, registered by key.

An item type knows the settings it accepts in a checklist file, how to read and
validate an answer, how to score it, which WTForms field asks for it and which widget
draws it, its best answer and example answers, and how an answer reads in words. A new
type is one class here (and, if it draws differently, one macro in checklists/_widgets.html);
nothing else in the code names a type.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from inspect_app.checklists.item_type_base import (
    MAX_TEXT_LENGTH,
    NOT_APPLICABLE,
    NOT_APPLICABLE_SCORE,
    OPTION_VALUE,
    QUANT,
    UNANSWERED,
    AnswerError,
    ItemScore,
    ItemType,
    Report,
    points_text,
    to_json_number,
    to_number,
    typed_text,
)
from inspect_app.checklists.item_type_config import choice_config, number_config

if TYPE_CHECKING:
    from inspect_app.checklists.definition import Item

__all__ = [
    "MAX_TEXT_LENGTH",
    "NOT_APPLICABLE",
    "NOT_APPLICABLE_SCORE",
    "OPTION_VALUE",
    "QUANT",
    "UNANSWERED",
    "AnswerError",
    "ItemScore",
    "ItemType",
    "Report",
    "get_item_type",
    "item_type_keys",
    "register",
    "to_json_number",
    "typed_text",
]

_REGISTRY: dict[str, ItemType] = {}


def register(cls: type[ItemType]) -> type[ItemType]:
    """Add an item type to the registry under its key."""
    _REGISTRY[cls.key] = cls()
    return cls


def get_item_type(key: str) -> ItemType:
    """The registered item type called `key`; KeyError for an unknown key."""
    return _REGISTRY[key]


def item_type_keys() -> list[str]:
    return sorted(_REGISTRY)


@register
class PassFail(ItemType):
    key = "pass_fail"
    label = _l("Pass / fail")
    default_na = True
    widget = "segmented"
    demo_failure_comment = True

    def parse_answer(self, item: Item, raw: Any) -> Any:
        if raw is None or raw == "":
            return None
        if self._check_na(item, raw):
            return NOT_APPLICABLE
        if isinstance(raw, str) and raw in ("pass", "fail"):
            return raw
        raise AnswerError(_("Choose pass or fail."))

    def earned(self, item: Item, value: Any) -> Decimal:
        return item.points if value == "pass" else Decimal(0)

    def best_answer(self, item: Item) -> Any:
        return "pass"

    def example_answers(self, item: Item) -> list[Any]:
        return ["pass", "fail"]

    def answer_in_words(self, item: Item, value: Any, english: bool) -> str:
        return _("Pass") if value == "pass" else _("Fail")

    def form_field(self, item: Item, lang: str) -> Field:
        choices = [
            SelectChoice("pass", _l("Pass")),
            SelectChoice("fail", _l("Fail")),
            *self._na_choice(item),
        ]
        return RadioField(item.label(lang), choices=choices, validators=[Optional()])


class _IntegerRange(ItemType):
    """Shared reading of an integer answer between `lowest` and `highest`."""

    def bounds(self, item: Item) -> tuple[int, int]:
        raise NotImplementedError

    def parse_answer(self, item: Item, raw: Any) -> Any:
        if raw is None or raw == "":
            return None
        if self._check_na(item, raw):
            return NOT_APPLICABLE
        value = to_number(raw)
        low, high = self.bounds(item)
        if value is None or value != value.to_integral_value() or not low <= value <= high:
            raise AnswerError(
                _("Enter a whole number from %(low)s to %(high)s.", low=low, high=high)
            )
        return int(value)

    def best_answer(self, item: Item) -> Any:
        return self.bounds(item)[1]

    def example_answers(self, item: Item) -> list[Any]:
        low, high = self.bounds(item)
        return list(range(low, high + 1))

    def form_field(self, item: Item, lang: str) -> Field:
        low, high = self.bounds(item)
        choices = [SelectChoice(str(n)) for n in range(low, high + 1)] + self._na_choice(item)
        return RadioField(item.label(lang), choices=choices, validators=[Optional()])


@register
class Scale(_IntegerRange):
    key = "scale"
    label = _l("Scale 0..N")
    extra_keys = frozenset({"max"})
    widget = "segmented"
    demo_failure_comment = True

    def parse_config(self, raw: Mapping[str, Any], points: Decimal | None, report: Report) -> dict:
        top = raw.get("max")
        if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= 10:
            report(_("A scale needs `max`, a whole number from 1 to 10."), "max")
            return {"max": 1}
        return {"max": top}

    def bounds(self, item: Item) -> tuple[int, int]:
        return 0, int(item.config["max"])

    def best_answer(self, item: Item) -> Any:
        # The stored maximum itself, as the file gives it.
        return item.config["max"]

    def earned(self, item: Item, value: Any) -> Decimal:
        return item.points * Decimal(value) / Decimal(item.config["max"])

    def answer_in_words(self, item: Item, value: Any, english: bool) -> str:
        return f"{value} / {item.config.get('max')}"


@register
class Stars(_IntegerRange):
    key = "stars"
    label = _l("1 to 5 stars")
    widget = "stars"

    def bounds(self, item: Item) -> tuple[int, int]:
        return 1, 5

    def earned(self, item: Item, value: Any) -> Decimal:
        # One star earns nothing and five earn everything, like a 0..4 scale.
        return item.points * Decimal(value - 1) / Decimal(4)

    def answer_in_words(self, item: Item, value: Any, english: bool) -> str:
        # The star sign reads the same in every language: 4★.
        return f"{value}★"


@register
class Choice(ItemType):
    key = "choice"
    label = _l("Choice with points per option")
    points_required = False
    extra_keys = frozenset({"options"})
    widget = "options"

    def parse_config(self, raw: Mapping[str, Any], points: Decimal | None, report: Report) -> dict:
        return choice_config(raw, points, report)

    def max_points(self, item: Item) -> Decimal:
        return max((Decimal(str(o["points"])) for o in item.config["options"]), default=Decimal(0))

    def parse_answer(self, item: Item, raw: Any) -> Any:
        if raw is None or raw == "":
            return None
        if self._check_na(item, raw):
            return NOT_APPLICABLE
        if isinstance(raw, str) and raw in {o["value"] for o in item.config["options"]}:
            return raw
        raise AnswerError(_("Choose one of the listed options."))

    def earned(self, item: Item, value: Any) -> Decimal:
        return next(
            Decimal(str(o["points"])) for o in item.config["options"] if o["value"] == value
        )

    def best_answer(self, item: Item) -> Any:
        return max(item.config["options"], key=lambda o: o["points"])["value"]

    def example_answers(self, item: Item) -> list[Any]:
        return [option["value"] for option in item.config["options"]]

    def answer_in_words(self, item: Item, value: Any, english: bool) -> str:
        for option in item.config.get("options", []):
            if option["value"] == value:
                return (option.get("text_en") or option["text"]) if english else option["text"]
        return str(value)

    def form_field(self, item: Item, lang: str) -> Field:
        en = lang.startswith("en")
        choices = [
            SelectChoice(o["value"], (o.get("text_en") or o["text"]) if en else o["text"])
            for o in item.config["options"]
        ] + self._na_choice(item)
        return RadioField(item.label(lang), choices=choices, validators=[Optional()])


@register
class Number(ItemType):
    key = "number"
    label = _l("Number scored by bands")
    extra_keys = frozenset({"unit", "unit_en", "min", "max", "bands"})
    widget = "number"
    # Realistic times in the demo: near the limits, not 240 minutes.
    example_limits = {"partial": 6, "fail": 10}

    def parse_config(self, raw: Mapping[str, Any], points: Decimal | None, report: Report) -> dict:
        return number_config(raw, points, report)

    def parse_answer(self, item: Item, raw: Any) -> Any:
        if raw is None or raw == "":
            return None
        if self._check_na(item, raw):
            return NOT_APPLICABLE
        value = to_number(raw)
        low, high = Decimal(str(item.config["min"])), Decimal(str(item.config["max"]))
        if value is None or not low <= value <= high:
            raise AnswerError(
                _(
                    "Enter a number from %(low)s to %(high)s.",
                    low=item.config["min"],
                    high=item.config["max"],
                )
            )
        exponent = value.normalize().as_tuple().exponent
        if isinstance(exponent, int) and exponent < -2:
            raise AnswerError(_("Use at most two decimal places."))
        return to_json_number(value)

    def earned(self, item: Item, value: Any) -> Decimal:
        number = Decimal(str(value))
        for band in item.config["bands"]:
            if number <= Decimal(str(band["upto"])):
                return Decimal(str(band["points"]))
        return Decimal(0)

    def best_answer(self, item: Item) -> Any:
        best = max(item.config["bands"], key=lambda b: b["points"])
        return max(item.config["min"], min(best["upto"], item.config["max"]))

    def example_answers(self, item: Item) -> list[Any]:
        low = max(int(item.config.get("min", 0)), 1)
        return list(range(low, int(item.config["max"]) + 1))

    def example_answer(self, item: Item) -> Any:
        """The smallest whole example answer with full points (1 minute rather than 5)."""
        full = self.max_points(item)
        return next(
            (v for v in self.example_answers(item) if self.earned(item, v) == full),
            self.best_answer(item),
        )

    def band_limits(self, item: Item) -> list[Any]:
        return [band["upto"] for band in item.config.get("bands", [])]

    def answer_in_words(self, item: Item, value: Any, english: bool) -> str:
        number = points_text(value) if isinstance(value, int | float) else str(value)
        unit = (item.config.get("unit_en") if english else None) or item.config.get("unit")
        return f"{number} {unit}" if unit else number

    def form_field(self, item: Item, lang: str) -> Field:
        render_kw = {
            "inputmode": "decimal",
            "min": item.config["min"],
            "max": item.config["max"],
        }
        return StringField(
            item.label(lang), validators=[Optional(), Length(max=20)], render_kw=render_kw
        )


@register
class Text(ItemType):
    key = "text"
    label = _l("Free text (not scored)")
    scored = False
    points_required = False
    widget = "text"

    def parse_answer(self, item: Item, raw: Any) -> Any:
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise AnswerError(_("Enter text."))
        text = typed_text(raw)
        if text is not None and len(text) > MAX_TEXT_LENGTH:
            raise AnswerError(_("Keep it under %(n)s characters.", n=MAX_TEXT_LENGTH))
        return text

    def accepts_condition_value(self, item: Item, value: Any) -> bool:
        return False

    def example_answer(self, item: Item) -> Any:
        return "整体良好"

    def form_field(self, item: Item, lang: str) -> Field:
        return TextAreaField(item.label(lang), validators=[Optional(), Length(max=MAX_TEXT_LENGTH)])
