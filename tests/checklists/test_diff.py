"""Checklist version diff: each kind of edit to the default checklist, alone and together."""

from __future__ import annotations

import dataclasses
import json
import re
from decimal import Decimal

import pytest

from inspect_app.checklists.definition import ChecklistDefinition
from inspect_app.checklists.diff import (
    ChecklistDiff,
    FieldChange,
    ItemChange,
    diff_definitions,
    plain_value,
)
from inspect_app.checklists.loader import load_checklist_file, load_checklist_text
from inspect_app.config import PROJECT_ROOT

DEFAULT_CHECKLIST = PROJECT_ROOT / "checklists" / "business-hall-mystery-shop.yaml"
SOURCE = DEFAULT_CHECKLIST.read_text(encoding="utf-8")

NEW_ITEM = """\
      - id: appearance.nails
        text: 指甲修剪整齐
        type: pass_fail
        points: 1
"""
NEW_SECTION = """
  - id: security
    title: 安全防范
    weight: 5
    items:
      - id: security.exits
        text: 安全出口畅通
        type: pass_fail
        points: 2
"""


def load(text: str) -> ChecklistDefinition:
    """Return the definition of checklist text that must load cleanly."""
    result = load_checklist_text(text)
    assert result.ok, [str(error) for error in result.errors]
    assert result.definition is not None
    return result.definition


def replace_once(text: str, old: str, new: str) -> str:
    """Replace `old`, which must occur exactly once, with `new`."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def edit_item(text: str, item_id: str, old: str, new: str) -> str:
    """Replace the first `old` at or after the item `item_id` with `new`."""
    start = text.index(f"      - id: {item_id}\n")
    at = text.index(old, start)
    return text[:at] + new + text[at + len(old) :]


def item_block(text: str, item_id: str) -> str:
    """Return the YAML lines of one item: its `- id:` line and everything indented under it."""
    match = re.search(rf"      - id: {re.escape(item_id)}\n(?:        .*\n)*", text)
    assert match, item_id
    return match.group(0)


def remove_item(text: str, item_id: str) -> str:
    """Return the text without the item `item_id`."""
    return replace_once(text, item_block(text, item_id), "")


@pytest.fixture(scope="module")
def default() -> ChecklistDefinition:
    """Return the default checklist as loaded from its file."""
    result = load_checklist_file(DEFAULT_CHECKLIST)
    assert result.definition is not None
    return result.definition


def diff_with(default: ChecklistDefinition, text: str) -> ChecklistDiff:
    """Return the diff from the default checklist to edited checklist text."""
    return diff_definitions(default, load(text))


def only_item_change(diff: ChecklistDiff) -> ItemChange:
    """Return the one item change of a diff that changed nothing else."""
    assert (diff.sections, diff.rating, diff.title) == ((), (), None)
    assert len(diff.items) == 1
    return diff.items[0]


def test_identical_definitions_are_empty(default: ChecklistDefinition) -> None:
    diff = diff_definitions(default, load(SOURCE))
    assert diff == ChecklistDiff(items=(), sections=(), rating=(), title=None)
    assert diff.is_empty


def test_stored_canonical_form_diffs_empty(default: ChecklistDefinition) -> None:
    stored = ChecklistDefinition.from_dict(json.loads(json.dumps(default.to_dict())))
    assert diff_definitions(default, stored).is_empty


def test_points_changed(default: ChecklistDefinition) -> None:
    text = edit_item(SOURCE, "appearance.badge_worn", "points: 3", "points: 2.5")
    change = only_item_change(diff_with(default, text))
    assert change == ItemChange(
        "appearance.badge_worn",
        "changed",
        "appearance",
        "工牌佩戴于指定位置（左胸）",
        (FieldChange("points", "3", "2.5"),),
        "Name badge (工牌) worn at the specified place (left chest)",
    )
    assert change.label("en") == change.text_en and change.label("zh_CN") == change.text


def test_text_changed(default: ChecklistDefinition) -> None:
    text = replace_once(SOURCE, "text: 女员工妆容淡雅适宜\n", "text: 女员工妆容淡雅\n")
    change = only_item_change(diff_with(default, text))
    assert (change.item_id, change.kind, change.text) == (
        "appearance.makeup",
        "changed",
        "女员工妆容淡雅",
    )
    assert change.changes == (FieldChange("text", "女员工妆容淡雅适宜", "女员工妆容淡雅"),)


def test_item_added(default: ChecklistDefinition) -> None:
    text = edit_item(SOURCE, "appearance.posture", "points: 2\n", "points: 2\n" + NEW_ITEM)
    change = only_item_change(diff_with(default, text))
    assert change == ItemChange("appearance.nails", "added", "appearance", "指甲修剪整齐")


def test_item_removed(default: ChecklistDefinition) -> None:
    change = only_item_change(diff_with(default, remove_item(SOURCE, "behaviour.no_grooming")))
    assert (change.item_id, change.kind, change.section_id, change.changes) == (
        "behaviour.no_grooming",
        "removed",
        "behaviour",
        (),
    )
    assert change.text == default.item("behaviour.no_grooming").text


def test_item_moved_to_another_section(default: ChecklistDefinition) -> None:
    block = item_block(SOURCE, "hygiene.restroom")
    text = remove_item(SOURCE, "hygiene.restroom")
    text = replace_once(
        text, "      - id: devices.self_service\n", block + "      - id: devices.self_service\n"
    )
    change = only_item_change(diff_with(default, text))
    assert (change.item_id, change.kind, change.section_id) == (
        "hygiene.restroom",
        "changed",
        "devices",
    )
    assert change.changes == (FieldChange("section", "hygiene", "devices"),)


def test_veto_flag_changed(default: ChecklistDefinition) -> None:
    text = edit_item(SOURCE, "behaviour.no_smoking", "veto: true", "veto: false")
    change = only_item_change(diff_with(default, text))
    assert change.item_id == "behaviour.no_smoking"
    assert change.changes == (FieldChange("veto", True, False),)


def test_show_if_added(default: ChecklistDefinition) -> None:
    condition = "        show_if: {item: hygiene.light_air_temperature, equals: pass}\n"
    text = edit_item(SOURCE, "hygiene.waiting_area", "points: 2\n", "points: 2\n" + condition)
    change = only_item_change(diff_with(default, text))
    assert change.item_id == "hygiene.waiting_area"
    assert change.changes == (
        FieldChange("show_if", None, {"item": "hygiene.light_air_temperature", "in": ["pass"]}),
    )


def test_choice_option_points_changed(default: ChecklistDefinition) -> None:
    text = edit_item(SOURCE, "phrasing.greeting", "points: 2\n", "points: 1\n")
    change = only_item_change(diff_with(default, text))
    assert change.item_id == "phrasing.greeting"
    [field_change] = change.changes
    assert field_change.field == "config"
    assert field_change.old == default.item("phrasing.greeting").config
    assert [option["points"] for option in field_change.old["options"]] == [4, 2, 0]
    assert [option["points"] for option in field_change.new["options"]] == [4, 1, 0]


def test_section_weight_changed(default: ChecklistDefinition) -> None:
    text = replace_once(
        SOURCE,
        "title_en: Hall environment\n    weight: 15",
        "title_en: Hall environment\n    weight: 17.5",
    )
    diff = diff_with(default, text)
    assert diff.sections == (("hygiene", "weight", "15", "17.5"),)
    assert (diff.items, diff.rating, diff.title) == ((), (), None)


def test_section_added(default: ChecklistDefinition) -> None:
    diff = diff_with(default, SOURCE.rstrip("\n") + "\n" + NEW_SECTION)
    assert diff.sections == (("security", "added", None, "安全防范"),)
    assert diff.items == (ItemChange("security.exits", "added", "security", "安全出口畅通"),)


def test_section_removed(default: ChecklistDefinition) -> None:
    start = SOURCE.index("  - id: devices\n")
    end = SOURCE.index("  - id: process\n")
    diff = diff_with(default, SOURCE[:start] + SOURCE[end:])
    devices = [item for item in default.items if item.section_id == "devices"]
    assert diff.sections == (("devices", "removed", "设备维护", None),)
    assert [(c.item_id, c.kind, c.section_id) for c in diff.items] == [
        (item.id, "removed", "devices") for item in devices
    ]


def test_star_thresholds_changed(default: ChecklistDefinition) -> None:
    text = replace_once(SOURCE, "4: 85, 5: 95}", "4: 85, 5: 92.5}")
    diff = diff_with(default, text)
    assert diff.rating == (
        ("star_thresholds", ["0", "60", "75", "85", "95"], ["0", "60", "75", "85", "92.5"]),
    )
    assert (diff.items, diff.sections, diff.title) == ((), (), None)


def test_min_inspections_changed(default: ChecklistDefinition) -> None:
    diff = diff_with(default, replace_once(SOURCE, "min_inspections: 2", "min_inspections: 3"))
    assert diff.rating == (("min_inspections", 2, 3),)
    assert not diff.is_empty


def test_veto_rules_changed(default: ChecklistDefinition) -> None:
    text = replace_once(
        SOURCE, "max_percent: 0\n    max_stars: 1", "max_percent: 50\n    max_stars: 2"
    )
    diff = diff_with(default, text)
    assert diff.rating == (("veto_max_percent", "0", "50"), ("veto_max_stars", 1, 2))


def test_title_changed(default: ChecklistDefinition) -> None:
    diff = diff_with(
        default,
        replace_once(SOURCE, "title: 营业厅暗访检查表\n", "title: 营业厅暗访检查表（2025版）\n"),
    )
    assert diff.title == ("营业厅暗访检查表", "营业厅暗访检查表（2025版）")
    assert (diff.items, diff.sections, diff.rating) == ((), (), ())
    assert not diff.is_empty


def test_several_changes_all_reported(default: ChecklistDefinition) -> None:
    text = replace_once(SOURCE, "title: 营业厅暗访检查表\n", "title: 新检查表\n")
    text = replace_once(text, "min_inspections: 2", "min_inspections: 1")
    text = replace_once(
        text, "title_en: Device upkeep\n    weight: 10", "title_en: Device upkeep\n    weight: 12"
    )
    text = edit_item(
        text,
        "process.fees",
        "points: 3\n",
        "points: 4\n        veto: true\n        photo: always\n",
    )
    text = edit_item(text, "appearance.posture", "points: 2\n", "points: 2\n" + NEW_ITEM)
    text = remove_item(text, "uniform.clean")
    diff = diff_with(default, text)
    assert diff.title == ("营业厅暗访检查表", "新检查表")
    assert diff.rating == (("min_inspections", 2, 1),)
    assert diff.sections == (("devices", "weight", "10", "12"),)
    assert [(c.item_id, c.kind) for c in diff.items] == [
        ("appearance.nails", "added"),
        ("process.fees", "changed"),
        ("uniform.clean", "removed"),
    ]
    assert diff.items[1].changes == (
        FieldChange("points", "3", "4"),
        FieldChange("photo", "never", "always"),
        FieldChange("veto", False, True),
    )
    # Plain values all the way down: the whole diff serializes to JSON.
    json.dumps(dataclasses.asdict(diff), ensure_ascii=False)


def test_order_within_section_is_not_a_change(default: ChecklistDefinition) -> None:
    block = item_block(SOURCE, "appearance.hair_men")
    text = remove_item(SOURCE, "appearance.hair_men")
    text = edit_item(text, "appearance.posture", "points: 2\n", "points: 2\n" + block)
    edited = load(text)
    assert [i.id for i in edited.items] != [i.id for i in default.items]
    assert diff_definitions(default, edited).is_empty


def test_section_order_is_not_a_change(default: ChecklistDefinition) -> None:
    reordered = dataclasses.replace(default, sections=tuple(reversed(default.sections)))
    assert diff_definitions(default, reordered).is_empty


def test_items_in_new_order_then_removed_in_old_order(default: ChecklistDefinition) -> None:
    text = remove_item(SOURCE, "process.satisfaction")
    text = remove_item(text, "appearance.makeup")
    text = edit_item(text, "process.fees", "points: 3\n", "points: 1\n")
    text = edit_item(text, "appearance.posture", "points: 2\n", "points: 2\n" + NEW_ITEM)
    text = replace_once(text, "text: 办结后清点证件", "text: 办结后清点全部证件")
    diff = diff_with(default, text)
    assert [(c.item_id, c.kind) for c in diff.items] == [
        ("appearance.nails", "added"),
        ("process.fees", "changed"),
        ("process.handover", "changed"),
        ("appearance.makeup", "removed"),
        ("process.satisfaction", "removed"),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("2"), "2"),
        (Decimal("2.50"), "2.5"),
        (Decimal("10"), "10"),
        (Decimal("0.000"), "0"),
        ((Decimal("1"), "pass"), ["1", "pass"]),
        ({"bands": [{"upto": 5, "points": 4}]}, {"bands": [{"upto": 5, "points": 4}]}),
        (None, None),
    ],
)
def test_plain_value(value: object, expected: object) -> None:
    assert plain_value(value) == expected
