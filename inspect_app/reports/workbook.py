"""The HR appraisal workbook: plain rows in, a streamed XLSX out (openpyxl write-only mode).

Data sheets are plain tables that HR systems import: one bold header row (frozen, autofiltered),
no merged cells, the stable Chinese column names below (documented in docs/exports.md), codes and
工号 as text cells with the "@" format, dates as dates, numbers as numbers. No cell is ever a
formula or an error value: a text that openpyxl would store as one ("=...", "#N/A") is forced to a
string cell and reads back exactly. The item detail streams from an iterator and continues on
检查明细2, 检查明细3 ... past `max_rows`; openpyxl spools each sheet to a temporary file until the
zip is written, so memory stays flat. With lxml installed openpyxl writes about twice as fast and
keeps a carriage return in a text as ``&#13;`` (the standard library's writer lets it become \\n).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

#: Excel's 1,048,576 rows a sheet, less the header row.
EXCEL_MAX_DATA_ROWS = 1_048_575
#: `progress` is called after every this many detail rows (and once more with the total).
PROGRESS_EVERY = 10_000
MAX_SHEET_NAME = 31
STORE_SHEET, STAFF_SHEET, DETAIL_SHEET, LEGEND_SHEET = "门店星级", "员工考核", "检查明细", "说明"
Number = Decimal | float | int


@dataclass(frozen=True, slots=True)
class StoreRatingRow:
    """One store's rating for the period; None where the store had no inspection."""

    period: str
    region: str
    store_code: str
    store_name: str
    inspections: int
    mean_score: Number | None  # percent, 0-100
    stars: int | None
    vetoes: int
    rank_in_region: int | None
    rank_overall: int | None


@dataclass(frozen=True, slots=True)
class StaffRow:
    """One 工号's appraisal for the period; roster fields are None for an unknown 工号."""

    employee_no: str
    name: str | None
    store_code: str | None
    store_name: str | None
    position: str | None
    observations: int
    points_earned: Number
    points_possible: Number
    score: Number | None  # percent, 0-100
    failures: int
    veto_findings: int


@dataclass(frozen=True, slots=True)
class DetailRow:
    """One checklist item's answer in one inspection; points are None when not applicable."""

    inspection_id: str
    visit_date: date
    store_code: str
    store_name: str
    section: str
    item_id: str
    item_text: str
    result: str
    points_earned: Number | None
    points_possible: Number | None
    employee_no: str | None
    comment: str | None
    photo_count: int


@dataclass(frozen=True, slots=True)
class WorkbookMeta:
    """The facts the 说明 sheet states about the export, texts already formatted."""

    period_label: str
    scope_label: str
    generated_at: datetime  # naive local time: Excel has no time zones
    checklist_versions: str
    star_thresholds: str


class Column(NamedTuple):
    """A column: its stable header, the dataclass field, its kind, width and meaning."""

    header: str
    field: str
    kind: str  # text, code, date, datetime, int, number, percent
    width: float
    meaning: str


def _columns(table: str) -> tuple[Column, ...]:
    """Parse a header|field|kind|width|meaning table, one column a line."""
    rows = (line.split("|") for line in table.strip().splitlines())
    return tuple(Column(h, f, k, float(w), m) for h, f, k, w, m in rows)


STORE_COLUMNS = _columns("""
期间|period|text|14|评比期间，如“2026年10月”
区域|region|text|14|门店所属区域
门店编码|store_code|code|12|门店编码（文本，保留前导零）
门店名称|store_name|text|28|门店名称
检查次数|inspections|int|10|期间内审核通过的检查次数
平均得分|mean_score|percent|10|审核通过的检查得分的平均值，0–100，显示一位小数；无检查时为空
星级|stars|int|8|期间星级（已按否决上限封顶）；无检查时为空
否决次数|vetoes|int|10|期间内触发否决项的检查次数
区域排名|rank_in_region|int|10|区域内名次：先比星级、再比平均得分，均从高到低，并列同名次；无检查时为空
总排名|rank_overall|int|10|导出范围内的名次，规则同区域排名；无检查时为空
""")
STAFF_COLUMNS = _columns("""
工号|employee_no|code|12|员工工号（文本，保留前导零）
姓名|name|text|10|员工姓名；工号不在员工名册中时为空
门店编码|store_code|code|12|员工所属门店编码（文本）
门店名称|store_name|text|28|员工所属门店名称
岗位|position|text|12|员工岗位
观察次数|observations|int|10|期间内记到该工号的适用检查项数
得分|points_earned|number|10|这些检查项的得分合计
可得分|points_possible|number|10|这些检查项的满分合计
得分率|score|percent|10|得分 ÷ 可得分 × 100，0–100，显示一位小数；可得分为 0 时为空
不合格项|failures|int|10|其中不合格的检查项数
否决项|veto_findings|int|10|其中触发否决的检查项数
""")
DETAIL_COLUMNS = _columns("""
检查编号|inspection_id|code|38|检查记录编号（文本），同一次检查的各行相同
检查日期|visit_date|date|12|到店检查的日期
门店编码|store_code|code|12|门店编码（文本，保留前导零）
门店名称|store_name|text|28|门店名称
分项|section|text|16|检查项所属的分项
检查项编号|item_id|code|12|检查表中的检查项编号（文本）
检查项|item_text|text|50|检查项内容
结果|result|text|10|检查结果，如 合格、不合格、不适用
得分|points_earned|number|8|该项得分；不适用时为空
可得分|points_possible|number|8|该项满分；不适用时为空
工号|employee_no|code|12|该项记到的员工工号（文本）；未记到个人时为空
备注|comment|text|40|检查员的备注，原样保留
照片数|photo_count|int|8|该项所附照片张数
""")
KIND_LABELS = {
    "text": "文本",
    "code": "文本（编码）",
    "date": "日期",
    "datetime": "日期时间",
    "int": "整数",
    "number": "数值",
    "percent": "数值（百分数 0–100）",
}
_FORMATS = {"code": "@", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm:ss", "percent": "0.0"}
# Excel reads _xHHHH_ in a text as one character; a literal one is kept by escaping its "_".
_OOXML_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_ERROR_CODES = frozenset(ERROR_CODES)


@dataclass(frozen=True)
class WorkbookSummary:
    """Data rows per sheet (headers excluded) and the item-detail sheet names, in order."""

    sheet_rows: dict[str, int]
    detail_sheets: tuple[str, ...]

    @property
    def detail_rows(self) -> int:
        """Return the number of item-detail rows over all detail sheets."""
        return sum(self.sheet_rows[name] for name in self.detail_sheets)


def clean_text(value: str) -> str:
    """Drop the control characters XML cannot hold and escape a literal _xHHHH_."""
    if not value.isprintable():
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if "_x" in value:
        value = _OOXML_ESCAPE.sub("_x005F_", value)
    return value


class _TypedCell(Cell):
    """A cell made with its final type and a shared style; openpyxl only reads both."""

    __slots__ = ()

    def __init__(self, ws: Any, value: Any, data_type: str, style: Any) -> None:
        # Cell.__init__ would copy the style and re-infer the type: most of a cell's cost here.
        self.parent, self.row, self.column = ws, 1, 1
        self._value, self.data_type, self._style = value, data_type, style
        self._hyperlink = self._comment = None

    def __repr__(self) -> str:
        # openpyxl formats (and drops) an error message with the repr of every cell it is given.
        return "<cell>"


def _makers(ws: Any, columns: Iterable[Column]) -> list[Callable[[Any], Any]]:
    """Return, per column, a function from a field value to what `ws.append` takes."""
    styles = {}
    for kind, number_format in _FORMATS.items():
        probe = WriteOnlyCell(ws)
        probe.number_format = number_format
        styles[kind] = probe._style  # copied into each cell: cheaper than setting the format

    def maker(column: Column) -> Callable[[Any], Any]:
        kind, header, style = column.kind, column.header, styles.get(column.kind)

        def wrong(value: Any) -> TypeError:
            return TypeError(f"{header}: {kind} column got {value!r}")

        def text(value: Any) -> Any:
            if value is None:
                return None
            if type(value) is not str:
                raise wrong(value)
            value = clean_text(value)
            if value[:1] == "=" or value in _ERROR_CODES:  # openpyxl would write <f> or t="e"
                return _TypedCell(ws, value, "s", None)
            return value  # a plain value: openpyxl writes it through one reused cell

        def code(value: Any) -> Any:
            if value is None:
                return None
            if type(value) is not str:  # an int code has already lost its leading zeros
                raise wrong(value)
            return _TypedCell(ws, clean_text(value), "s", style)

        def moment(value: Any) -> Any:
            if value is None:
                return None
            if (type(value) is datetime) != (kind == "datetime") or not isinstance(value, date):
                raise wrong(value)
            return _TypedCell(ws, value, "d", style)

        def percent(value: Any) -> Any:
            return None if value is None else _TypedCell(ws, float(value), "n", style)

        return {
            "text": text,
            "code": code,
            "date": moment,
            "datetime": moment,
            "int": lambda value: None if value is None else int(value),
            "number": lambda value: None if value is None else float(value),
            "percent": percent,
        }[kind]

    return [maker(column) for column in columns]


def _open_sheet(wb: Workbook, title: str, columns: tuple[Column, ...]) -> Any:
    """Create a table sheet: column widths, frozen header row, bold header."""
    if len(title) > MAX_SHEET_NAME:
        raise ValueError(f"sheet name longer than {MAX_SHEET_NAME} characters: {title!r}")
    ws = wb.create_sheet(title)
    for index, column in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = [WriteOnlyCell(ws, value=column.header) for column in columns]
    for cell in header:
        cell.font = bold
    ws.append(header)
    return ws


def _close_sheet(ws: Any, columns: tuple[Column, ...], data_rows: int) -> None:
    """Filter over the header and data rows, then finish the sheet's temporary file."""
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{data_rows + 1}"
    ws.close()


def _write_table(wb: Workbook, title: str, columns: tuple[Column, ...], rows: Iterable) -> int:
    """Write one whole table sheet and return its number of data rows."""
    ws = _open_sheet(wb, title, columns)
    makers, values_of, count = _makers(ws, columns), attrgetter(*(c.field for c in columns)), 0
    for row in rows:
        ws.append([make(value) for make, value in zip(makers, values_of(row), strict=True)])
        count += 1
    _close_sheet(ws, columns, count)
    return count


def _write_details(
    wb: Workbook,
    details: Iterable[DetailRow],
    progress: Callable[[int], None] | None,
    max_rows: int,
) -> dict[str, int]:
    """Stream the item detail over as many sheets as `max_rows` needs; return rows per sheet."""
    values_of = attrgetter(*(c.field for c in DETAIL_COLUMNS))
    sheets: dict[str, int] = {}
    ws, in_sheet, total = _open_sheet(wb, DETAIL_SHEET, DETAIL_COLUMNS), 0, 0
    makers, append = _makers(ws, DETAIL_COLUMNS), ws.append
    for row in details:
        if in_sheet == max_rows:
            sheets[ws.title] = in_sheet
            _close_sheet(ws, DETAIL_COLUMNS, in_sheet)
            ws = _open_sheet(wb, f"{DETAIL_SHEET}{len(sheets) + 1}", DETAIL_COLUMNS)
            makers, append, in_sheet = _makers(ws, DETAIL_COLUMNS), ws.append, 0
        append([make(value) for make, value in zip(makers, values_of(row), strict=True)])
        in_sheet += 1
        total += 1
        if progress is not None and total % PROGRESS_EVERY == 0:
            progress(total)
    sheets[ws.title] = in_sheet
    _close_sheet(ws, DETAIL_COLUMNS, in_sheet)
    if progress is not None and total % PROGRESS_EVERY:
        progress(total)
    return sheets


def legend_rows(meta: WorkbookMeta, detail_sheets: dict[str, int], max_rows: int) -> list[tuple]:
    """Return the 说明 sheet: the export's facts, then what every column of every sheet means."""
    names, total = list(detail_sheets), sum(detail_sheets.values())
    if len(names) > 1:
        where = (
            f"共 {total} 行，超出单张工作表上限 {max_rows} 行，"
            f"依次续写在工作表 {'、'.join(names)}，每张都有相同表头"
        )
    else:
        where = f"共 {total} 行，全部在工作表 {names[0]}"
    rows: list[tuple] = [
        ("期间", meta.period_label),
        ("范围", meta.scope_label),
        ("生成时间", meta.generated_at),
        ("检查表版本", meta.checklist_versions),
        ("星级标准", meta.star_thresholds),
        ("检查明细", where),
        (),
        ("工作表", "列名", "类型", "含义"),
    ]
    for sheet, columns in (
        (STORE_SHEET, STORE_COLUMNS),
        (STAFF_SHEET, STAFF_COLUMNS),
        ("、".join(names), DETAIL_COLUMNS),
    ):
        rows.extend((sheet, c.header, KIND_LABELS[c.kind], c.meaning) for c in columns)
    return rows


def _write_legend(wb: Workbook, rows: list[tuple]) -> None:
    """Write the 说明 sheet: texts as strings, the generation time as a date-time."""
    ws = wb.create_sheet(LEGEND_SHEET)
    for letter, width in zip("ABCD", (14, 24, 20, 80), strict=True):
        ws.column_dimensions[letter].width = width
    text, stamp = _makers(ws, [Column("", "", "text", 0, ""), Column("", "", "datetime", 0, "")])
    for row in rows:
        ws.append([stamp(v) if isinstance(v, datetime) else text(v) for v in row])
    ws.close()


def _discard(wb: Workbook) -> None:
    """Finish and delete the temporary sheet files of a workbook that will not be saved."""
    for ws in wb.worksheets:
        with suppress(Exception):  # the sheet may be broken by the error being handled
            if not ws.closed:
                ws.close()
        writer = getattr(ws, "_writer", None)  # openpyxl has no public way to drop a sheet
        if writer is not None:
            with suppress(OSError, ValueError):
                writer.cleanup()


def write_hr_workbook(
    out: BinaryIO | str | Path,
    meta: WorkbookMeta,
    stores: Iterable[StoreRatingRow],
    staff: Iterable[StaffRow],
    details: Iterable[DetailRow],
    *,
    progress: Callable[[int], None] | None = None,
    max_rows: int = EXCEL_MAX_DATA_ROWS,
) -> WorkbookSummary:
    """Write the HR appraisal workbook to a binary file object or a path and summarise it."""
    if not 1 <= max_rows <= EXCEL_MAX_DATA_ROWS:
        raise ValueError(f"max_rows must be 1..{EXCEL_MAX_DATA_ROWS}, not {max_rows}")
    wb = Workbook(write_only=True)
    try:
        sheet_rows = {
            STORE_SHEET: _write_table(wb, STORE_SHEET, STORE_COLUMNS, stores),
            STAFF_SHEET: _write_table(wb, STAFF_SHEET, STAFF_COLUMNS, staff),
        }
        details_per_sheet = _write_details(wb, details, progress, max_rows)
        sheet_rows.update(details_per_sheet)
        _write_legend(wb, legend_rows(meta, details_per_sheet, max_rows))
    except BaseException:
        _discard(wb)
        raise
    try:
        wb.save(out)
    except BaseException:
        if isinstance(out, str | Path):
            Path(out).unlink(missing_ok=True)
        raise
    return WorkbookSummary(sheet_rows=sheet_rows, detail_sheets=tuple(details_per_sheet))
