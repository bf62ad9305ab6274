"""Checklists edited in Excel, read back from an upload and validated like a YAML file.

`checklist_from_xlsx` builds the same document the YAML loader validates, out of
LineDict/LineList nodes whose lines are spreadsheet rows, so every loader error
points at a sheet and a row. Rows of the rating sheet are numbered from
RATING_LINE_OFFSET so that both sheets fit in one line space. The sheets and columns are
those `inspect_app.checklists.xlsx` writes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

from inspect_app.checklists.definition import to_json_number
from inspect_app.checklists.loader import ITEM_KEYS, ChecklistError, LoadResult, validate_document
from inspect_app.checklists.xlsx import (
    FLAG_COLUMNS,
    ITEM_COLUMNS,
    ITEMS_SHEET,
    RATING_COLUMNS,
    RATING_ROWS,
    RATING_SHEET,
    REQUIRED_ITEM_COLUMNS,
    SECTION_COLUMNS,
    TEXT_COLUMNS,
    TOP_TEXT_KEYS,
)
from inspect_app.checklists.yaml_source import LineDict, LineList
from inspect_app.workbook_upload import SheetRows, XlsxFileError, read_sheets

#: Most item rows a checklist workbook may hold.
MAX_CHECKLIST_ROWS = 2_000
RATING_LINE_OFFSET = 1_000_000
YES = {"TRUE", "是", "Y", "YES", "1"}
NO = {"FALSE", "否", "N", "NO", "0"}


def checklist_from_xlsx(
    data: bytes, source: str, *, max_rows: int = MAX_CHECKLIST_ROWS
) -> LoadResult:
    """Read a checklist workbook and validate it like a YAML file; errors name sheet and row."""
    try:
        sheets = read_sheets(data, (ITEMS_SHEET, RATING_SHEET), max_rows=max_rows)
    except XlsxFileError as exc:
        return LoadResult(None, [ChecklistError(source, None, None, str(exc))])
    builder = _DocumentBuilder(source)
    doc = builder.build(sheets)
    if doc is None:
        return LoadResult(None, builder.errors)
    result = validate_document(doc, source)
    errors = builder.errors + [_locate(error, source) for error in result.errors]
    if errors:
        errors.sort(key=lambda e: (e.source, e.line or 0))
        return LoadResult(None, errors)
    return result


def _locate(error: ChecklistError, source: str) -> ChecklistError:
    if error.line is None:
        return error
    if error.line >= RATING_LINE_OFFSET:
        sheet, line = RATING_SHEET, error.line - RATING_LINE_OFFSET
    else:
        sheet, line = ITEMS_SHEET, error.line
    return ChecklistError(f"{source}#{sheet}", line, error.item_id, error.message)


def _node(cls: type, line: int, *args: Any) -> Any:
    node = cls(*args)
    node.line = line
    if cls is LineDict:
        node.key_lines = {}
    else:
        node.item_lines = []
    return node


def _put(node: LineDict, key: Any, value: Any, line: int) -> None:
    node[key] = value
    node.key_lines[key] = line


def _text(value: Any) -> Any:
    """Return stripped text (None if blank); numbers become text, anything else is kept."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(_number(value))
    return value


def _number(value: Any) -> Any:
    """Return an int or float for a numeric cell or numeric text; anything else is kept."""
    if isinstance(value, bool) or value is None:
        return value
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return _text(value)
    return to_json_number(number) if number.is_finite() else value


def _share(value: Any) -> Any:
    """Return a share as a number; text such as "50%" is read as 0.5."""
    text = _text(value)
    if isinstance(text, str) and text.endswith(("%", "％")):
        try:
            number = Decimal(text[:-1].strip()) / 100
        except InvalidOperation:
            return text
        return to_json_number(number) if number.is_finite() else text
    return _number(value)


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value)
    if isinstance(text, str) and text.upper() in YES | NO:
        return text.upper() in YES
    return None


def _normal_header(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else str(value or "")
    return text.replace("（", "(").replace("）", ")")


class _DocumentBuilder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[ChecklistError] = []

    def error(self, sheet: str, line: int | None, message: str, item_id: Any = None) -> None:
        where = f"{self.source}#{sheet}" if line is not None else self.source
        item = item_id if isinstance(item_id, str) else None
        self.errors.append(ChecklistError(where, line, item, message))

    def columns(
        self, sheet: str, rows: SheetRows, allowed: Sequence[str], required: Sequence[str]
    ) -> dict[str, int] | None:
        """Return {header: index} of the first row, or None after reporting what is wrong."""
        errors_before = len(self.errors)
        if not rows or rows[0][0] != 1:
            self.error(sheet, 1, _("The first row must hold the column names."))
            return None
        index: dict[str, int] = {}
        for position, raw in enumerate(rows[0][1]):
            header = _normal_header(raw)
            if header and header not in allowed:
                self.error(sheet, 1, _("Unknown column %(column)s.", column=header))
            elif header in index:
                self.error(sheet, 1, _("The column %(column)s appears twice.", column=header))
            elif header:
                index[header] = position
        for header in required:
            if header not in index:
                self.error(sheet, 1, _("The column %(column)s is missing.", column=header))
        return index if len(self.errors) == errors_before else None

    def build(self, sheets: dict[str, SheetRows]) -> LineDict | None:
        """Return the checklist document, or None if a sheet or column is missing."""
        for name in (ITEMS_SHEET, RATING_SHEET):
            if name not in sheets:
                self.error(name, None, _("The workbook has no sheet named %(sheet)s.", sheet=name))
        if self.errors:
            return None
        items = sheets[ITEMS_SHEET]
        rating = sheets[RATING_SHEET]
        item_columns = self.columns(ITEMS_SHEET, items, list(ITEM_COLUMNS), REQUIRED_ITEM_COLUMNS)
        rating_columns = self.columns(RATING_SHEET, rating, RATING_COLUMNS, RATING_COLUMNS[:2])
        if item_columns is None or rating_columns is None:
            return None
        doc = self.rating_document(rating[1:], rating_columns)
        _put(doc, "sections", self.sections(items[1:], item_columns), 1)
        return doc

    def rating_document(self, rows: SheetRows, columns: dict[str, int]) -> LineDict:
        header_line = RATING_LINE_OFFSET + 1
        doc, rating, thresholds, veto = (_node(LineDict, header_line) for _ in range(4))
        seen: dict[str, int] = {}
        for number, values in rows:
            line = RATING_LINE_OFFSET + number
            key, value = _text(values[columns["键"]]), _text(values[columns["值"]])
            star = re.fullmatch(r"([1-5])\s*星", key) if isinstance(key, str) else None
            key = f"{star[1]}星" if star else key
            if key not in RATING_ROWS:
                self.error(RATING_SHEET, number, _("Unknown key %(key)s.", key=key))
            elif key in seen:
                message = _("%(key)s is also given on row %(row)s.", key=key, row=seen[key])
                self.error(RATING_SHEET, number, message)
            elif value is not None:
                seen[key] = number
                if key in TOP_TEXT_KEYS:
                    _put(doc, key, value, line)
                elif star:
                    thresholds.line = line if not thresholds else thresholds.line
                    _put(thresholds, int(star[1]), _number(value), line)
                elif key in ("min_inspections", "staff_min_items"):
                    _put(rating, key, _number(value), line)
                elif key == "fail_below":
                    _put(rating, key, _share(value), line)
                else:
                    veto.line = line if not veto else veto.line
                    _put(veto, key.removeprefix("veto_"), _number(value), line)
        if thresholds:
            _put(rating, "star_thresholds", thresholds, thresholds.line)
        if veto:
            _put(rating, "veto", veto, veto.line)
        _put(doc, "rating", rating, header_line)
        return doc

    def sections(self, rows: SheetRows, columns: dict[str, int]) -> LineList:
        sections = _node(LineList, 1)
        by_id: dict[Any, LineDict] = {}
        for number, values in rows:
            cells = {header: values[index] for header, index in columns.items()}
            item_id = _text(cells.get("检查项编号"))
            section_id = _text(cells.get("部分编号"))
            given = {
                key: _number(cells.get(header)) if key == "weight" else _text(cells.get(header))
                for header, key in SECTION_COLUMNS.items()
            }
            if section_id is None:
                message = _("The row has no 部分编号 (section id).")
                self.error(ITEMS_SHEET, number, message, item_id)
                continue
            section = by_id.get(section_id)
            if section is None:
                section = by_id[section_id] = _node(LineDict, number)
                _put(section, "id", section_id, number)
                for key, value in given.items():
                    if value is not None:
                        _put(section, key, value, number)
                _put(section, "items", _node(LineList, number), number)
                sections.append(section)
                sections.item_lines.append(number)
            for header, key in SECTION_COLUMNS.items():
                if given[key] is not None and given[key] != section.get(key):
                    message = _(
                        "%(column)s differs from row %(row)s; every row of section %(id)s must give the same value.",
                        column=header,
                        row=section.line,
                        id=section_id,
                    )
                    self.error(ITEMS_SHEET, number, message, item_id)
            section["items"].append(self.item(number, cells))
            section["items"].item_lines.append(number)
        return sections

    def item(self, number: int, cells: dict[str, Any]) -> LineDict:
        item = _node(LineDict, number)
        for header, key in TEXT_COLUMNS.items():
            if _text(cells.get(header)) is not None:
                _put(item, key, _text(cells[header]), number)
        if _text(cells.get("分值")) is not None:
            _put(item, "points", _number(cells["分值"]), number)
        if _text(cells.get("不合格线")) is not None:
            _put(item, "fail_below", _share(cells["不合格线"]), number)
        item_id = item.get("id")
        for header, key in FLAG_COLUMNS.items():
            if _text(cells.get(header)) is None:
                continue
            flag = _flag(cells[header])
            if flag is None:
                message = _(
                    "%(column)s must be 是 or 否 (TRUE/FALSE, Y/N and 1/0 also work).",
                    column=header,
                )
                self.error(ITEMS_SHEET, number, message, item_id)
            else:
                _put(item, key, flag, number)
        target, wanted = _text(cells.get("显示条件-检查项")), _text(cells.get("显示条件-取值"))
        if (target is None) != (wanted is None):
            message = _("Fill in both 显示条件-检查项 and 显示条件-取值, or neither.")
            self.error(ITEMS_SHEET, number, message, item_id)
        elif target is not None:
            values = [part.strip() for part in str(wanted).split("|")]
            condition = _node(LineDict, number)
            _put(condition, "item", target, number)
            _put(condition, "in", _node(LineList, number, values), number)
            _put(item, "show_if", condition, number)
        if _text(cells.get("类型参数")) is not None:
            self.type_settings(item, number, cells["类型参数"])
        return item

    def type_settings(self, item: LineDict, number: int, raw: Any) -> None:
        try:
            config = json.loads(raw) if isinstance(raw, str) else None
        except ValueError as exc:
            message = _("类型参数 is not valid JSON: %(problem)s.", problem=exc)
            self.error(ITEMS_SHEET, number, message, item.get("id"))
            return
        if not isinstance(config, dict):
            message = _('类型参数 must be a JSON object, such as {"max": 4}.')
            self.error(ITEMS_SHEET, number, message, item.get("id"))
            return
        for key, value in config.items():
            if key in ITEM_KEYS:
                message = _("类型参数 may not set `%(key)s`; it has its own column.", key=key)
                self.error(ITEMS_SHEET, number, message, item.get("id"))
            else:
                _put(item, key, value, number)
