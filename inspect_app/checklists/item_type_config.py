"""Validation of the longer type-specific settings: a choice's options, a number's bands.

Each function takes the item's raw mapping from the checklist file, its `points` (None when
left out) and `report(message, key)`, and returns the settings as plain JSON; problems are
reported, never raised, so a file's every mistake is listed at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from inspect_app.checklists.item_type_base import (
    NOT_APPLICABLE,
    OPTION_VALUE,
    Report,
    to_json_number,
    to_number,
)

OPTION_KEYS = {"value", "text", "text_en", "points"}


def choice_config(raw: Mapping[str, Any], points: Decimal | None, report: Report) -> dict:
    """A choice's `options`: at least two, unique values, the best earning the item's points."""
    options = raw.get("options")
    if not isinstance(options, list) or len(options) < 2:
        report(_("A choice needs `options`: a list of at least two."), "options")
        return {"options": []}
    parsed: list[dict[str, Any]] = []
    seen: set[str] = set()
    for position, option in enumerate(options, start=1):
        entry = _choice_option(option, _("option %(n)s", n=position), seen, report)
        if entry is not None:
            parsed.append(entry)
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


def _choice_option(option: Any, where: str, seen: set[str], report: Report) -> dict | None:
    if not isinstance(option, Mapping):
        report(
            _("%(where)s must be a mapping with value, text and points.", where=where), "options"
        )
        return None
    unknown = set(option) - OPTION_KEYS
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
    if not isinstance(value, str) or not OPTION_VALUE.match(value) or value == NOT_APPLICABLE:
        report(
            _(
                '%(where)s needs a `value` of lowercase letters, digits and underscores (not "na").',
                where=where,
            ),
            "options",
        )
        return None
    if value in seen:
        report(_('%(where)s repeats the value "%(value)s".', where=where, value=value), "options")
        return None
    seen.add(value)
    text = option.get("text")
    if not isinstance(text, str) or not text.strip():
        report(_("%(where)s needs a `text`.", where=where), "options")
    option_points = to_number(option.get("points"))
    if option_points is None or option_points < 0:
        report(_("%(where)s needs `points`, a number of at least 0.", where=where), "options")
        option_points = Decimal(0)
    return {
        "value": value,
        "text": text if isinstance(text, str) else "",
        "text_en": option.get("text_en"),
        "points": to_json_number(option_points),
    }


def number_config(raw: Mapping[str, Any], points: Decimal | None, report: Report) -> dict:
    """A number's `min` < `max`, its `bands` of {upto, points} and its optional unit."""
    low = to_number(raw.get("min", 0))
    high = to_number(raw.get("max"))
    if low is None:
        report(_("`min` must be a number."), "min")
        low = Decimal(0)
    if high is None or high <= low:
        report(_("A number needs `max`, larger than `min`."), "max")
        high = low + 1
    config: dict[str, Any] = {
        "min": to_json_number(low),
        "max": to_json_number(high),
        "bands": _number_bands(raw.get("bands"), points, report),
    }
    for key in ("unit", "unit_en"):
        if raw.get(key) is not None:
            if not isinstance(raw[key], str):
                report(_("`%(key)s` must be text.", key=key), key)
            else:
                config[key] = raw[key]
    return config


def _number_bands(bands_raw: Any, points: Decimal | None, report: Report) -> list[dict]:
    bands: list[dict[str, Any]] = []
    if not isinstance(bands_raw, list) or not bands_raw:
        report(_("A number needs `bands`: a list of {upto, points}."), "bands")
        return bands
    previous: Decimal | None = None
    for position, band in enumerate(bands_raw, start=1):
        upto = to_number(band.get("upto")) if isinstance(band, Mapping) else None
        band_points = to_number(band.get("points")) if isinstance(band, Mapping) else None
        if upto is None or band_points is None:
            report(_("Band %(n)s needs `upto` and `points`, both numbers.", n=position), "bands")
            continue
        if previous is not None and upto <= previous:
            report(
                _("Band %(n)s: `upto` must be larger than the band before it.", n=position),
                "bands",
            )
        if band_points < 0 or (points is not None and band_points > points):
            report(
                _("Band %(n)s: points must be between 0 and the item's points.", n=position),
                "bands",
            )
        previous = upto
        bands.append({"upto": to_json_number(upto), "points": to_json_number(band_points)})
    if points is not None and bands and all(Decimal(str(b["points"])) != points for b in bands):
        report(_("No band gives the item's full points, so the item could never pass."), "bands")
    return bands
