"""Server-side SVG charts: well-formed, escaped, clamped, gaps, colours, truncation, properties."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspect_app.ratings.charts import (
    AMBER,
    GREEN,
    RED,
    Bar,
    ChartPoint,
    clamp_percent,
    estimate_text_width,
    section_bars,
    trend_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
STAR_THRESHOLDS = (60, 75, 85, 95)
MONTHS = [f"2026-{month:02d}" for month in range(1, 13)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def find_all(root: ET.Element, tag: str) -> list[ET.Element]:
    return list(root.iter(SVG + tag))


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in find_all(root, "text")]


def points_of(polyline: ET.Element) -> list[tuple[float, float]]:
    pairs = (pair.split(",") for pair in polyline.get("points", "").split())
    return [(float(x), float(y)) for x, y in pairs]


def trend(*percents: float | None, **options: object) -> str:
    points = [ChartPoint(MONTHS[i % 12], p, None) for i, p in enumerate(percents)]
    return trend_chart(points, title=str(options.pop("title", "Trend")), **options)  # type: ignore[arg-type]


def filled_bar(root: ET.Element) -> ET.Element:
    rects = find_all(root, "rect")
    assert len(rects) == 2, "a track and a filled bar"
    return rects[1]


# --- the SVG root -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "svg",
    [
        trend(94.2, 88.0, title="Store trend"),
        section_bars([Bar("Service", 87.5)], title="Store trend"),
    ],
    ids=["trend", "bars"],
)
def test_root_is_a_responsive_accessible_svg(svg: str) -> None:
    root = parse(svg)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 360 ')
    assert root.tag == SVG + "svg"
    assert root.get("width") == "100%"
    assert root.get("height") is None
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Store trend"
    assert root.get("font-family") == "sans-serif"
    assert root[0].tag == SVG + "title"
    assert root[0].text == "Store trend"


@pytest.mark.parametrize(
    "svg",
    [trend(*[50.0] * 12, thresholds=STAR_THRESHOLDS), section_bars([Bar("a", 1)], title="t")],
    ids=["trend", "bars"],
)
def test_chart_loads_nothing_external(svg: str) -> None:
    for needle in ("href", "url(", "@import", "<style", "<script", "<image", "<foreignObject"):
        assert needle not in svg


def test_twelve_point_trend_is_small() -> None:
    percents = [94.2, 88.1, None, 76.5, 81.0, 90.25, None, None, 67.0, 72.4, 85.05, 99.9]
    svg = trend(*percents, title="门店月度得分", thresholds=STAR_THRESHOLDS)
    assert len(svg.encode()) < 6 * 1024


# --- trend chart ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percents", "circles"),
    [
        ([], 0),
        ([None], 0),
        ([80.0], 1),
        ([80.0, None, 70.0], 2),
        ([10.0, 20.0, 30.0, 40.0, 50.0, 60.0], 6),
        ([None, 90.0, None, None, 95.0, 96.0, None], 3),
    ],
)
def test_trend_draws_one_circle_per_period_with_data(
    percents: list[float | None], circles: int
) -> None:
    assert len(find_all(parse(trend(*percents)), "circle")) == circles


@pytest.mark.parametrize(
    ("percents", "segment_lengths"),
    [
        ([80.0, 82.0, 84.0], [3]),
        ([80.0, 82.0, None, 84.0, 86.0], [2, 2]),
        ([80.0, None, 84.0], []),  # lone points: circles only, no line across the gap
        ([None, 80.0, 81.0, None, None, 84.0, None, 70.0, 71.0, 72.0], [2, 3]),
    ],
)
def test_missing_period_breaks_the_line(
    percents: list[float | None], segment_lengths: list[int]
) -> None:
    root = parse(trend(*percents))
    segments = find_all(root, "polyline")
    assert [len(points_of(segment)) for segment in segments] == segment_lengths
    circle_centres = {
        (float(c.get("cx", "")), float(c.get("cy", ""))) for c in find_all(root, "circle")
    }
    for segment in segments:
        assert set(points_of(segment)) <= circle_centres


def test_higher_score_is_drawn_higher() -> None:
    circles = find_all(parse(trend(40.0, 90.0)), "circle")
    assert float(circles[1].get("cy", "")) < float(circles[0].get("cy", ""))


@pytest.mark.parametrize(
    ("percent", "tooltip"),
    [
        (94.2, "2026-01: 94.2%"),
        (90.25, "2026-01: 90.3%"),  # half-up, like the scores elsewhere
        (Decimal("87.125"), "2026-01: 87.1%"),
        (80, "2026-01: 80.0%"),
    ],
)
def test_point_tooltip_shows_label_and_percent(percent: float | Decimal, tooltip: str) -> None:
    (circle,) = find_all(parse(trend(percent)), "circle")
    assert circle.find(SVG + "title").text == tooltip  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("percent", "shown"), [(150.0, "100.0%"), (-20.0, "0.0%"), (-0.0, "0.0%"), (1e308, "100.0%")]
)
def test_trend_clamps_scores_to_the_axis(percent: float, shown: str) -> None:
    root = parse(trend(percent, 100.0 if shown == "100.0%" else 0.0))
    clamped, edge = find_all(root, "circle")
    assert clamped.get("cy") == edge.get("cy")
    assert clamped.find(SVG + "title").text.endswith(shown)  # type: ignore[union-attr]


@pytest.mark.parametrize("points", [[], [None], [None, None, None]])
def test_trend_without_data_shows_frame_and_label_centred(points: list[float | None]) -> None:
    root = parse(trend(*points, no_data_label="暂无数据", thresholds=STAR_THRESHOLDS))
    assert not find_all(root, "circle")
    assert not find_all(root, "polyline")
    assert find_all(root, "rect"), "the frame"
    (label,) = [t for t in find_all(root, "text") if t.text == "暂无数据"]
    assert label.get("text-anchor") == "middle"
    assert abs(float(label.get("x", "")) - (28 + 350) / 2) < 1


def test_trend_draws_gridlines_at_star_thresholds() -> None:
    root = parse(trend(70.0, 80.0, thresholds=(95, 60, 85, 75, 0, 100, 85)))
    lines = find_all(root, "line")
    assert len(lines) == 4, "one per threshold inside the frame, duplicates merged"
    heights = sorted(float(line.get("y1", "")) for line in lines)
    assert len(set(heights)) == 4
    assert {"60", "75", "85", "95"} <= set(texts(root))


def test_trend_without_thresholds_labels_zero_and_hundred() -> None:
    root = parse(trend(70.0))
    assert not find_all(root, "line")
    assert {"0", "100"} <= set(texts(root))


@pytest.mark.parametrize("count", [1, 2, 5, 6])
def test_up_to_six_periods_show_every_label(count: int) -> None:
    labels = set(texts(parse(trend(*[80.0] * count))))
    assert set(MONTHS[:count]) <= labels


@pytest.mark.parametrize(("count", "width"), [(7, 360), (12, 360), (12, 200), (24, 360)])
def test_many_periods_thin_labels_keeping_the_latest(count: int, width: int) -> None:
    points = [ChartPoint(f"P{i:02d}-2026", 80.0, None) for i in range(count)]
    root = parse(trend_chart(points, title="t", width=width))
    shown = [t for t in find_all(root, "text") if (t.text or "").startswith("P")]
    assert 1 < len(shown) <= 6
    assert shown[-1].text == f"P{count - 1:02d}-2026"
    spans = sorted(
        (float(t.get("x", "")), estimate_text_width(t.text or "", 10) / 2) for t in shown
    )
    for (left_x, left_half), (right_x, right_half) in itertools.pairwise(spans):
        assert left_x + left_half <= right_x - right_half, "x labels overlap"


# --- section bars -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "colour", "shown"),
    [
        (100, GREEN, "100.0%"),
        (85, GREEN, "85.0%"),
        (84.96, GREEN, "85.0%"),  # coloured by the value it shows
        (84.9, AMBER, "84.9%"),
        (60, AMBER, "60.0%"),
        (59.9, RED, "59.9%"),
        (0, RED, "0.0%"),
        (Decimal("87.5"), GREEN, "87.5%"),
    ],
)
def test_bar_colour_follows_thresholds(percent: float | Decimal, colour: str, shown: str) -> None:
    root = parse(section_bars([Bar("服务规范", percent)], title="t"))
    assert filled_bar(root).get("fill") == colour
    assert texts(root)[-1] == shown


@pytest.mark.parametrize(("percent", "fraction"), [(150, 1.0), (-5, 0.0), (50, 0.5)])
def test_bar_length_is_clamped_to_the_track(percent: float, fraction: float) -> None:
    root = parse(section_bars([Bar("a", percent)], title="t"))
    track, bar = find_all(root, "rect")
    assert float(bar.get("width", "")) == pytest.approx(
        float(track.get("width", "")) * fraction, abs=0.1
    )


def test_bar_without_score_shows_no_data_label() -> None:
    root = parse(section_bars([Bar("投诉处理", None)], title="t", no_data_label="无"))
    assert len(find_all(root, "rect")) == 1, "the track only"
    assert texts(root) == ["投诉处理", "无"]


def test_no_bars_shows_no_data_label() -> None:
    root = parse(section_bars([], title="t", no_data_label="暂无数据"))
    assert texts(root) == ["暂无数据"]
    assert not find_all(root, "rect")


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("服务规范", "服务规范"),
        ("营业厅环境卫", "营业厅环境卫"),  # six CJK characters fit
        ("营业厅环境与卫生管理", "营业厅环境…"),
        ("Customer", "Customer"),
        ("Customer service etiquette", "Customer…"),
    ],
)
def test_long_bar_labels_are_truncated(label: str, shown: str) -> None:
    root = parse(section_bars([Bar(label, 90.0)], title="t"))
    assert texts(root)[0] == shown
    assert root.find(f"{SVG}g/{SVG}g/{SVG}title").text == f"{label}: 90.0%"  # type: ignore[union-attr]


def test_bars_stack_one_row_each() -> None:
    svg = section_bars([Bar(str(i), 50.0) for i in range(5)], title="t", bar_height=30)
    assert parse(svg).get("viewBox") == "0 0 360 158"


# --- escaping and hostile input ---------------------------------------------------------------


def test_trend_escapes_every_text() -> None:
    evil = '<script>alert("x")</script>&'
    svg = trend_chart(
        [ChartPoint(evil, 80.0, 4), ChartPoint("b", None, None)],
        title=evil,
        no_data_label=evil,
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)
    assert root.get("aria-label") == evil
    assert root.find(SVG + "title").text == evil  # type: ignore[union-attr]
    assert find_all(root, "circle")[0].find(SVG + "title").text == f"{evil}: 80.0%"  # type: ignore[union-attr]


def test_bars_escape_every_text() -> None:
    svg = section_bars(
        [Bar("<script>", 70.0), Bar("b", None)], title="<b>&</b>", no_data_label="<i>"
    )
    assert "<script>" not in svg
    assert "<i>" not in svg
    root = parse(svg)
    assert root.get("aria-label") == "<b>&</b>"
    assert texts(root) == ["<script>", "70.0%", "b", "<i>"]


def test_characters_xml_cannot_carry_are_dropped() -> None:
    root = parse(section_bars([Bar("a\x00b\x1f\nc\ufffe", 70.0)], title="t\x0b"))
    assert texts(root)[0] == "ab c"


@pytest.mark.parametrize("percent", [float("nan"), Decimal("NaN"), Decimal("sNaN")])
def test_nan_counts_as_no_data(percent: float | Decimal) -> None:
    assert clamp_percent(percent) is None
    assert not find_all(parse(trend(percent)), "circle")


@pytest.mark.parametrize(
    "draw",
    [
        lambda: trend_chart([], title="t", width=100),
        lambda: trend_chart([], title="t", height=40),
        lambda: section_bars([], title="t", width=150),
        lambda: section_bars([], title="t", bar_height=8),
    ],
)
def test_too_small_a_chart_is_refused(draw: object) -> None:
    with pytest.raises(ValueError):
        draw()  # type: ignore[operator]


# --- properties -------------------------------------------------------------------------------

percents = st.none() | st.floats() | st.decimals() | st.integers(-1000, 1000)
labels = st.text(max_size=30)


def assert_inside_viewbox(root: ET.Element) -> None:
    """Check every coordinate, and every text's estimated extent, against the viewBox."""
    _, _, width, height = (float(n) for n in root.get("viewBox", "").split())

    def inside(x: float, y: float) -> None:
        assert -0.05 <= x <= width + 0.05 and -0.05 <= y <= height + 0.05, (x, y)

    def visit(element: ET.Element, font_size: float, anchor: str) -> None:
        font_size = float(element.get("font-size", font_size))
        anchor = element.get("text-anchor", anchor)
        tag = element.tag.removeprefix(SVG)
        get = lambda name: float(element.get(name, ""))  # noqa: E731
        if tag == "circle":
            inside(get("cx") - get("r"), get("cy") - get("r"))
            inside(get("cx") + get("r"), get("cy") + get("r"))
        elif tag == "rect":
            inside(get("x"), get("y"))
            inside(get("x") + get("width"), get("y") + get("height"))
        elif tag == "line":
            inside(get("x1"), get("y1"))
            inside(get("x2"), get("y2"))
        elif tag == "polyline":
            for x, y in points_of(element):
                inside(x, y)
        elif tag == "text":
            extent = estimate_text_width(element.text or "", font_size)
            left = {"start": 0.0, "middle": extent / 2, "end": extent}[anchor]
            inside(get("x") - left, get("y") - 0.75 * font_size)
            inside(get("x") - left + extent, get("y") + 0.25 * font_size)
        for child in element:
            visit(child, font_size, anchor)

    visit(root, 16.0, "start")


@given(
    points=st.lists(st.builds(ChartPoint, labels, percents, st.none()), max_size=40),
    title=labels,
    thresholds=st.lists(st.floats() | st.integers(-50, 150), max_size=6),
    width=st.integers(120, 1200),
    height=st.integers(80, 600),
    no_data_label=labels,
)
def test_any_trend_is_well_formed_and_inside_its_viewbox(
    points: list[ChartPoint],
    title: str,
    thresholds: list[float],
    width: int,
    height: int,
    no_data_label: str,
) -> None:
    svg = trend_chart(
        points,
        title=title,
        thresholds=thresholds,
        width=width,
        height=height,
        no_data_label=no_data_label,
    )
    root = parse(svg)
    assert root.get("viewBox") == f"0 0 {width} {height}"
    with_data = [p for p in points if clamp_percent(p.percent) is not None]
    assert len(find_all(root, "circle")) == len(with_data)
    assert_inside_viewbox(root)


@given(
    bars=st.lists(st.builds(Bar, labels, percents), max_size=25),
    title=labels,
    width=st.integers(200, 1200),
    bar_height=st.integers(12, 60),
    no_data_label=labels,
)
def test_any_bars_are_well_formed_and_inside_their_viewbox(
    bars: list[Bar], title: str, width: int, bar_height: int, no_data_label: str
) -> None:
    svg = section_bars(
        bars, title=title, width=width, bar_height=bar_height, no_data_label=no_data_label
    )
    root = parse(svg)
    colours = [r.get("fill") for r in find_all(root, "rect")]
    assert colours.count(GREEN) + colours.count(AMBER) + colours.count(RED) == sum(
        clamp_percent(bar.percent) is not None for bar in bars
    )
    assert_inside_viewbox(root)
