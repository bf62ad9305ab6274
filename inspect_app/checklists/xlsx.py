"""Checklists edited in Excel: the workbook's sheets and columns, and the workbook written for a version.

The workbook is read back from an upload by `inspect_app.checklists.xlsx_reader`.
"""

from __future__ import annotations

import io
import json
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from inspect_app.checklists.definition import (
    DEFAULT_FAIL_BELOW,
    DEFAULT_STAFF_MIN_ITEMS,
    PHOTO_RULES,
    to_json_number,
)
from inspect_app.checklists.item_types import get_item_type, item_type_keys

ITEMS_SHEET = "检查项"
RATING_SHEET = "评级规则"

SECTION_COLUMNS = {"部分名称": "title", "部分名称(英文)": "title_en", "部分权重": "weight"}
TEXT_COLUMNS = {
    "检查项编号": "id", "检查内容": "text", "检查内容(英文)": "text_en", "标准说明": "guidance",
    "标准说明(英文)": "guidance_en", "类型": "type", "拍照": "photo",
}  # fmt: skip
FLAG_COLUMNS = {"涉及员工": "staff", "一票否决": "veto", "必答": "required", "可不适用": "na"}
#: Every column of the items sheet with its width, in order.
ITEM_COLUMNS = {
    "部分编号": 14, "部分名称": 12, "部分名称(英文)": 16, "部分权重": 9, "检查项编号": 26,
    "检查内容": 40, "检查内容(英文)": 40, "标准说明": 50, "标准说明(英文)": 50, "类型": 10,
    "分值": 7, "不合格线": 9, "拍照": 9, "涉及员工": 9, "一票否决": 9, "必答": 7, "可不适用": 9,
    "显示条件-检查项": 24, "显示条件-取值": 14, "类型参数": 60,
}  # fmt: skip
REQUIRED_ITEM_COLUMNS = ("部分编号", "部分名称", "部分权重", "检查项编号", "检查内容", "类型", "分值")  # fmt: skip
RATING_COLUMNS = ("键", "值", "说明")
TOP_TEXT_KEYS = ("key", "title", "title_en", "description", "description_en")
RATING_ROWS = {
    "key": "检查表标识：小写字母、数字和连字符，修改后即成为另一张检查表",
    "title": "检查表名称", "title_en": "检查表名称（英文）",
    "description": "说明", "description_en": "说明（英文）",
    **{f"{n}星": f"{n}星所需的最低得分率（%）" + ("，必须为0" if n == 1 else "") for n in range(1, 6)},
    "min_inspections": "星级评定所需的最少暗访次数",
    "veto_max_percent": "一票否决项不合格时，本次得分率的上限（%）",
    "veto_max_stars": "期内有一票否决时，门店星级的上限",
    "fail_below": "不合格线：检查项得分低于其分值的这一比例即为不合格（大于0且不超过1，如0.5，也可写50%）；"
                  "高于此线的部分得分只扣分，不算不合格。检查项表的“不合格线”列可为单项另设",
    "staff_min_items": "员工考核：一期内观察到的员工项目达到此数，结果才算样本充足",
}  # fmt: skip
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def checklist_to_xlsx(definition_dict: dict) -> bytes:
    """Write a checklist's canonical dict as a workbook with sheets 检查项 and 评级规则."""
    workbook = Workbook()
    items = workbook.active
    items.title = ITEMS_SHEET
    _header(items, ITEM_COLUMNS)
    for section in definition_dict["sections"]:
        for item in section["items"]:
            _append(items, _item_row(section, item))
    last = max(items.max_row, 2) + 200
    _dropdown(items, "类型", item_type_keys(), last)
    _dropdown(items, "拍照", list(PHOTO_RULES), last)
    for column in FLAG_COLUMNS:
        _dropdown(items, column, ["是", "否"], last)

    rating_sheet = workbook.create_sheet(RATING_SHEET)
    _header(rating_sheet, dict(zip(RATING_COLUMNS, (18, 60, 60), strict=True)))
    rating = definition_dict["rating"]
    values: dict[str, Any] = {key: definition_dict.get(key) for key in TOP_TEXT_KEYS}
    values |= {f"{n}星": t for n, t in enumerate(rating["star_thresholds"], start=1)}
    values["min_inspections"] = rating["min_inspections"]
    values["veto_max_percent"] = rating["veto"]["max_percent"]
    values["veto_max_stars"] = rating["veto"]["max_stars"]
    # Written out even when they are the defaults, so that HR sees the rule in force.
    values["fail_below"] = rating.get("fail_below", to_json_number(DEFAULT_FAIL_BELOW))
    values["staff_min_items"] = rating.get("staff_min_items", DEFAULT_STAFF_MIN_ITEMS)
    for key, note in RATING_ROWS.items():
        _append(rating_sheet, [key, values.get(key), note])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _item_row(section: dict, item: dict) -> list[Any]:
    show_if = item.get("show_if")
    targets = show_if.get("in", [show_if.get("equals")]) if show_if else []
    config = item.get("config") or {}
    scored = get_item_type(item["type"]).scored
    flags = [item[key] for key in FLAG_COLUMNS.values()]
    return [
        section["id"], section["title"], section.get("title_en"), section["weight"],
        item["id"], item["text"], item.get("text_en"), item.get("guidance"),
        item.get("guidance_en"), item["type"], item["points"] if scored else None,
        item.get("fail_below"), item["photo"], *("是" if flag else "否" for flag in flags),
        show_if["item"] if show_if else None, "|".join(map(str, targets)) or None,
        json.dumps(config, ensure_ascii=False) if config else None,
    ]  # fmt: skip


def _header(sheet: Worksheet, columns: dict[str, int]) -> None:
    sheet.append(list(columns))
    for index, width in enumerate(columns.values(), start=1):
        cell = sheet.cell(1, index)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _append(sheet: Worksheet, values: list[Any]) -> None:
    clean = [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values]
    sheet.append(clean)
    for cell in sheet[sheet.max_row]:
        # Text that starts with "=" must stay text, never become a formula.
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


def _dropdown(sheet: Worksheet, column: str, choices: list[str], last_row: int) -> None:
    letter = get_column_letter(list(ITEM_COLUMNS).index(column) + 1)
    validation = DataValidation(type="list", formula1=f'"{",".join(choices)}"', allow_blank=True)
    sheet.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}{last_row}")
