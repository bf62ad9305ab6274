"""Small inline SVG charts drawn on the server, so a phone dashboard needs no chart library.

Pure: plain values in, one SVG string out. Every piece of text is escaped here and every number
is formatted here, so the caller may mark the result as Markup. Percentages are clamped to 0..100
and rounded half-up to 0.1, like the scores elsewhere in the app; NaN counts as "no data".
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html import escape

# The palette of static/css/app.css.
GREEN = "#067647"
AMBER = "#b54708"
RED = "#b42318"
LINE_COLOUR = "#0b5cad"
TEXT_COLOUR = "#1d2430"
MUTED_COLOUR = "#5d6778"
GRID_COLOUR = "#dde2ea"
TRACK_COLOUR = "#eef1f5"

GOOD_PERCENT = Decimal(85)
FAIR_PERCENT = Decimal(60)

AXIS_FONT = 10
BAR_FONT = 12
#: Bar labels get the width of this many CJK characters before they are cut with an ellipsis.
LABEL_CJK_CHARS = 6
ELLIPSIS = "…"
POINT_RADIUS = 3

_TENTH = Decimal("0.1")
_HUNDRED = Decimal(100)
# Characters XML 1.0 forbids even escaped (controls, lone surrogates, U+FFFE, U+FFFF).
_NOT_XML = re.compile("[^\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_BREAKS = str.maketrans("\t\n\r", "   ")


@dataclass(frozen=True)
class ChartPoint:
    """One period of a trend: its label, mean score and star rating (None when not inspected)."""

    label: str
    percent: float | Decimal | None
    stars: int | None = None


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: a label and a percentage (None when there is nothing to score)."""

    label: str
    percent: float | Decimal | None


def trend_chart(
    points: Sequence[ChartPoint],
    *,
    title: str,
    thresholds: Sequence[float | Decimal] = (),
    width: int = 360,
    height: int = 180,
    no_data_label: str = "—",
) -> str:
    """Draw the mean score per period as a 0-100 line chart that breaks where a period has no data."""
    if width < 120 or height < 80:
        raise ValueError(f"a trend chart needs at least 120x80, got {width}x{height}")
    left, right, top, bottom = 28, 10, 8, 22
    x0, x1, y0, y1 = left, width - right, top, height - bottom

    def y_of(value: Decimal) -> float:
        return y1 - float(value) / 100 * (y1 - y0)

    slot, xs = _x_positions(len(points), x0, x1)
    values = [clamp_percent(point.percent) for point in points]

    parts = [_svg_open(width, height, title)]
    parts.append(
        f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" fill="none" '
        f'stroke="{GRID_COLOUR}"/>'
    )
    parts.extend(_gridlines(thresholds, x0, x1, y_of))
    parts.append(_x_labels([point.label for point in points], xs, slot, width, height))
    parts.extend(_trend_series(points, xs, values, y_of))
    if all(value is None for value in values):
        label = _truncate(no_data_label, x1 - x0 - 8, BAR_FONT)
        parts.append(
            f'<text x="{_num((x0 + x1) / 2)}" y="{_num((y0 + y1) / 2 + BAR_FONT * 0.35)}" '
            f'text-anchor="middle" font-size="{BAR_FONT}" fill="{MUTED_COLOUR}">'
            f"{_text(label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _x_positions(count: int, x0: int, x1: int) -> tuple[float, list[float]]:
    """(slot width, x of each of `count` periods) spread between x0 and x1, in SVG units."""
    inset = POINT_RADIUS + 5
    if count > 1:
        slot = (x1 - x0 - 2 * inset) / (count - 1)
        return slot, [x0 + inset + i * slot for i in range(count)]
    return float(x1 - x0), [(x0 + x1) / 2] * count


def _trend_series(
    points: Sequence[ChartPoint],
    xs: Sequence[float],
    values: list[Decimal | None],
    y_of: Callable[[Decimal], float],
) -> list[str]:
    """The line (broken where a value is None) and a dot per value, as SVG groups."""
    parts = []
    segments = [
        " ".join(f"{_num(xs[i])},{_num(y_of(value))}" for i, value in run) for run in _runs(values)
    ]
    if segments:
        polylines = "".join(f'<polyline points="{coordinates}"/>' for coordinates in segments)
        parts.append(
            f'<g fill="none" stroke="{LINE_COLOUR}" stroke-width="2" stroke-linejoin="round" '
            f'stroke-linecap="round">{polylines}</g>'
        )
    circles = [
        f'<circle cx="{_num(x)}" cy="{_num(y_of(value))}" r="{POINT_RADIUS}">'
        f"<title>{_text(point.label)}: {value}%</title></circle>"
        for point, x, value in zip(points, xs, values, strict=True)
        if value is not None
    ]
    if circles:
        parts.append(f'<g fill="{LINE_COLOUR}" stroke="#fff">{"".join(circles)}</g>')
    return parts


def section_bars(
    bars: Sequence[Bar],
    *,
    title: str,
    width: int = 360,
    bar_height: int = 22,
    no_data_label: str = "—",
) -> str:
    """Draw one 0-100% horizontal bar per row, coloured green, amber or red by its value."""
    if width < 200 or bar_height < 12:
        raise ValueError(
            f"section bars need width >= 200 and bar_height >= 12, got {width}, {bar_height}"
        )
    pad = 4
    label_width = LABEL_CJK_CHARS * BAR_FONT
    value_width = max(estimate_text_width("100.0%", BAR_FONT), 4 * BAR_FONT)
    track_x = pad + label_width + 8
    track_width = width - pad - value_width - 8 - track_x
    thickness = round(bar_height * 0.55)
    height = max(len(bars), 1) * bar_height + 2 * pad

    parts = [_svg_open(width, height, title), f'<g font-size="{BAR_FONT}" fill="{TEXT_COLOUR}">']
    if not bars:
        label = _truncate(no_data_label, width - 2 * pad, BAR_FONT)
        parts.append(
            f'<text x="{_num(width / 2)}" y="{_num(height / 2 + BAR_FONT * 0.35)}" '
            f'text-anchor="middle" fill="{MUTED_COLOUR}">{_text(label)}</text>'
        )
    for row, bar in enumerate(bars):
        middle = pad + row * bar_height + bar_height / 2
        baseline = _num(middle + BAR_FONT * 0.35)
        value = clamp_percent(bar.percent)
        shown = f"{value}%" if value is not None else no_data_label
        parts.append(f"<g><title>{_text(bar.label)}: {_text(shown)}</title>")
        parts.append(
            f'<text x="{pad}" y="{baseline}">{_text(_truncate(bar.label, label_width, BAR_FONT))}</text>'
        )
        bar_y = _num(middle - thickness / 2)
        parts.append(
            f'<rect x="{track_x}" y="{bar_y}" width="{_num(track_width)}" height="{thickness}" '
            f'rx="2" fill="{TRACK_COLOUR}"/>'
        )
        if value is None:
            value_text = _truncate(no_data_label, value_width, BAR_FONT)
            parts.append(
                f'<text x="{width - pad}" y="{baseline}" text-anchor="end" fill="{MUTED_COLOUR}">'
                f"{_text(value_text)}</text></g>"
            )
            continue
        parts.append(
            f'<rect x="{track_x}" y="{bar_y}" width="{_num(track_width * float(value) / 100)}" '
            f'height="{thickness}" rx="2" fill="{bar_colour(value)}"/>'
        )
        parts.append(f'<text x="{width - pad}" y="{baseline}" text-anchor="end">{shown}</text></g>')
    parts.append("</g></svg>")
    return "".join(parts)


def clamp_percent(value: float | Decimal | None) -> Decimal | None:
    """Round a percentage half-up to 0.1 within 0..100; None and NaN give None."""
    if value is None:
        return None
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if number.is_nan():
        return None
    # Compared rather than min/max'ed so that -0.0 never prints as "-0.0%".
    if number <= 0:
        return Decimal("0.0")
    if number >= _HUNDRED:
        return Decimal("100.0")
    return number.quantize(_TENTH, rounding=ROUND_HALF_UP)


def bar_colour(value: Decimal) -> str:
    """Pick the bar colour for a rounded percentage: green from 85, amber from 60, else red."""
    if value >= GOOD_PERCENT:
        return GREEN
    return AMBER if value >= FAIR_PERCENT else RED


def estimate_text_width(text: str, font_size: float) -> float:
    """Estimate the rendered width of text in user units, erring wide."""
    return sum(_char_width(char) for char in text) * font_size


def _svg_open(width: int, height: int, title: str) -> str:
    """Open a responsive SVG root with its accessible name and title."""
    name = _text(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {int(width)} {int(height)}" '
        f'role="img" aria-label="{name}" width="100%" font-family="sans-serif">'
        f"<title>{name}</title>"
    )


def _gridlines(
    thresholds: Sequence[float | Decimal], x0: int, x1: int, y_of: Callable[[Decimal], float]
) -> list[str]:
    """Draw dashed gridlines at the star thresholds, labelled lightly along with 0 and 100."""
    levels = sorted({level for t in thresholds if (level := clamp_percent(t)) is not None})
    lines = [
        f'<line x1="{x0}" y1="{_num(y_of(level))}" x2="{x1}" y2="{_num(y_of(level))}"/>'
        for level in levels
        if 0 < level < _HUNDRED
    ]
    # Thresholds first, then 0 and 100; a label that would overlap one already kept is left out.
    labelled: list[Decimal] = []
    for level in [*levels, Decimal(0), _HUNDRED]:
        if all(abs(y_of(level) - y_of(kept)) >= AXIS_FONT for kept in labelled):
            labelled.append(level)
    labels = [
        f'<text x="{x0 - 4}" y="{_num(y_of(level) + AXIS_FONT * 0.35)}">{_num(float(level))}</text>'
        for level in sorted(labelled)
    ]
    out = []
    if lines:
        out.append(f'<g stroke="{GRID_COLOUR}" stroke-dasharray="3 3">{"".join(lines)}</g>')
    out.append(
        f'<g font-size="{AXIS_FONT}" fill="{MUTED_COLOUR}" text-anchor="end">{"".join(labels)}</g>'
    )
    return out


def _x_labels(labels: list[str], xs: list[float], slot: float, width: int, height: int) -> str:
    """Write period labels under the axis, thinned so that they never overlap; the latest always shows."""
    if not labels:
        return ""
    count = len(labels)
    widest = max(
        estimate_text_width(_truncate(label, 60, AXIS_FONT), AXIS_FONT) for label in labels
    )
    step = 1 if count <= 6 else math.ceil(count / 6)
    while count > 6 and step < count and step * slot < widest + 4:
        step += 1
    budget = max(step * slot - 4, AXIS_FONT)
    texts = []
    next_left = math.inf
    for index in range(count - 1, -1, -step):
        label = _truncate(labels[index], min(budget, 60), AXIS_FONT)
        half = estimate_text_width(label, AXIS_FONT) / 2
        x = min(max(xs[index], half + 1), width - half - 1)
        if x + half + 2 > next_left:
            continue  # pushed in from the chart's edge, it would touch its neighbour
        next_left = x - half
        texts.append(f'<text x="{_num(x)}" y="{height - 6}">{_text(label)}</text>')
    return (
        f'<g font-size="{AXIS_FONT}" fill="{MUTED_COLOUR}" text-anchor="middle">'
        f"{''.join(reversed(texts))}</g>"
    )


def _runs(values: list[Decimal | None]) -> list[list[tuple[int, Decimal]]]:
    """Split the points into runs of consecutive data, keeping those long enough for a line."""
    runs: list[list[tuple[int, Decimal]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append((index, value))
    return [run for run in runs if len(run) > 1]


def _char_width(char: str) -> float:
    """Estimate a character's width in em: wide and ambiguous (CJK, ellipsis) 1, others 0.6."""
    return 1.0 if unicodedata.east_asian_width(char) in "WFA" else 0.6


def _truncate(text: str, max_width: float, font_size: float) -> str:
    """Cut text to fit max_width, ending it with an ellipsis when anything was cut."""
    text = _plain(text)
    if estimate_text_width(text, font_size) <= max_width:
        return text
    budget = max_width - estimate_text_width(ELLIPSIS, font_size)
    kept, used = [], 0.0
    for char in text:
        used += _char_width(char) * font_size
        if used > budget:
            break
        kept.append(char)
    return "".join(kept).rstrip() + ELLIPSIS


def _plain(text: object) -> str:
    """Make text a single line of characters that XML can carry."""
    return _NOT_XML.sub("", str(text).translate(_BREAKS))


def _text(text: object) -> str:
    """Escape text for an SVG element or attribute."""
    return escape(_plain(text), quote=True)


def _num(value: float) -> str:
    """Format a coordinate with at most one decimal and no trailing '.0'."""
    text = f"{round(value, 1) + 0.0:.1f}"
    return text.removesuffix(".0")
