"""Checklist loading: the default file, canonical form and hash, and every reported error."""

from __future__ import annotations

import copy
import json
import textwrap
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from inspect_app.checklists.definition import ChecklistDefinition
from inspect_app.checklists.item_types import item_type_keys
from inspect_app.checklists.loader import (
    MAX_SOURCE_BYTES,
    ChecklistError,
    LoadResult,
    load_checklist_file,
    load_checklist_text,
)
from inspect_app.config import PROJECT_ROOT

DEFAULT_CHECKLIST = PROJECT_ROOT / "checklists" / "business-hall-mystery-shop.yaml"
DATA = Path(__file__).parent.parent / "data" / "checklists"
ALL_TYPES = DATA / "all-types.yaml"
ALL_TYPES_REFORMATTED = DATA / "all-types-reformatted.yaml"

#: Marks the line(s) of a YAML sample where an error must be reported.
MARK = "# <-"

RATING = """\
rating:
  star_thresholds: {1: 0, 2: 60, 3: 75, 4: 85, 5: 95}
  min_inspections: 1
  veto: {max_percent: 0, max_stars: 1}
"""
ITEM_A = "- {id: main.a, type: pass_fail, text: A, points: 1}\n"
CHOICE_A = """\
- id: main.a
  type: choice
  text: A
  options:
    - {value: good, text: Good, points: 2}
    - {value: bad, text: Bad, points: 0}
"""


def checklist(items: str = ITEM_A, *, rating: str = RATING, top: str = "") -> str:
    """Return a one-section checklist around `items`, a YAML list written at column 0."""
    return (
        "key: sample\ntitle: Sample\n"
        + textwrap.dedent(top)
        + textwrap.dedent(rating)
        + "sections:\n  - id: main\n    title: Main\n    weight: 1\n    items:\n"
        + textwrap.indent(textwrap.dedent(items), "      ")
    )


def errors_of(text: str) -> list[ChecklistError]:
    """Load `text` and return its errors, checking that a failed load yields no definition."""
    result = load_checklist_text(text, "sample.yaml")
    assert result.definition is None or not result.errors
    return result.errors


def marked_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if line.rstrip().endswith(MARK)]


def load_ok(path: Path) -> ChecklistDefinition:
    result = load_checklist_file(path)
    assert result.errors == []
    assert result.definition is not None
    return result.definition


def dump(doc: Any, **options: Any) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, **options)


# --- the default checklist -------------------------------------------------------------


@pytest.fixture(scope="module")
def default() -> ChecklistDefinition:
    return load_ok(DEFAULT_CHECKLIST)


def test_default_checklist_validates_without_errors() -> None:
    result = load_checklist_file(DEFAULT_CHECKLIST)
    assert result.errors == []
    assert result.ok
    assert result.definition.key == "business-hall-mystery-shop"


def test_default_checklist_has_at_least_50_items_all_translated(default) -> None:
    assert len(default.items) >= 50
    assert [i.id for i in default.items if not i.text_en] == []
    assert len({i.id for i in default.items}) == len(default.items)


def test_default_checklist_has_pass_fail_veto_items(default) -> None:
    vetoes = [i for i in default.items if i.veto]
    assert len(vetoes) >= 3
    assert {i.type for i in vetoes} == {"pass_fail"}


def test_default_checklist_hygiene_and_devices_items_ask_for_photos(default) -> None:
    checked = [i for i in default.items if i.section_id in {"hygiene", "devices"}]
    assert checked
    assert [i.id for i in checked if i.photo not in {"on_fail", "always"}] == []


def test_default_checklist_attributes_staff_sections_to_staff(default) -> None:
    staff_sections = {"appearance", "uniform", "phrasing", "behaviour"}
    checked = [i for i in default.items if i.section_id in staff_sections]
    assert {i.section_id for i in checked} == staff_sections
    assert [i.id for i in checked if not i.staff] == []


def test_default_checklist_sections_are_in_order(default) -> None:
    assert [s.id for s in default.sections] == [
        "appearance",
        "uniform",
        "phrasing",
        "behaviour",
        "hygiene",
        "devices",
        "process",
    ]


def test_default_checklist_uses_every_item_type(default) -> None:
    assert {i.type for i in default.items} == set(item_type_keys())


# --- canonical form and content hash ---------------------------------------------------


@pytest.mark.parametrize("path", [DEFAULT_CHECKLIST, ALL_TYPES], ids=["default", "all-types"])
def test_to_dict_from_dict_round_trip_is_equal(path: Path) -> None:
    definition = load_ok(path)
    stored = json.loads(json.dumps(definition.to_dict()))  # as kept in the database
    rebuilt = ChecklistDefinition.from_dict(stored)
    assert rebuilt == definition
    assert rebuilt.content_hash() == definition.content_hash()
    assert rebuilt.to_dict() == definition.to_dict()


def test_reformatted_file_has_the_same_content_hash() -> None:
    original = load_ok(ALL_TYPES)
    reformatted = load_ok(ALL_TYPES_REFORMATTED)
    assert reformatted == original
    assert reformatted.content_hash() == original.content_hash()


def test_redumped_default_checklist_has_the_same_content_hash(default) -> None:
    doc = yaml.safe_load(DEFAULT_CHECKLIST.read_text(encoding="utf-8"))
    redumped = "# reformatted copy\n" + yaml.safe_dump(
        doc, allow_unicode=True, sort_keys=True, indent=4, default_flow_style=True, width=60
    )
    result = load_checklist_text(redumped)
    assert result.errors == []
    assert result.definition.content_hash() == default.content_hash()


def _edit_points(doc: dict) -> None:
    doc["sections"][1]["items"][0]["points"] = 2


def _edit_text_en(doc: dict) -> None:
    doc["sections"][0]["items"][1]["text_en"] = "Checks ID"


def _edit_threshold(doc: dict) -> None:
    doc["rating"]["star_thresholds"][5] = 96


def _edit_photo(doc: dict) -> None:
    doc["sections"][0]["items"][3]["photo"] = "on_fail"


@pytest.mark.parametrize(
    "edit",
    [_edit_points, _edit_text_en, _edit_threshold, _edit_photo],
    ids=["points", "text_en", "threshold", "photo"],
)
def test_changing_content_changes_the_hash(edit) -> None:
    original = load_ok(ALL_TYPES)
    doc = yaml.safe_load(ALL_TYPES.read_text(encoding="utf-8"))
    edit(doc)
    changed = load_checklist_text(dump(doc))
    assert changed.errors == []
    assert changed.definition.content_hash() != original.content_hash()


def test_changing_one_items_points_changes_only_that_item() -> None:
    text = ALL_TYPES.read_text(encoding="utf-8")
    assert text.count("points: 4\n") == 1  # desk.attitude
    changed = load_checklist_text(text.replace("points: 4\n", "points: 3\n"))
    original = load_ok(ALL_TYPES)
    assert changed.definition.content_hash() != original.content_hash()
    before, after = original.to_dict(), changed.definition.to_dict()
    after["sections"][0]["items"][3]["points"] = 4
    assert after == before


# --- each error, with its line and item id ----------------------------------------------

ERROR_CASES = [
    pytest.param(
        "key: sample\ntitle: Sample\n  bad: indent  # <-\n",
        None,
        "This is not valid YAML: mapping values are not allowed here",
        id="malformed-yaml",
    ),
    pytest.param(
        "key: sample\n\ttitle: Sample  # <-\n",
        None,
        "This is not valid YAML: found character '\\t' that cannot start any token",
        id="malformed-yaml-tab-indent",
    ),
    pytest.param(
        checklist(top="title: Again  # <-\n"),
        None,
        "The key `title` appears twice in one mapping.",
        id="duplicate-top-key",
    ),
    pytest.param(
        checklist("- id: main.a\n  type: pass_fail\n  text: A\n  points: 1\n  points: 2  # <-\n"),
        None,
        "The key `points` appears twice in one mapping.",
        id="duplicate-item-key",
    ),
    pytest.param(
        checklist(
            """\
            - id: main.a
              type: checkbox  # <-
              text: A
              points: 1
            """
        ),
        "main.a",
        "Unknown item type `checkbox`; use one of: choice, number, pass_fail, scale, stars, text.",
        id="unknown-item-type",
    ),
    pytest.param(
        checklist("- id: main.a  # <-\n  text: A\n  points: 1\n"),
        "main.a",
        "Unknown item type `None`",
        id="missing-item-type",
    ),
    pytest.param(
        checklist(
            ITEM_A
            + "- {id: main.b, type: pass_fail, text: B, points: 1}\n"
            + "- id: main.a  # <-\n  type: pass_fail\n  text: Again\n  points: 1\n"
        ),
        "main.a",
        "Item id `main.a` is used twice.",
        id="duplicate-item-id",
    ),
    pytest.param(
        checklist("- {id: Main.A, type: pass_fail, text: A, points: 1}  # <-\n"),
        None,
        "Each item needs an `id` of lowercase letters",
        id="bad-item-id",
    ),
    pytest.param(
        checklist(
            ITEM_A + "- id: main.b\n  type: pass_fail\n  text: B\n  points: 1\n"
            "  show_if: {item: main.nope, equals: pass}  # <-\n"
        ),
        "main.b",
        "`show_if` names an unknown item `main.nope`",
        id="show-if-unknown-item",
    ),
    pytest.param(
        checklist(
            "- id: main.a\n  type: pass_fail\n  text: A\n  points: 1\n"
            "  show_if: {item: main.b, equals: pass}  # <-\n"
            "- {id: main.b, type: pass_fail, text: B, points: 1}\n"
        ),
        "main.a",
        "`show_if` names an unknown item `main.b`; it must be an item that comes before this one.",
        id="show-if-later-item",
    ),
    pytest.param(
        checklist(
            "- id: main.a\n  type: pass_fail\n  text: A\n  points: 1\n"
            "  show_if: {item: main.a, equals: pass}  # <-\n"
        ),
        "main.a",
        "`show_if` names an unknown item `main.a`",
        id="show-if-itself",
    ),
    pytest.param(
        checklist(
            ITEM_A + "- id: main.b\n  type: pass_fail\n  text: B\n  points: 1\n"
            "  show_if: {item: main.a, equals: maybe}  # <-\n"
        ),
        "main.b",
        "`show_if`: `maybe` is not a possible answer of `main.a`.",
        id="show-if-impossible-pass-fail-value",
    ),
    pytest.param(
        checklist(
            CHOICE_A + "- id: main.b\n  type: pass_fail\n  text: B\n  points: 1\n"
            "  show_if: {item: main.a, in: [good, great]}  # <-\n"
        ),
        "main.b",
        "`show_if`: `great` is not a possible answer of `main.a`.",
        id="show-if-impossible-choice-value",
    ),
    pytest.param(
        checklist(
            CHOICE_A + "- id: main.b\n  type: pass_fail\n  text: B\n  points: 1\n"
            "  show_if: {item: main.a, equals: na}  # <-\n"
        ),
        "main.b",
        "`show_if`: `na` is not a possible answer of `main.a`.",
        id="show-if-na-when-target-has-no-na",
    ),
    pytest.param(
        checklist(
            "- {id: main.a, type: scale, max: 4, text: A, points: 4}\n"
            "- id: main.b\n  type: pass_fail\n  text: B\n  points: 1\n"
            "  show_if: {item: main.a, equals: 5}  # <-\n"
        ),
        "main.b",
        "`show_if`: `5` is not a possible answer of `main.a`.",
        id="show-if-scale-value-out-of-range",
    ),
    pytest.param(
        checklist(
            "- {id: main.a, type: text, text: A}\n"
            "- id: main.b\n  type: pass_fail\n  text: B\n  points: 1\n"
            "  show_if: {item: main.a, equals: hello}  # <-\n"
        ),
        "main.b",
        "`show_if`: `hello` is not a possible answer of `main.a`.",
        id="show-if-on-text-item",
    ),
    *[
        pytest.param(
            checklist(
                CHOICE_A + "- id: main.b\n  type: pass_fail\n  text: B\n  points: 1\n"
                f"  show_if: {{item: {target}, equals: good}}  # <-\n"
            ),
            "main.b",
            "`show_if.item` must be the id of an earlier item.",
            id=f"show-if-item-{name}",
        )
        for name, target in [("list", "[main.a]"), ("mapping", "{id: main.a}"), ("number", "7")]
    ],
    pytest.param(
        checklist(
            CHOICE_A + "- id: main.b\n  type: pass_fail\n  text: B\n  points: 1\n"
            "  show_if: {item: main.a, equals: [good, bad]}  # <-\n"
        ),
        "main.b",
        "`show_if`: `['good', 'bad']` is not a possible answer of `main.a`.",
        id="show-if-equals-a-list",
    ),
    pytest.param(
        checklist(
            ITEM_A + "- id: main.b\n  type: pass_fail\n  text: B\n  points: 1\n"
            "  show_if: {item: main.a, equals: pass, in: [fail]}  # <-\n"
        ),
        "main.b",
        "`show_if` needs `item` and exactly one of `equals` or `in`.",
        id="show-if-equals-and-in",
    ),
    pytest.param(
        checklist(
            ITEM_A + "- id: main.b\n  type: pass_fail\n  text: B\n  points: 1\n"
            "  show_if: {item: main.a, in: []}  # <-\n"
        ),
        "main.b",
        "`show_if.in` must be a non-empty list.",
        id="show-if-empty-in",
    ),
    pytest.param(
        checklist(
            rating="""\
            rating:
              star_thresholds:
                1: 0
                2: 60
                3: 60  # <-
                4: 85
                5: 95
              min_inspections: 1
            """
        ),
        None,
        "Star thresholds must increase: 3 stars needs more than 2 stars.",
        id="thresholds-not-increasing",
    ),
    pytest.param(
        checklist(
            rating="""\
            rating:
              star_thresholds:
                1: 10  # <-
                2: 60
                3: 75
                4: 85
                5: 95
              min_inspections: 1
            """
        ),
        None,
        "The 1-star threshold must be 0, so that every score earns a rating.",
        id="one-star-threshold-not-zero",
    ),
    pytest.param(
        checklist(
            rating="""\
            rating:
              min_inspections: 1
              star_thresholds:  # <-
                1: 0
                2: 60
                3: 75
                5: 95
            """
        ),
        None,
        "`star_thresholds` must give the minimum percentage for each of 1 to 5 stars.",
        id="threshold-missing-a-star",
    ),
    pytest.param(
        checklist(
            rating="""\
            rating:
              star_thresholds:
                1: 0
                2: 60
                3: 75
                4: 85
                5: 101  # <-
              min_inspections: 1
            """
        ),
        None,
        "The 5-star threshold must be a percentage from 0 to 100.",
        id="threshold-above-100",
    ),
    pytest.param(
        checklist(
            rating="""\
            rating:
              star_thresholds: {1: 0, 2: 60, 3: 75, 4: 85, 5: 95}
              min_inspections: 0  # <-
            """
        ),
        None,
        "`min_inspections` must be a whole number of at least 1.",
        id="min-inspections-zero",
    ),
    pytest.param(
        checklist(
            rating="""\
            rating:
              star_thresholds: {1: 0, 2: 60, 3: 75, 4: 85, 5: 95}
              min_inspections: 1
              veto:
                max_stars: 6  # <-
            """
        ),
        None,
        "`veto.max_stars` must be a whole number from 1 to 5.",
        id="veto-max-stars-6",
    ),
    pytest.param(
        checklist(
            rating="""\
            rating:
              star_thresholds: {1: 0, 2: 60, 3: 75, 4: 85, 5: 95}
              min_inspections: 1
              veto:
                max_stars: 0  # <-
            """
        ),
        None,
        "`veto.max_stars` must be a whole number from 1 to 5.",
        id="veto-max-stars-0",
    ),
    pytest.param(
        checklist(
            rating="""\
            rating:
              star_thresholds: {1: 0, 2: 60, 3: 75, 4: 85, 5: 95}
              min_inspections: 1
              veto:
                max_percent: 120  # <-
            """
        ),
        None,
        "`veto.max_percent` must be a percentage from 0 to 100.",
        id="veto-max-percent-120",
    ),
    pytest.param(
        checklist("- {id: main.a, type: pass_fail, text: A, points: -1}  # <-\n"),
        "main.a",
        "`points` must not be negative.",
        id="negative-points",
    ),
    pytest.param(
        checklist("- id: main.a\n  type: scale\n  max: 4\n  text: A\n  points: 0  # <-\n"),
        "main.a",
        "`points` must be above 0; use a text item for an unscored note.",
        id="zero-points",
    ),
    pytest.param(
        checklist("- id: main.a\n  type: stars\n  text: A\n  points: lots  # <-\n"),
        "main.a",
        "`points` must be a number.",
        id="points-not-a-number",
    ),
    pytest.param(
        checklist("- id: main.a  # <-\n  type: pass_fail\n  text: A\n"),
        "main.a",
        "`points` is required for a pass_fail item.",
        id="missing-points-pass-fail",
    ),
    pytest.param(
        checklist("- id: main.a\n  type: text\n  text: A\n  points: 1  # <-\n"),
        "main.a",
        "A text item is not scored; remove `points`.",
        id="points-on-text-item",
    ),
    pytest.param(
        checklist("- id: main.a\n  type: text\n  text: A\n  veto: true  # <-\n"),
        "main.a",
        "Only a scored item can be a veto item.",
        id="veto-on-text-item",
    ),
    pytest.param(
        checklist("- id: main.a\n  type: text\n  text: A\n  na: true  # <-\n"),
        "main.a",
        "Only a scored item can be marked not applicable.",
        id="na-on-text-item",
    ),
    pytest.param(
        checklist("- id: main.a\n  type: text\n  text: A\n  photo: on_fail  # <-\n"),
        "main.a",
        "A text item cannot fail, so `photo: on_fail` never applies.",
        id="photo-on-fail-on-text-item",
    ),
    pytest.param(
        checklist("- id: main.a  # <-\n  type: pass_fail\n  points: 1\n"),
        "main.a",
        "`text` is required.",
        id="missing-item-text",
    ),
    pytest.param(
        checklist(top="colour: red  # <-\n"),
        None,
        "Unknown key `colour`.",
        id="unknown-top-level-key",
    ),
    pytest.param(
        checklist(
            rating="""\
            rating:
              star_thresholds: {1: 0, 2: 60, 3: 75, 4: 85, 5: 95}
              min_inspections: 1
              stars_cap: 2  # <-
            """
        ),
        None,
        "Unknown key `stars_cap`.",
        id="unknown-rating-key",
    ),
    pytest.param(
        "key: sample\ntitle: Sample\n"
        + RATING
        + "sections:\n  - id: main\n    title: Main\n    weight: 1\n    colour: red  # <-\n"
        + "    items:\n      "
        + ITEM_A,
        None,
        "Unknown key `colour`.",
        id="unknown-section-key",
    ),
    pytest.param(
        checklist("- id: main.a\n  type: pass_fail\n  text: A\n  points: 1\n  colour: red  # <-\n"),
        "main.a",
        "Unknown key `colour`.",
        id="unknown-item-key",
    ),
    pytest.param(
        checklist("- id: main.a\n  type: pass_fail\n  text: A\n  points: 1\n  max: 4  # <-\n"),
        "main.a",
        "Unknown key `max`.",
        id="key-of-another-item-type",
    ),
    pytest.param(
        checklist(
            "- id: main.a\n  type: pass_fail\n  text: A\n  points: 1\n  photo: sometimes  # <-\n"
        ),
        "main.a",
        "`photo` must be one of: never, on_fail, always.",
        id="bad-photo-value",
    ),
    *[
        pytest.param(
            checklist(
                f"- id: main.a\n  type: pass_fail\n  text: A\n  points: 1\n  {flag}: {value}  # <-\n"
            ),
            "main.a",
            f"`{flag}` must be true or false.",
            id=f"non-boolean-{flag}-{value}",
        )
        for flag, value in [
            ("staff", '"yes"'),
            ("veto", "1"),
            ("required", '"true"'),
            ("na", "maybe"),
        ]
    ],
    pytest.param(
        "key: sample\ntitle: Sample\n"
        + RATING
        + "sections:\n  - id: main\n    title: Main\n    weight: 1\n    staff: 1  # <-\n"
        + "    items:\n      "
        + ITEM_A,
        None,
        "`staff` must be true or false.",
        id="non-boolean-section-staff",
    ),
    pytest.param(
        checklist(
            """\
            - id: main.a
              type: choice
              text: A
              options:  # <-
                - {value: good, text: Good, points: 2}
            """
        ),
        "main.a",
        "A choice needs `options`: a list of at least two.",
        id="choice-one-option",
    ),
    pytest.param(
        checklist(
            """\
            - id: main.a
              type: choice
              text: A
              options:  # <-
                - {value: good, text: Good, points: 2}
                - {value: bad, text: Bad, points: 0}
                - {value: good, text: Also good, points: 1}
            """
        ),
        "main.a",
        'option 3 repeats the value "good".',
        id="choice-duplicate-option-value",
    ),
    pytest.param(
        checklist(
            """\
            - id: main.a
              type: choice
              text: A
              points: 3  # <-
              options:
                - {value: good, text: Good, points: 2}
                - {value: bad, text: Bad, points: 0}
            """
        ),
        "main.a",
        "`points` must equal the best option's points (2), or be left out.",
        id="choice-points-not-best-option",
    ),
    pytest.param(
        checklist(
            """\
            - id: main.a
              type: choice
              text: A
              options:  # <-
                - {value: na, text: Not here, points: 0}
                - {value: good, text: Good, points: 2}
            """
        ),
        "main.a",
        '(not "na")',
        id="choice-option-value-na",
    ),
    pytest.param(
        checklist(
            """\
            - id: main.a
              type: choice
              text: A
              options:  # <-
                - {value: good, text: Good, points: 0}
                - {value: bad, text: Bad, points: 0}
            """
        ),
        "main.a",
        "At least one option must earn points.",
        id="choice-no-option-earns-points",
    ),
    pytest.param(
        checklist(
            """\
            - id: main.a
              type: number
              text: A
              points: 5
              max: 100
              bands:  # <-
                - {upto: 20, points: 5}
                - {upto: 10, points: 2}
            """
        ),
        "main.a",
        "Band 2: `upto` must be larger than the band before it.",
        id="number-bands-not-increasing",
    ),
    pytest.param(
        checklist(
            """\
            - id: main.a
              type: number
              text: A
              points: 5
              max: 100
              bands:  # <-
                - {upto: 10, points: 4}
                - {upto: 20, points: 2}
            """
        ),
        "main.a",
        "No band gives the item's full points, so the item could never pass.",
        id="number-no-band-gives-full-points",
    ),
    pytest.param(
        checklist(
            """\
            - id: main.a
              type: number
              text: A
              points: 5
              max: 100
              bands:  # <-
                - {upto: 10, points: 5}
                - {upto: 20, points: 7}
            """
        ),
        "main.a",
        "Band 2: points must be between 0 and the item's points.",
        id="number-band-above-item-points",
    ),
    pytest.param(
        checklist(
            """\
            - id: main.a
              type: number
              text: A
              points: 5
              min: 10
              max: 10  # <-
              bands:
                - {upto: 10, points: 5}
            """
        ),
        "main.a",
        "A number needs `max`, larger than `min`.",
        id="number-max-equals-min",
    ),
    pytest.param(
        checklist(
            """\
            - id: main.a
              type: number
              text: A
              points: 5
              min: 10
              max: 5  # <-
              bands:
                - {upto: 10, points: 5}
            """
        ),
        "main.a",
        "A number needs `max`, larger than `min`.",
        id="number-max-below-min",
    ),
    *[
        pytest.param(
            checklist(
                f"- id: main.a\n  type: scale\n  text: A\n  points: 4\n  max: {value}  # <-\n"
            ),
            "main.a",
            "A scale needs `max`, a whole number from 1 to 10.",
            id=f"scale-max-{value}",
        )
        for value in ["0", "11", "-3", "2.5", '"5"', "true"]
    ],
    pytest.param(
        checklist("- id: main.a  # <-\n  type: scale\n  text: A\n  points: 4\n"),
        "main.a",
        "A scale needs `max`, a whole number from 1 to 10.",
        id="scale-max-missing",
    ),
    pytest.param(
        "key: sample\ntitle: Sample\n"
        + RATING
        + "sections:\n  - id: main\n    title: Main\n    weight: 1\n    items:\n      "
        + ITEM_A
        + "  - id: main  # <-\n    title: Again\n    weight: 1\n    items:\n"
        + "      - {id: main.b, type: pass_fail, text: B, points: 1}\n",
        None,
        "Section id `main` is used twice.",
        id="duplicate-section-id",
    ),
    pytest.param(
        "key: sample\ntitle: Sample\n"
        + RATING
        + "sections:\n  - id: main\n    title: Main\n    weight: 0  # <-\n    items:\n      "
        + ITEM_A,
        None,
        "Section `weight` must be a number above 0.",
        id="section-weight-zero",
    ),
    pytest.param(
        "key: sample\ntitle: Sample\n" + RATING + "sections: []  # <-\n",
        None,
        "`sections` must be a list with at least one section.",
        id="empty-sections-list",
    ),
    pytest.param(
        "key: sample\ntitle: Sample\n"
        + RATING
        + "sections:\n  - id: main\n    title: Main\n    weight: 1\n    items: []  # <-\n",
        None,
        "Section `main` needs `items`: a list with at least one item.",
        id="empty-items-list",
    ),
    pytest.param(
        checklist().replace("key: sample\n", "key: Sample Checklist  # <-\n"),
        None,
        "`key` may use lowercase letters, digits and hyphens only.",
        id="bad-checklist-key",
    ),
    pytest.param(
        "- key: sample  # <-\n- title: Sample\n",
        None,
        "A checklist file must be a mapping with key, title, rating and sections.",
        id="document-is-a-list",
    ),
    pytest.param(
        "just some words  # <-\n",
        None,
        "A checklist file must be a mapping with key, title, rating and sections.",
        id="document-is-a-string",
    ),
]


@pytest.mark.parametrize(("text", "item_id", "message"), ERROR_CASES)
def test_error_is_reported_with_its_line_and_item_id(
    text: str, item_id: str | None, message: str
) -> None:
    errors = errors_of(text)
    assert len(errors) == 1, [str(e) for e in errors]
    [error] = errors
    assert message in error.message
    assert error.item_id == item_id
    assert [error.line] == marked_lines(text)
    assert error.source == "sample.yaml"


def test_valid_samples_around_the_error_cases_load() -> None:
    """The templates the error cases are built from are valid on their own."""
    for text in (checklist(), checklist(CHOICE_A)):
        result = load_checklist_text(text)
        assert result.errors == []
        assert result.ok


def test_unknown_item_type_lists_every_known_type() -> None:
    [error] = errors_of(checklist("- {id: main.a, type: radio, text: A, points: 1}\n"))
    assert item_type_keys() == ["choice", "number", "pass_fail", "scale", "stars", "text"]
    for key in item_type_keys():
        assert f" {key}" in error.message


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_file_is_an_error_on_line_1(text: str) -> None:
    [error] = errors_of(text)
    assert error.line == 1
    assert "must be a mapping" in error.message


def test_file_larger_than_1_mb_is_rejected() -> None:
    text = checklist() + "# " + "x" * MAX_SOURCE_BYTES + "\n"
    [error] = errors_of(text)
    assert (error.line, error.item_id) == (None, None)
    assert str(error) == "sample.yaml: The file is larger than 1 MB."


def test_size_limit_counts_bytes_not_characters() -> None:
    padding = "# " + "营" * (MAX_SOURCE_BYTES // 3 + 10) + "\n"  # fewer characters than the limit
    assert len(padding) < MAX_SOURCE_BYTES < len(padding.encode("utf-8"))
    [error] = errors_of(checklist() + padding)
    assert error.message == "The file is larger than 1 MB."


def test_file_just_under_1_mb_loads() -> None:
    text = checklist()
    text += "#" * (MAX_SOURCE_BYTES - len(text.encode("utf-8")) - 1) + "\n"
    assert len(text.encode("utf-8")) == MAX_SOURCE_BYTES
    result = load_checklist_text(text)
    assert result.errors == []


BILLION_LAUGHS = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def test_alias_bomb_is_rejected_quickly_without_eating_memory() -> None:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = load_checklist_text(BILLION_LAUGHS, "bomb.yaml")
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.definition is None
    [error] = result.errors
    assert "expands to too much data" in error.message
    assert elapsed < 10  # expanded, it would be 387 million strings
    assert peak < 200 * 1024 * 1024


def test_aliases_within_reason_are_allowed() -> None:
    text = checklist(
        "- &base {id: main.a, type: pass_fail, text: A, points: 1}\n"
        "- {id: main.b, type: pass_fail, text: B, points: 1}\n"
    )
    assert load_checklist_text(text).errors == []


@pytest.mark.parametrize(
    "text",
    [
        "key: sample\ntitle: &loop [*loop]\n",
        "key: sample\ntitle: &loop {again: *loop}\n",
        "key: " + "[" * 1000 + "]" * 1000 + "\n",
        "key: " + "{a: " * 1000 + "b" + "}" * 1000 + "\n",
    ],
    ids=["self-referencing-list", "self-referencing-mapping", "nested-lists", "nested-mappings"],
)
def test_endlessly_or_deeply_nested_yaml_is_an_error_not_a_crash(text: str) -> None:
    [error] = errors_of(text)
    assert "nested too deeply" in error.message


def test_file_that_is_not_utf8_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(checklist().replace("title: Sample", "title: Caf\u00e9").encode("latin-1"))
    result = load_checklist_file(path)
    assert result.definition is None
    [error] = result.errors
    assert (error.source, error.line, error.item_id) == (str(path), None, None)
    assert error.message == "The file is not UTF-8 text."
    assert str(error) == f"{path}: The file is not UTF-8 text."


def test_utf8_file_with_byte_order_mark_loads(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + checklist().replace("Sample", "样例").encode("utf-8"))
    assert load_ok(path).title == "样例"


def test_missing_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    [error] = load_checklist_file(path).errors
    assert error.source == str(path)
    assert error.message.startswith("Cannot read the file:")


def test_every_error_in_a_file_is_reported() -> None:
    text = textwrap.dedent(
        """\
        key: Sample Key  # <-
        title: Sample
        rating:
          star_thresholds: {1: 0, 2: 60, 3: 75, 4: 85, 5: 95}
          min_inspections: 0  # <-
        sections:
          - id: main
            title: Main
            weight: 0  # <-
            items:
              - {id: main.a, type: pass_fail, text: A, points: -1}  # <-
              - {id: main.b, type: radio, text: B}  # <-
              - id: main.c
                type: scale
                max: 20  # <-
                text: C
                points: 2
              - {id: main.a, type: pass_fail, text: A again, points: 1}  # <-
          - id: other
            title: Other
            weight: 1
            colour: blue  # <-
            items:
              - {id: other.a, type: text, text: Note, veto: true}  # <-
        """
    )
    errors = errors_of(text)
    assert [e.line for e in errors] == marked_lines(text)
    assert [e.item_id for e in errors] == [
        None,
        None,
        None,
        "main.a",
        "main.b",
        "main.c",
        "main.a",
        None,
        "other.a",
    ]


def test_bad_threshold_value_does_not_hide_other_rating_errors() -> None:
    text = checklist(
        rating="""\
        rating:
          star_thresholds: {1: 0, 2: 60, 3: 75, 4: 85, 5: lots}  # <-
          min_inspections: 0  # <-
          veto: {max_stars: 9}  # <-
        """
    )
    assert [e.line for e in errors_of(text)] == marked_lines(text)


def test_str_of_an_error_names_file_line_and_item(tmp_path: Path) -> None:
    path = tmp_path / "sample.yaml"
    text = checklist(
        "- {id: main.a, type: pass_fail, text: A, points: -1}  # <-\n", top="colour: red\n"
    )
    path.write_text(text, encoding="utf-8")
    top_error, item_error = load_checklist_file(path).errors
    line = marked_lines(text)[0]
    assert str(item_error) == f"{path}:{line}: [main.a] `points` must not be negative."
    assert str(top_error) == f"{path}:3: Unknown key `colour`."


# --- failure thresholds: rating.fail_below, rating.staff_min_items, item fail_below --------

THRESHOLD_RATING = """\
rating:
  star_thresholds: {1: 0, 2: 60, 3: 75, 4: 85, 5: 95}
  min_inspections: 1
  fail_below: 0.6
  staff_min_items: 12
"""
STARS_A = "- {id: main.a, type: stars, text: A, points: 4, fail_below: 0.75}\n"


def test_failure_thresholds_are_read_from_the_rating_and_the_item() -> None:
    result = load_checklist_text(
        checklist(STARS_A + ITEM_A.replace("main.a", "main.b"), rating=THRESHOLD_RATING)
    )
    assert result.errors == []
    definition = result.definition
    assert definition.rating.fail_below == Decimal("0.6")
    assert definition.rating.staff_min_items == 12
    stars, plain = definition.item("main.a"), definition.item("main.b")
    assert (stars.fail_below, plain.fail_below) == (Decimal("0.75"), None)
    assert definition.fail_below(stars) == Decimal("0.75")
    assert definition.fail_below(plain) == Decimal("0.6")  # the rule's share


def test_failure_thresholds_default_to_half_the_points_and_ten_items() -> None:
    definition = load_checklist_text(
        checklist(STARS_A.replace(", fail_below: 0.75", ""))
    ).definition
    assert definition.rating.fail_below == Decimal("0.5")
    assert definition.rating.staff_min_items == 10
    assert definition.item("main.a").fail_below is None
    assert definition.fail_below(definition.item("main.a")) == Decimal("0.5")


def test_the_item_share_decides_when_four_stars_fail() -> None:
    """With 0.75, 4 of 5 stars (75 %) only loses points and 3 stars (50 %) fail; with 1, any loss."""
    strict = STARS_A.replace("0.75", "1")
    for text, failing in ((STARS_A, {1, 2, 3}), (strict, {1, 2, 3, 4}), (ITEM_A, None)):
        definition = load_checklist_text(checklist(text)).definition
        item = definition.item("main.a")
        if failing is None:  # a pass/fail item fails at 0 whatever the share
            score = item.item_type.score(item, "fail", fail_below=definition.fail_below(item))
            assert score.failed
            continue
        failed = {
            stars
            for stars in range(1, 6)
            if item.item_type.score(item, stars, fail_below=definition.fail_below(item)).failed
        }
        assert failed == failing


def test_written_out_defaults_keep_the_content_hash_and_other_shares_change_it() -> None:
    plain = load_ok_text(checklist())
    explicit = load_ok_text(checklist(rating=RATING + "  fail_below: 0.5\n  staff_min_items: 10\n"))
    assert explicit.content_hash() == plain.content_hash()
    assert "fail_below" not in plain.to_dict()["rating"]
    stricter = load_ok_text(checklist(rating=RATING + "  fail_below: 0.75\n"))
    per_item = load_ok_text(checklist(ITEM_A.replace("points: 1}", "points: 1, fail_below: 1}")))
    hashes = {plain.content_hash(), stricter.content_hash(), per_item.content_hash()}
    assert len(hashes) == 3
    for definition in (stricter, per_item):
        assert ChecklistDefinition.from_dict(definition.to_dict()) == definition


THRESHOLD_ERRORS = [
    pytest.param(
        checklist(rating=RATING + "  fail_below: 0  # <-\n"),
        None,
        "`fail_below` must be a share of an item's points above 0 and at most 1",
        id="rating-share-zero",
    ),
    pytest.param(
        checklist(rating=RATING + "  fail_below: 50  # <-\n"),
        None,
        "`fail_below` must be a share of an item's points above 0 and at most 1",
        id="rating-share-as-percent",
    ),
    pytest.param(
        checklist(rating=RATING + "  fail_below: 50%  # <-\n"),
        None,
        "`fail_below` must be a share",
        id="rating-share-with-percent-sign",
    ),
    pytest.param(
        checklist(rating=RATING + "  fail_below: true  # <-\n"),
        None,
        "`fail_below` must be a share",
        id="rating-share-boolean",
    ),
    pytest.param(
        checklist(rating=RATING + "  staff_min_items: 0  # <-\n"),
        None,
        "`staff_min_items` must be a whole number of at least 1.",
        id="staff-min-zero",
    ),
    pytest.param(
        checklist(rating=RATING + "  staff_min_items: 2.5  # <-\n"),
        None,
        "`staff_min_items` must be a whole number of at least 1.",
        id="staff-min-fraction",
    ),
    pytest.param(
        checklist(rating=RATING + "  staff_min_items: yes  # <-\n"),
        None,
        "`staff_min_items` must be a whole number of at least 1.",
        id="staff-min-boolean",
    ),
    pytest.param(
        checklist("- id: main.a\n  type: pass_fail\n  text: A\n  points: 1\n  fail_below: 1.5  # <-\n"),
        "main.a",
        "`fail_below` must be a share of an item's points above 0 and at most 1",
        id="item-share-above-one",
    ),
    pytest.param(
        checklist("- id: main.a\n  type: pass_fail\n  text: A\n  points: 1\n  fail_below: -0.5  # <-\n"),
        "main.a",
        "`fail_below` must be a share",
        id="item-share-negative",
    ),
    pytest.param(
        checklist("- id: main.a\n  type: pass_fail\n  text: A\n  points: 1\n  fail_below: half  # <-\n"),
        "main.a",
        "`fail_below` must be a share",
        id="item-share-words",
    ),
    pytest.param(
        checklist("- id: main.a\n  type: text\n  text: A\n  fail_below: 0.5  # <-\n"),
        "main.a",
        "A text item cannot fail; remove `fail_below`.",
        id="item-share-on-text",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("text", "item_id", "message"), THRESHOLD_ERRORS)
def test_bad_failure_threshold_is_reported_at_its_line(
    text: str, item_id: str | None, message: str
) -> None:
    errors = errors_of(text)
    assert [(e.line, e.item_id) for e in errors] == [(marked_lines(text)[0], item_id)]
    assert message in errors[0].message


def test_threshold_errors_do_not_hide_each_other() -> None:
    text = checklist(
        "- {id: main.a, type: stars, text: A, points: 4, fail_below: 2}  # <-\n",
        rating=RATING + "  fail_below: 0  # <-\n  staff_min_items: -1  # <-\n",
    )
    assert sorted(e.line for e in errors_of(text)) == marked_lines(text)


def load_ok_text(text: str) -> ChecklistDefinition:
    result = load_checklist_text(text)
    assert result.errors == [], [str(e) for e in result.errors]
    return result.definition


# --- never a traceback -----------------------------------------------------------------

VALID_DOC: dict[str, Any] = {
    "key": "fuzz",
    "title": "Fuzz",
    "title_en": "Fuzz",
    "rating": {
        "star_thresholds": {1: 0, 2: 60, 3: 75, 4: 85, 5: 95},
        "min_inspections": 1,
        "veto": {"max_percent": 0, "max_stars": 1},
        "fail_below": 0.5,
        "staff_min_items": 10,
    },
    "sections": [
        {
            "id": "main",
            "title": "Main",
            "weight": 1,
            "staff": True,
            "items": [
                {
                    "id": "main.choice",
                    "type": "choice",
                    "text": "Choice",
                    "options": [
                        {"value": "good", "text": "Good", "points": 2},
                        {"value": "bad", "text": "Bad", "points": 0},
                    ],
                },
                {
                    "id": "main.number",
                    "type": "number",
                    "text": "Number",
                    "points": 5,
                    "min": 0,
                    "max": 100,
                    "bands": [{"upto": 10, "points": 5}, {"upto": 20, "points": 2}],
                    "fail_below": 0.4,
                },
                {"id": "main.scale", "type": "scale", "text": "Scale", "points": 4, "max": 4},
                {
                    "id": "main.follow_up",
                    "type": "pass_fail",
                    "text": "Follow-up",
                    "points": 1,
                    "photo": "on_fail",
                    "veto": False,
                    "na": True,
                    "required": True,
                    "show_if": {"item": "main.choice", "in": ["good"]},
                },
            ],
        }
    ],
}

TEXT, MAPPING, LIST, NUMBER, INTEGER, FLAG, ENUM = (
    "text",
    "mapping",
    "list",
    "number",
    "integer",
    "flag",
    "enum",
)
#: Values of the wrong kind for each kind of place in a checklist.
WRONG: dict[str, list[Any]] = {
    TEXT: [None, 7, 2.5, True, [], ["a"], {}, {"x": 1}],
    MAPPING: [None, 7, "text", True, [], [1, 2], [{"x": 1}]],
    LIST: [None, 7, "text", True, [], {}, {"x": 1}],
    NUMBER: [None, "lots", True, [], [1], {}, {"x": 1}, float("nan"), float("inf")],
    INTEGER: [None, 1.5, "3", True, [], [1], {}, {"x": 1}],
    FLAG: [None, 1, 0, "true", "yes", [], {}, {"x": 1}],
    ENUM: [None, 7, "sometimes", True, [], ["never"], {}, {"never": 1}],
}
#: Places in VALID_DOC (as key paths) and what kind of value belongs there.
PLACES: list[tuple[tuple[Any, ...], str]] = [
    (("key",), TEXT),
    (("title",), TEXT),
    (("title_en",), TEXT),
    (("rating",), MAPPING),
    (("rating", "star_thresholds"), MAPPING),
    (("rating", "star_thresholds", 3), NUMBER),
    (("rating", "min_inspections"), INTEGER),
    (("rating", "veto"), MAPPING),
    (("rating", "veto", "max_percent"), NUMBER),
    (("rating", "veto", "max_stars"), INTEGER),
    (("rating", "fail_below"), NUMBER),
    (("rating", "staff_min_items"), INTEGER),
    (("sections",), LIST),
    (("sections", 0), MAPPING),
    (("sections", 0, "id"), TEXT),
    (("sections", 0, "title"), TEXT),
    (("sections", 0, "weight"), NUMBER),
    (("sections", 0, "staff"), FLAG),
    (("sections", 0, "items"), LIST),
    (("sections", 0, "items", 0), MAPPING),
    (("sections", 0, "items", 0, "id"), TEXT),
    (("sections", 0, "items", 0, "type"), ENUM),
    (("sections", 0, "items", 0, "text"), TEXT),
    (("sections", 0, "items", 0, "options"), LIST),
    (("sections", 0, "items", 0, "options", 0), MAPPING),
    (("sections", 0, "items", 0, "options", 0, "value"), TEXT),
    (("sections", 0, "items", 0, "options", 0, "text"), TEXT),
    (("sections", 0, "items", 0, "options", 0, "points"), NUMBER),
    (("sections", 0, "items", 1, "points"), NUMBER),
    (("sections", 0, "items", 1, "min"), NUMBER),
    (("sections", 0, "items", 1, "max"), NUMBER),
    (("sections", 0, "items", 1, "unit"), TEXT),
    (("sections", 0, "items", 1, "bands"), LIST),
    (("sections", 0, "items", 1, "bands", 0), MAPPING),
    (("sections", 0, "items", 1, "bands", 0, "upto"), NUMBER),
    (("sections", 0, "items", 1, "bands", 0, "points"), NUMBER),
    (("sections", 0, "items", 1, "fail_below"), NUMBER),
    (("sections", 0, "items", 2, "max"), INTEGER),
    (("sections", 0, "items", 3, "photo"), ENUM),
    (("sections", 0, "items", 3, "veto"), FLAG),
    (("sections", 0, "items", 3, "na"), FLAG),
    (("sections", 0, "items", 3, "required"), FLAG),
    (("sections", 0, "items", 3, "staff"), FLAG),
    (("sections", 0, "items", 3, "show_if"), MAPPING),
    (("sections", 0, "items", 3, "show_if", "item"), TEXT),
    (("sections", 0, "items", 3, "show_if", "in"), LIST),
    (("sections", 0, "items", 3, "show_if", "in", 0), TEXT),
]
#: Wrong values that are nonetheless accepted, since the key is optional.
ACCEPTED = {(("title_en",), None), (("sections", 0, "items", 1, "unit"), None)}


def _set(doc: dict, path: tuple[Any, ...], value: Any) -> dict:
    doc = copy.deepcopy(doc)
    node: Any = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


def _fuzz_cases() -> list:
    cases = []
    for path, kind in PLACES:
        for value in WRONG[kind]:
            if value is None and (path, None) in ACCEPTED:
                continue
            label = ".".join(map(str, path)) + "=" + repr(value)
            cases.append(pytest.param(path, value, id=label))
    return cases


def test_fuzz_base_document_is_valid() -> None:
    result = load_checklist_text(dump(VALID_DOC))
    assert result.errors == []
    assert result.definition.item("main.follow_up").show_if is not None


@pytest.mark.parametrize(("path", "value"), _fuzz_cases())
def test_wrong_kind_of_value_is_an_error_not_a_traceback(path: tuple, value: Any) -> None:
    text = dump(_set(VALID_DOC, path, value))
    result = load_checklist_text(text, "fuzz.yaml")
    assert isinstance(result, LoadResult)
    assert result.definition is None
    assert result.errors
    assert all(isinstance(e.message, str) and e.message for e in result.errors)


# --- Hypothesis: random documents ------------------------------------------------------

KEYS = sorted(
    {
        "key", "title", "title_en", "rating", "sections", "star_thresholds", "min_inspections",
        "veto", "max_percent", "max_stars", "id", "weight", "staff", "items", "type", "text",
        "points", "photo", "required", "na", "show_if", "item", "equals", "in", "options",
        "value", "max", "min", "bands", "upto", "unit", "fail_below", "staff_min_items",
    }
)  # fmt: skip
WORDS = [*item_type_keys(), "never", "on_fail", "always", "pass", "fail", "na", "main", "main.a"]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.text(max_size=12)
    | st.sampled_from(WORDS)
)
hashable_keys = (
    st.sampled_from(KEYS) | st.integers(-2, 6) | st.booleans() | st.none() | st.text(max_size=6)
)
yaml_like = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(hashable_keys, children, max_size=5)
    ),
    max_leaves=25,
)


def _field(plausible: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly a plausible value, sometimes anything at all."""
    return st.one_of(plausible, plausible, plausible, yaml_like)


def _mapping(
    required: dict[str, st.SearchStrategy], optional: dict[str, st.SearchStrategy] | None = None
) -> st.SearchStrategy:
    """A mapping with the required keys and some of the optional ones."""
    return st.fixed_dictionaries(
        {k: _field(v) for k, v in required.items()},
        optional={k: _field(v) for k, v in (optional or {}).items()},
    )


show_if = _mapping(
    {"item": st.sampled_from(["main.a", "main.b", "other.a"])},
    {"equals": scalars, "in": st.lists(scalars, max_size=3)},
)
item_ids = st.sampled_from(["main.a", "main.b", "main.c", "other.a"])
options = st.lists(
    _mapping(
        {"value": st.sampled_from(["a", "b", "c"]), "text": st.text(max_size=3),
         "points": st.integers(-1, 4)},
        {"text_en": st.text(max_size=3)},
    ),
    max_size=3,
)  # fmt: skip
bands = st.lists(_mapping({"upto": st.integers(0, 20), "points": st.integers(-1, 5)}), max_size=3)
items = _mapping(
    {"id": item_ids, "type": st.sampled_from(item_type_keys()), "text": st.text(max_size=5)},
    {
        "show_if": show_if,
        "points": st.integers(-1, 5) | st.floats(allow_nan=False, allow_infinity=False),
        "photo": st.sampled_from(["never", "on_fail", "always"]),
        "veto": st.booleans(),
        "na": st.booleans(),
        "staff": st.booleans(),
        "required": st.booleans(),
        "max": st.integers(-1, 12),
        "min": st.integers(-1, 12),
        "unit": st.text(max_size=3),
        "options": options,
        "bands": bands,
    },
)
sections = _mapping(
    {
        "id": st.sampled_from(["main", "other"]),
        "title": st.text(max_size=5),
        "weight": st.integers(-1, 3),
        "items": st.lists(items, max_size=4),
    },
    {"staff": st.booleans()},
)
documents = yaml_like | _mapping(
    {
        "key": st.sampled_from(["sample", "Bad Key"]),
        "title": st.text(max_size=5),
        "rating": _mapping(
            {
                "star_thresholds": st.just({1: 0, 2: 60, 3: 75, 4: 85, 5: 95})
                | st.dictionaries(st.integers(0, 6), st.integers(-1, 101), max_size=6),
                "min_inspections": st.integers(-1, 3),
            },
            {
                "veto": _mapping(
                    {"max_percent": st.integers(-1, 101), "max_stars": st.integers(0, 6)}
                )
            },
        ),
        "sections": st.lists(sections, max_size=3),
    },
    {"title_en": st.text(max_size=5)},
)


@settings(max_examples=300)
@given(documents)
def test_random_documents_give_a_definition_or_errors_never_a_traceback(doc: Any) -> None:
    result = load_checklist_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    if result.definition is not None:
        assert result.errors == []
        assert result.ok
    else:
        assert result.errors
        assert not result.ok
        assert all(str(e).startswith("<checklist>") for e in result.errors)
