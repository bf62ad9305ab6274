"""Checklists edited in Excel: the round trip, errors by sheet and row, and unsafe files."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from inspect_app.checklists.loader import LoadResult, load_checklist_file
from inspect_app.checklists.xlsx import ITEM_COLUMNS, checklist_to_xlsx
from inspect_app.checklists.xlsx_reader import checklist_from_xlsx
from inspect_app.config import PROJECT_ROOT

DEFAULT_CHECKLIST = PROJECT_ROOT / "checklists" / "business-hall-mystery-shop.yaml"
DATA = Path(__file__).parent.parent / "data"
ALL_TYPES = DATA / "checklists" / "all-types.yaml"
COLUMNS = list(ITEM_COLUMNS)
# Rows of the all-types checklist's items sheet, and of its rating sheet.
ROW = {
    "desk.greeting": 2, "desk.id_check": 3, "desk.agreement": 4, "desk.attitude": 5,
    "hall.cleanliness": 6, "hall.waiting_minutes": 7, "hall.restroom": 8, "hall.remark": 9,
}  # fmt: skip
RATING_ROW = {
    "key": 2, "title": 3, "1星": 7, "2星": 8, "3星": 9, "min_inspections": 12,
    "fail_below": 15, "staff_min_items": 16,
}  # fmt: skip


def definition_dict(path: Path = ALL_TYPES) -> dict:
    result = load_checklist_file(path)
    assert result.ok, result.errors
    return result.definition.to_dict()


def edited(edit: Callable[[Workbook], None], path: Path = ALL_TYPES) -> bytes:
    """Export a checklist, change the workbook as a person would in Excel, and save it."""
    workbook = load_workbook(io.BytesIO(checklist_to_xlsx(definition_dict(path))))
    edit(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def set_cell(item_id: str, column: str, value: object) -> Callable[[Workbook], None]:
    def edit(workbook: Workbook) -> None:
        workbook["检查项"].cell(ROW[item_id], COLUMNS.index(column) + 1).value = value

    return edit


def set_rating(key: str, value: object) -> Callable[[Workbook], None]:
    def edit(workbook: Workbook) -> None:
        workbook["评级规则"].cell(RATING_ROW[key], 2).value = value

    return edit


def located(result: LoadResult) -> list[tuple[str, int | None]]:
    return [(error.source, error.line) for error in result.errors]


@pytest.mark.parametrize("path", [DEFAULT_CHECKLIST, ALL_TYPES], ids=["default", "all-types"])
def test_round_trip_keeps_the_content_hash(path):
    original = load_checklist_file(path).definition
    result = checklist_from_xlsx(checklist_to_xlsx(original.to_dict()), "checklist.xlsx")
    assert result.ok, [str(e) for e in result.errors]
    assert result.definition.content_hash() == original.content_hash()
    assert result.definition.to_dict() == original.to_dict()


def test_workbook_layout():
    workbook = load_workbook(io.BytesIO(checklist_to_xlsx(definition_dict(DEFAULT_CHECKLIST))))
    assert workbook.sheetnames == ["检查项", "评级规则"]
    items = workbook["检查项"]
    assert [c.value for c in items[1]] == [
        "部分编号", "部分名称", "部分名称(英文)", "部分权重", "检查项编号", "检查内容",
        "检查内容(英文)", "标准说明", "标准说明(英文)", "类型", "分值", "不合格线", "拍照", "涉及员工",
        "一票否决", "必答", "可不适用", "显示条件-检查项", "显示条件-取值", "类型参数",
    ]  # fmt: skip
    assert items.freeze_panes == "A2" and workbook["评级规则"].freeze_panes == "A2"
    assert items.max_row == 1 + 67
    assert all((items.column_dimensions[c].width or 0) >= 7 for c in "ABCDEFGHIJKLMNOPQRST")
    row = [c.value for c in items[1 + [c.value for c in items["E"]].index("hygiene.cleanliness")]]
    assert row[COLUMNS.index("类型参数")] == '{"max": 4}'
    row = [c.value for c in items[1 + [c.value for c in items["E"]].index("devices.fault_handling")]]  # fmt: skip
    assert row[COLUMNS.index("显示条件-检查项") :][:2] == ["devices.self_service", "fail"]
    rating = {row[0].value: row[1].value for row in workbook["评级规则"].iter_rows(min_row=2)}
    assert rating["key"] == "business-hall-mystery-shop"
    assert [rating[f"{n}星"] for n in range(1, 6)] == [0, 60, 75, 85, 95]
    assert (rating["min_inspections"], rating["veto_max_percent"], rating["veto_max_stars"]) == (2, 0, 1)  # fmt: skip
    # The failure rules are written out even where the checklist keeps the defaults.
    assert (rating["fail_below"], rating["staff_min_items"]) == (0.5, 10)
    shares = {
        row[4].value: row[COLUMNS.index("不合格线")].value for row in items.iter_rows(min_row=2)
    }
    assert shares["behaviour.attitude"] == 0.75 and shares["process.waiting_minutes"] == 0.4
    assert shares["process.handling_minutes"] is None  # the rule's 0.5


def thresholds_dict() -> dict:
    """The all-types checklist with its own failure rules and two items' own shares."""
    data = definition_dict()
    data["rating"] |= {"fail_below": 0.6, "staff_min_items": 12}
    items = {item["id"]: item for s in data["sections"] for item in s["items"]}
    items["desk.attitude"]["fail_below"] = 0.75
    items["hall.waiting_minutes"]["fail_below"] = 0.4
    return data


def test_round_trip_keeps_failure_thresholds():
    data = thresholds_dict()
    workbook = load_workbook(io.BytesIO(checklist_to_xlsx(data)))
    items = workbook["检查项"]
    assert items.cell(ROW["desk.attitude"], COLUMNS.index("不合格线") + 1).value == 0.75
    result = checklist_from_xlsx(checklist_to_xlsx(data), "t.xlsx")
    assert result.ok, [str(e) for e in result.errors]
    assert result.definition.to_dict() == data
    definition = result.definition
    assert (definition.rating.fail_below, definition.rating.staff_min_items) == (
        Decimal("0.6"),
        12,
    )
    assert definition.fail_below(definition.item("desk.attitude")) == Decimal("0.75")
    assert definition.fail_below(definition.item("desk.greeting")) == Decimal("0.6")


@pytest.mark.parametrize("typed", ["75%", "75 ％", 0.75, "0.75"])
def test_an_items_share_may_be_typed_as_a_percentage(typed):
    result = checklist_from_xlsx(edited(set_cell("desk.attitude", "不合格线", typed)), "x.xlsx")
    assert result.ok, [str(e) for e in result.errors]
    assert result.definition.item("desk.attitude").fail_below == Decimal("0.75")


def test_a_workbook_from_before_the_failure_rules_takes_the_defaults():
    def drop(workbook: Workbook) -> None:
        workbook["检查项"].delete_cols(COLUMNS.index("不合格线") + 1)
        workbook["评级规则"].delete_rows(RATING_ROW["fail_below"], 2)

    original = load_checklist_file(ALL_TYPES).definition
    result = checklist_from_xlsx(edited(drop), "old.xlsx")
    assert result.ok, [str(e) for e in result.errors]
    assert result.definition.content_hash() == original.content_hash()
    assert result.definition.rating.fail_below == Decimal("0.5")


def test_changing_one_items_points_gives_a_new_hash():
    original = load_checklist_file(ALL_TYPES).definition
    result = checklist_from_xlsx(edited(set_cell("desk.attitude", "分值", 6)), "edited.xlsx")
    assert result.ok
    assert result.definition.content_hash() != original.content_hash()
    assert result.definition.item("desk.attitude").points == 6


def test_text_that_looks_like_a_formula_stays_text():
    data = definition_dict()
    data["sections"][0]["items"][1]["text"] = '=HYPERLINK("http://x")'
    workbook_bytes = checklist_to_xlsx(data)
    cell = load_workbook(io.BytesIO(workbook_bytes))["检查项"]["F3"]
    assert cell.data_type == "s"
    result = checklist_from_xlsx(workbook_bytes, "x.xlsx")
    assert result.definition.item("desk.id_check").text == '=HYPERLINK("http://x")'


@pytest.mark.parametrize(
    ("yes", "no"), [(True, False), ("TRUE", "FALSE"), ("是", "否"), ("Y", "n"), (1, 0), ("1", "0")]
)
def test_booleans_in_any_spelling(yes, no):
    def edit(workbook: Workbook) -> None:
        sheet = workbook["检查项"]
        for row in range(2, sheet.max_row + 1):
            for column in ("涉及员工", "一票否决", "必答", "可不适用"):
                cell = sheet.cell(row, COLUMNS.index(column) + 1)
                cell.value = yes if cell.value == "是" else no

    original = load_checklist_file(ALL_TYPES).definition
    result = checklist_from_xlsx(edited(edit), "x.xlsx")
    assert result.ok, [str(e) for e in result.errors]
    assert result.definition.content_hash() == original.content_hash()


def test_blank_optional_cells_take_the_defaults():
    def edit(workbook: Workbook) -> None:
        sheet = workbook["检查项"]
        for row in range(2, sheet.max_row + 1):
            for column in ("拍照", "可不适用", "必答", "一票否决"):
                cell = sheet.cell(row, COLUMNS.index(column) + 1)
                cell.value = None

    result = checklist_from_xlsx(edited(edit), "x.xlsx")
    assert result.ok, [str(e) for e in result.errors]
    assert result.definition.item("desk.agreement").allow_na is True
    assert result.definition.item("hall.remark").required is False


ERRORS = [
    pytest.param(set_cell("desk.attitude", "类型", "starz"), "检查项", 5, "Unknown item type `starz`", id="unknown-type"),
    pytest.param(set_cell("desk.agreement", "检查项编号", "desk.id_check"), "检查项", 4, "is used twice", id="duplicate-id"),
    pytest.param(set_cell("hall.waiting_minutes", "类型参数", '{"max": 4'), "检查项", 7, "类型参数 is not valid JSON", id="bad-json"),
    pytest.param(set_cell("hall.waiting_minutes", "类型参数", "[4]"), "检查项", 7, "must be a JSON object", id="json-list"),
    pytest.param(set_cell("hall.cleanliness", "类型参数", '{"max": 4, "points": 2}'), "检查项", 6, "may not set `points`", id="json-sets-points"),
    pytest.param(set_cell("hall.waiting_minutes", "类型参数", '{"max": 240}'), "检查项", 7, "A number needs `bands`", id="no-bands"),
    pytest.param(set_rating("3星", 40), "评级规则", 9, "Star thresholds must increase", id="thresholds"),
    pytest.param(set_rating("1星", 5), "评级规则", 7, "The 1-star threshold must be 0", id="first-threshold"),
    pytest.param(set_rating("min_inspections", "two"), "评级规则", 12, "`min_inspections` must be", id="min-inspections"),
    pytest.param(set_rating("title", None), "评级规则", 1, "`title` is required", id="no-title"),
    pytest.param(set_rating("key", "Not A Key"), "评级规则", 2, "`key` may use lowercase", id="key"),
    pytest.param(set_cell("desk.id_check", "一票否决", "maybe"), "检查项", 3, "一票否决 must be 是 or 否", id="boolean"),
    pytest.param(set_cell("desk.agreement", "部分权重", 3), "检查项", 4, "部分权重 differs from row 2", id="section-weight"),
    pytest.param(set_cell("hall.restroom", "部分名称", "大厅"), "检查项", 8, "部分名称 differs from row 6", id="section-title"),
    pytest.param(set_cell("desk.agreement", "显示条件-取值", None), "检查项", 4, "Fill in both", id="half-condition"),
    pytest.param(set_cell("hall.restroom", "显示条件-取值", "0|1|9"), "检查项", 8, "`9` is not a possible answer", id="condition-value"),
    pytest.param(set_cell("desk.attitude", "检查内容", None), "检查项", 5, "`text` is required", id="no-text"),
    pytest.param(set_cell("desk.attitude", "分值", "many"), "检查项", 5, "`points` must be a number", id="points"),
    pytest.param(set_cell("hall.remark", "分值", 1), "检查项", 9, "A text item is not scored", id="text-points"),
    pytest.param(set_cell("desk.attitude", "部分编号", None), "检查项", 5, "has no 部分编号", id="no-section"),
    pytest.param(set_cell("desk.attitude", "不合格线", 1.5), "检查项", 5, "`fail_below` must be a share", id="share-above-one"),
    pytest.param(set_cell("desk.attitude", "不合格线", "half"), "检查项", 5, "`fail_below` must be a share", id="share-words"),
    pytest.param(set_cell("hall.remark", "不合格线", 0.5), "检查项", 9, "A text item cannot fail", id="share-on-text"),
    pytest.param(set_rating("fail_below", "0%"), "评级规则", 15, "`fail_below` must be a share", id="rating-share"),
    pytest.param(set_rating("staff_min_items", 0), "评级规则", 16, "`staff_min_items` must be", id="staff-min"),
]  # fmt: skip


@pytest.mark.parametrize(("edit", "sheet", "row", "message"), ERRORS)
def test_errors_name_the_sheet_and_row(edit, sheet, row, message):
    result = checklist_from_xlsx(edited(edit), "edited.xlsx")
    assert result.definition is None
    assert (f"edited.xlsx#{sheet}", row) in located(result), [str(e) for e in result.errors]
    assert any(message in e.message for e in result.errors if e.line == row)
    assert {e.line for e in result.errors} == {row}


def test_every_error_in_a_workbook_is_reported():
    result = checklist_from_xlsx((DATA / "xlsx" / "checklist-errors.xlsx").read_bytes(), "c.xlsx")
    assert [str(e) for e in result.errors] == [
        "c.xlsx#检查项:4: [desk.id_check] Item id `desk.id_check` is used twice.",
        "c.xlsx#检查项:5: [desk.attitude] Unknown item type `starz`; use one of: choice, number, pass_fail, scale, stars, text.",
        "c.xlsx#检查项:7: [hall.waiting_minutes] 类型参数 is not valid JSON: Expecting ',' delimiter: line 1 column 22 (char 21).",
        "c.xlsx#检查项:7: [hall.waiting_minutes] A number needs `max`, larger than `min`.",
        "c.xlsx#检查项:7: [hall.waiting_minutes] A number needs `bands`: a list of {upto, points}.",
        "c.xlsx#评级规则:9: Star thresholds must increase: 3 stars needs more than 2 stars.",
    ]


def test_rows_of_one_section_may_be_apart():
    def move_first_row_to_the_end(workbook: Workbook) -> None:
        sheet = workbook["检查项"]
        sheet.append([c.value for c in sheet[2]])
        sheet.delete_rows(2)

    result = checklist_from_xlsx(edited(move_first_row_to_the_end), "x.xlsx")
    assert result.ok
    assert [i.id for i in result.definition.sections[0].items][-1] == "desk.greeting"


def test_full_width_brackets_in_headers_are_accepted():
    def full_width(workbook: Workbook) -> None:
        for cell in workbook["检查项"][1]:
            cell.value = cell.value.replace("(", "（").replace(")", "）")

    assert checklist_from_xlsx(edited(full_width), "x.xlsx").ok


@pytest.mark.parametrize("column", ["类型", "分值", "部分编号"])
def test_missing_column_is_one_error_on_the_header_row(column):
    def drop(workbook: Workbook) -> None:
        workbook["检查项"].delete_cols(COLUMNS.index(column) + 1)

    result = checklist_from_xlsx(edited(drop), "x.xlsx")
    assert [str(e) for e in result.errors] == [f"x.xlsx#检查项:1: The column {column} is missing."]


def test_unknown_column_and_unknown_rating_key_are_errors():
    def add(workbook: Workbook) -> None:
        workbook["检查项"].cell(1, len(COLUMNS) + 1).value = "备注"
        workbook["评级规则"].append(["stars", 3])

    result = checklist_from_xlsx(edited(add), "x.xlsx")
    assert [str(e) for e in result.errors] == ["x.xlsx#检查项:1: Unknown column 备注."]


@pytest.mark.parametrize("sheet", ["检查项", "评级规则"])
def test_missing_sheet(sheet):
    def remove(workbook: Workbook) -> None:
        workbook.remove(workbook[sheet])

    result = checklist_from_xlsx(edited(remove), "x.xlsx")
    assert [str(e) for e in result.errors] == [f"x.xlsx: The workbook has no sheet named {sheet}."]


def test_empty_items_sheet():
    def clear(workbook: Workbook) -> None:
        workbook["检查项"].delete_rows(2, 100)

    result = checklist_from_xlsx(edited(clear), "x.xlsx")
    assert located(result) == [("x.xlsx#检查项", 1)]
    assert "`sections` must be a list" in result.errors[0].message


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(60):
                member.write(bytes(1 << 20))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"key: x\ntitle: y\n", "not an Excel workbook"),
        ((DATA / "xlsx" / "html-table.xlsx").read_bytes(), "not an Excel workbook"),
        ((DATA / "xlsx" / "encrypted.xlsx").read_bytes(), "password-protected"),
        ((DATA / "xlsx" / "truncated.xlsx").read_bytes(), "damaged"),
        (zip_bomb(), "more than 50 MB"),
    ],
    ids=["empty", "yaml", "html", "encrypted", "truncated", "zip-bomb"],
)
def test_files_that_are_not_a_good_xlsx_give_one_error(data, message):
    result = checklist_from_xlsx(data, "upload.xlsx")
    assert result.definition is None
    assert [(e.source, e.line) for e in result.errors] == [("upload.xlsx", None)]
    assert message in result.errors[0].message


def test_too_many_rows():
    def grow(workbook: Workbook) -> None:
        sheet = workbook["检查项"]
        for _ in range(5):
            sheet.append([c.value for c in sheet[2]])

    result = checklist_from_xlsx(edited(grow), "x.xlsx", max_rows=10)
    assert [e.message for e in result.errors] == [
        "The sheet 检查项 has more than 10 rows; split it into smaller files."
    ]


SAMPLE = (DATA / "xlsx" / "checklist-errors.xlsx").read_bytes()


@settings(max_examples=60)
@given(st.data())
def test_damaged_workbooks_never_raise(data):
    damaged = bytearray(SAMPLE)
    for _ in range(data.draw(st.integers(1, 8))):
        damaged[data.draw(st.integers(0, len(damaged) - 1))] = data.draw(st.integers(0, 255))
    result = checklist_from_xlsx(bytes(damaged[: data.draw(st.integers(1, len(damaged)))]), "x")
    assert result.definition is None and result.errors
