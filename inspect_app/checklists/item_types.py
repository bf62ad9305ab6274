"""Checklist item types: one small class each, registered by key.

An item type knows the settings it accepts in a checklist file, how to read and
validate an answer, how to score it and which WTForms field asks for it. A new
type is one class here and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from inspect_app.checklists.definition import Item, to_json_number

NOT_APPLICABLE = "na"
QUANT = Decimal("0.001")
OPTION_VALUE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
#: Longest free-text answer or comment, in characters.
MAX_TEXT_LENGTH = 2000


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


def _number(raw: Any) -> Decimal | None:
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
    key: ClassVar[str]
    label: ClassVar[Any]
    scored: ClassVar[bool] = True
    default_na: ClassVar[bool] = False
    #: Whether the item's `points` must be given in the file.
    points_required: ClassVar[bool] = True
    #: Type-specific keys this type accepts in a checklist file.
    extra_keys: ClassVar[frozenset[str]] = frozenset()

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


_REGISTRY: dict[str, ItemType] = {}


def register(cls: type[ItemType]) -> type[ItemType]:
    """Add an item type to the registry under its key."""
    _REGISTRY[cls.key] = cls()
    return cls


def get_item_type(key: str) -> ItemType:
    return _REGISTRY[key]


def item_type_keys() -> list[str]:
    return sorted(_REGISTRY)


@register
class PassFail(ItemType):
    key = "pass_fail"
    label = _l("Pass / fail")
    default_na = True

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
        value = _number(raw)
        low, high = self.bounds(item)
        if value is None or value != value.to_integral_value() or not low <= value <= high:
            raise AnswerError(
                _("Enter a whole number from %(low)s to %(high)s.", low=low, high=high)
            )
        return int(value)

    def form_field(self, item: Item, lang: str) -> Field:
        low, high = self.bounds(item)
        choices = [SelectChoice(str(n)) for n in range(low, high + 1)] + self._na_choice(item)
        return RadioField(item.label(lang), choices=choices, validators=[Optional()])


@register
class Scale(_IntegerRange):
    key = "scale"
    label = _l("Scale 0..N")
    extra_keys = frozenset({"max"})

    def parse_config(self, raw: Mapping[str, Any], points: Decimal | None, report: Report) -> dict:
        top = raw.get("max")
        if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= 10:
            report(_("A scale needs `max`, a whole number from 1 to 10."), "max")
            return {"max": 1}
        return {"max": top}

    def bounds(self, item: Item) -> tuple[int, int]:
        return 0, int(item.config["max"])

    def earned(self, item: Item, value: Any) -> Decimal:
        return item.points * Decimal(value) / Decimal(item.config["max"])


@register
class Stars(_IntegerRange):
    key = "stars"
    label = _l("1 to 5 stars")

    def bounds(self, item: Item) -> tuple[int, int]:
        return 1, 5

    def earned(self, item: Item, value: Any) -> Decimal:
        # One star earns nothing and five earn everything, like a 0..4 scale.
        return item.points * Decimal(value - 1) / Decimal(4)


@register
class Choice(ItemType):
    key = "choice"
    label = _l("Choice with points per option")
    points_required = False
    extra_keys = frozenset({"options"})

    def parse_config(self, raw: Mapping[str, Any], points: Decimal | None, report: Report) -> dict:
        options = raw.get("options")
        if not isinstance(options, list) or len(options) < 2:
            report(_("A choice needs `options`: a list of at least two."), "options")
            return {"options": []}
        parsed: list[dict[str, Any]] = []
        seen: set[str] = set()
        for position, option in enumerate(options, start=1):
            where = _("option %(n)s", n=position)
            if not isinstance(option, Mapping):
                report(
                    _("%(where)s must be a mapping with value, text and points.", where=where),
                    "options",
                )
                continue
            unknown = set(option) - {"value", "text", "text_en", "points"}
            if unknown:
                report(
                    _(
                        "%(where)s has unknown keys: %(keys)s",
                        where=where,
                        keys=", ".join(sorted(map(str, unknown))),
                    ),
                    "options",
                )
            value = option.get("value")
            if (
                not isinstance(value, str)
                or not OPTION_VALUE.match(value)
                or value == NOT_APPLICABLE
            ):
                report(
                    _(
                        '%(where)s needs a `value` of lowercase letters, digits and underscores (not "na").',
                        where=where,
                    ),
                    "options",
                )
                continue
            if value in seen:
                report(
                    _('%(where)s repeats the value "%(value)s".', where=where, value=value),
                    "options",
                )
                continue
            seen.add(value)
            text = option.get("text")
            if not isinstance(text, str) or not text.strip():
                report(_("%(where)s needs a `text`.", where=where), "options")
            option_points = _number(option.get("points"))
            if option_points is None or option_points < 0:
                report(
                    _("%(where)s needs `points`, a number of at least 0.", where=where), "options"
                )
                option_points = Decimal(0)
            parsed.append(
                {
                    "value": value,
                    "text": text if isinstance(text, str) else "",
                    "text_en": option.get("text_en"),
                    "points": to_json_number(option_points),
                }
            )
        best = max((Decimal(str(o["points"])) for o in parsed), default=Decimal(0))
        if parsed and best <= 0:
            report(_("At least one option must earn points."), "options")
        if points is not None and parsed and points != best:
            report(
                _(
                    "`points` must equal the best option's points (%(best)s), or be left out.",
                    best=to_json_number(best),
                ),
                "points",
            )
        return {"options": parsed}

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

    def parse_config(self, raw: Mapping[str, Any], points: Decimal | None, report: Report) -> dict:
        low = _number(raw.get("min", 0))
        high = _number(raw.get("max"))
        if low is None:
            report(_("`min` must be a number."), "min")
            low = Decimal(0)
        if high is None or high <= low:
            report(_("A number needs `max`, larger than `min`."), "max")
            high = low + 1
        bands_raw = raw.get("bands")
        bands: list[dict[str, Any]] = []
        if not isinstance(bands_raw, list) or not bands_raw:
            report(_("A number needs `bands`: a list of {upto, points}."), "bands")
        else:
            previous: Decimal | None = None
            for position, band in enumerate(bands_raw, start=1):
                upto = _number(band.get("upto")) if isinstance(band, Mapping) else None
                band_points = _number(band.get("points")) if isinstance(band, Mapping) else None
                if upto is None or band_points is None:
                    report(
                        _("Band %(n)s needs `upto` and `points`, both numbers.", n=position),
                        "bands",
                    )
                    continue
                if previous is not None and upto <= previous:
                    report(
                        _("Band %(n)s: `upto` must be larger than the band before it.", n=position),
                        "bands",
                    )
                if band_points < 0 or (points is not None and band_points > points):
                    report(
                        _(
                            "Band %(n)s: points must be between 0 and the item's points.",
                            n=position,
                        ),
                        "bands",
                    )
                previous = upto
                bands.append({"upto": to_json_number(upto), "points": to_json_number(band_points)})
            if (
                points is not None
                and bands
                and all(Decimal(str(b["points"])) != points for b in bands)
            ):
                report(
                    _("No band gives the item's full points, so the item could never pass."),
                    "bands",
                )
        config: dict[str, Any] = {
            "min": to_json_number(low),
            "max": to_json_number(high),
            "bands": bands,
        }
        for key in ("unit", "unit_en"):
            if raw.get(key) is not None:
                if not isinstance(raw[key], str):
                    report(_("`%(key)s` must be text.", key=key), key)
                else:
                    config[key] = raw[key]
        return config

    def parse_answer(self, item: Item, raw: Any) -> Any:
        if raw is None or raw == "":
            return None
        if self._check_na(item, raw):
            return NOT_APPLICABLE
        value = _number(raw)
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

    def form_field(self, item: Item, lang: str) -> Field:
        return TextAreaField(item.label(lang), validators=[Optional(), Length(max=MAX_TEXT_LENGTH)])
