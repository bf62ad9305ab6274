"""Checklists edited in Excel, and the safe reading of any uploaded workbook.

`checklist_from_xlsx` builds the same document the YAML loader validates, out of
LineDict/LineList nodes whose lines are spreadsheet rows, so every loader error
points at a sheet and a row. Rows of the rating sheet are numbered from
RATING_LINE_OFFSET so that both sheets fit in one line space.
"""

from __future__ import annotations

import io
import json
import re
import warnings
import zipfile
from collections.abc import Sequence
from contextlib import closing
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from inspect_app.checklists.definition import PHOTO_RULES, to_json_number
from inspect_app.checklists.item_types import get_item_type, item_type_keys
from inspect_app.checklists.loader import ITEM_KEYS, ChecklistError, LoadResult, validate_document
from inspect_app.checklists.yaml_source import LineDict, LineList

ITEMS_SHEET = "检查项"
RATING_SHEET = "评级规则"
#: Most item rows a checklist workbook may hold.
MAX_CHECKLIST_ROWS = 2_000
RATING_LINE_OFFSET = 1_000_000

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
    "分值": 7, "拍照": 9, "涉及员工": 9, "一票否决": 9, "必答": 7, "可不适用": 9,
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
}  # fmt: skip
YES = {"TRUE", "是", "Y", "YES", "1"}
NO = {"FALSE", "否", "N", "NO", "0"}
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
        item["photo"], *("是" if flag else "否" for flag in flags),
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
                elif key == "min_inspections":
                    _put(rating, key, _number(value), line)
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


# Safe reading of uploaded workbooks, shared with the roster import.

#: Most bytes the zip members of an upload may expand to.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
#: Highest compression ratio of one member; Apache POI's zip-bomb guard uses the same.
MAX_COMPRESSION_RATIO = 100
#: Members smaller than this are not ratio-checked: they cannot hurt and compress well.
RATIO_GRACE_BYTES = 100 * 1024
MAX_ZIP_MEMBERS = 10_000
#: Columns read from any sheet; cells further right are ignored.
MAX_COLUMNS = 50
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SheetRows = list[tuple[int, tuple[Any, ...]]]


class XlsxFileError(ValueError):
    """An upload that is not a workbook we can safely read; the message says why."""


def check_xlsx_container(data: bytes) -> None:
    """Refuse anything but a plain XLSX zip of sane size before openpyxl opens it."""
    if not data:
        raise XlsxFileError(_("The file is empty."))
    if data.startswith(OLE2_SIGNATURE):
        raise XlsxFileError(
            _(
                "This is a password-protected workbook or an old Excel 97-2003 (.xls) file. "
                "Remove the password, save it as an Excel workbook (.xlsx) and upload it again."
            )
        )
    if not data.startswith(b"PK"):
        raise XlsxFileError(
            _(
                "This is not an Excel workbook (.xlsx). Save it as an Excel workbook and upload it again."
            )
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception as exc:  # zipfile raises many types on damaged or crafted input
        raise XlsxFileError(_("The workbook is damaged: it is not a readable zip file.")) from exc
    # zipfile stops inflating a member at its declared size, so the declared sizes can be trusted.
    if sum(m.file_size for m in members) > MAX_UNCOMPRESSED_BYTES:
        raise XlsxFileError(_("The workbook expands to more than 50 MB, which is too large."))
    if len(members) > MAX_ZIP_MEMBERS or any(
        m.file_size > RATIO_GRACE_BYTES and m.file_size > MAX_COMPRESSION_RATIO * m.compress_size
        for m in members
    ):
        raise XlsxFileError(
            _("The workbook is compressed suspiciously well (a zip bomb?) and was not opened.")
        )


def read_sheets(
    data: bytes, sheet_names: Sequence[str], *, max_rows: int, max_columns: int = MAX_COLUMNS
) -> dict[str, SheetRows]:
    """Return the non-blank rows, as (Excel row number, values), of each named sheet present."""
    check_xlsx_container(data)
    try:
        with warnings.catch_warnings(), closing(_open_workbook(data)) as workbook:
            titles = {title.strip(): title for title in workbook.sheetnames}
            sheets = {name: workbook[titles[name]] for name in sheet_names if name in titles}
            # A chart sheet has no cells; treat it as missing.
            return {
                name: _sheet_rows(sheet, name, max_rows, max_columns)
                for name, sheet in sheets.items()
                if hasattr(sheet, "iter_rows")
            }
    except XlsxFileError:
        raise
    except Exception as exc:  # openpyxl, zipfile, zlib and the XML parser fail in many ways
        raise XlsxFileError(
            _(
                "The workbook could not be read; it may be damaged. "
                "Open it in Excel, save it as an Excel workbook (.xlsx) and upload it again."
            )
        ) from exc


def _open_workbook(data: bytes) -> Any:
    # Harmless notes about styles and extensions that pytest would turn into errors.
    warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl\.")
    return load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)


def _sheet_rows(sheet: Any, name: str, max_rows: int, max_columns: int) -> SheetRows:
    # A wrong <dimension> in the file would otherwise cut rows off without a word.
    sheet.reset_dimensions()
    rows: SheetRows = []
    data_rows = 0
    for number, values in enumerate(sheet.iter_rows(max_col=max_columns, values_only=True), 1):
        if values.count(None) == len(values) or all(
            v is None or (isinstance(v, str) and not v.strip()) for v in values
        ):
            continue
        data_rows += number > 1
        if data_rows > max_rows:
            raise XlsxFileError(
                _(
                    "The sheet %(sheet)s has more than %(n)s rows; split it into smaller files.",
                    sheet=name,
                    n=f"{max_rows:,}",
                )
            )
        rows.append((number, values))
    return rows
