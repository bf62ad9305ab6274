"""The HR appraisal workbook: plain rows in, a streamed XLSX out (openpyxl write-only mode).

Data sheets are plain tables that HR systems import: one bold header row (frozen, autofiltered),
no merged cells, the stable Chinese column names below (documented in docs/exports.md), codes and
工号 as text cells with the "@" format, dates as dates, numbers as numbers, moments as the halls'
wall-clock time (`wall_time`, shown in the app's one display format). No cell is ever a
formula or an error value: every text, even "=1+1" or "#N/A", is a string cell that reads back
exactly. The item detail streams from an iterator and continues on 检查明细2, 检查明细3 ... past
`max_rows`; openpyxl spools each sheet to a temporary file until the zip is written, so memory
stays flat. Run with lxml installed: openpyxl then writes faster and keeps a carriage return in a
text as ``&#13;`` (the standard library's writer lets it read back as a line feed).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from math import isfinite
from operator import attrgetter
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from inspect_app.calendar import local_datetime

#: Excel's 1,048,576 rows a sheet, less the header row.
EXCEL_MAX_DATA_ROWS = 1_048_575
#: `progress` is called after every this many detail rows (and once more with the total).
PROGRESS_EVERY = 10_000
MAX_SHEET_NAME = 31
MAX_CELL_TEXT = 32_767
STORE_SHEET, STAFF_SHEET, DETAIL_SHEET, LEGEND_SHEET = "门店星级", "员工考核", "检查明细", "说明"
Number = Decimal | float | int


@dataclass(frozen=True, slots=True)
class StoreRatingRow:
    """One store's rating for the period on one checklist; None where the store had no
    inspection on it."""

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
    checklist_key: str
    checklist_title: str
    checklist_versions: str  # the version numbers behind the figures, "2, 3"; "" without any


@dataclass(frozen=True, slots=True)
class StaffRow:
    """One person's appraisal at one hall for the period (a person moved between halls has a row
    per hall); ranks are None when the sample is too small to rank."""

    employee_no: str
    name: str
    store_code: str
    store_name: str
    region: str
    period: str
    visits: int
    person_items: int
    points_earned: Number
    points_possible: Number
    score: Number | None  # percent, 0-100, capped by a veto finding
    failed_items: int
    veto_findings: int
    enough: str  # 是 / 否
    rank_in_hall: int | None
    rank_in_region: int | None
    score_before_cap: Number | None  # percent, 0-100; the same as score without a veto


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
    generated_at: datetime  # shown as the halls' time (`wall_time`)
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
期间|period|text|14|评比期间，写法同应用内：如 2026-11、2026-Q4、2026-10-01..2026-10-31
区域|region|text|14|门店所属区域
门店编码|store_code|code|12|门店编码（文本，保留前导零）
门店名称|store_name|text|28|门店名称
检查次数|inspections|int|10|期间内审核通过的检查次数
平均得分|mean_score|percent|10|审核通过的检查得分的平均值，0–100，显示一位小数；无检查时为空
星级|stars|int|8|期间星级（已按否决上限封顶）；无检查时为空
否决次数|vetoes|int|10|期间内触发否决项的检查次数
区域排名|rank_in_region|int|10|区域内名次：先比星级、再比平均得分，均从高到低，并列同名次；无检查时为空
总排名|rank_overall|int|10|导出范围内的名次，规则同区域排名；无检查时为空
检查表编码|checklist_key|code|28|评定所用检查表的编码（文本）。每个营业厅、每个检查表各占一行：在用的检查表对每个营业厅都有一行，期间内有审核通过检查的其他检查表也各有一行；星级、排名只在同一检查表内比较（新增列，排在最后）
检查表名称|checklist_title|text|24|该检查表的名称（新增列）
检查表版本|checklist_versions|text|12|期间内计入的检查所用的检查表版本号，跨版本时按从旧到新用逗号分隔，如 2, 3（星级按其中最新版本的规则）；无检查时为空（新增列）
""")
STAFF_COLUMNS = _columns("""
工号|employee_no|code|12|员工工号（文本，保留前导零）
姓名|name|text|10|员工姓名
营业厅编码|store_code|code|12|暗访所在营业厅的编码（文本）；员工调动过的，每个营业厅各占一行
营业厅|store_name|text|28|暗访所在营业厅的名称
区域|region|text|14|该营业厅所属区域
期间|period|text|14|考核期间，写法同应用内：如 2026-11、2026-Q4、2026-10-01..2026-10-31
暗访次数|visits|int|10|期间内审核通过、有该员工观察项的暗访次数
观察项数|person_items|int|10|记到该员工的观察项数（适用、已作答、计分的员工项，合格与否都算）
得分|points_earned|number|10|这些观察项的得分合计
满分|points_possible|number|10|这些观察项的满分合计
得分率|score|percent|10|得分 ÷ 满分 × 100，四舍五入到 0.001，显示一位小数；有否决项时按检查表规定的否决上限封顶（默认 0）；满分为 0 时为空
不合格项数|failed_items|int|10|其中不合格的观察项数（低于该项不合格线；只扣部分分的不算）
否决项数|veto_findings|int|10|其中不合格的一票否决项数
样本充足|enough|text|10|观察项数达到检查表规定的最少项数（默认 10）为“是”，否则为“否”
厅内排名|rank_in_hall|int|10|在该营业厅内按得分率从高到低的名次，并列同名次；样本不足时为空、不参与排名
区域排名|rank_in_region|int|10|在该区域内的名次，规则同厅内排名
封顶前得分率|score_before_cap|percent|12|否决封顶前的得分率（得分 ÷ 满分 × 100）；无否决项时与得分率相同；满分为 0 时为空（新增列，排在最后）
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
_DATA_TYPES = {"text": "s", "code": "s", "date": "d", "datetime": "d"}
_DATA_TYPES |= {"int": "n", "number": "n", "percent": "n"}
# A moment shows as the app's one display format (calendar.DISPLAY_FORMAT, %Y-%m-%d %H:%M).
_FORMATS = {"code": "@", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "percent": "0.0"}
# Excel reads _xHHHH_ in a text as one character; a literal one is kept by escaping its "_".
_OOXML_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


@dataclass(frozen=True)
class WorkbookSummary:
    """Data rows per sheet (headers excluded) and the item-detail sheet names, in order."""

    sheet_rows: dict[str, int]
    detail_sheets: tuple[str, ...]

    @property
    def detail_rows(self) -> int:
        """Return the number of item-detail rows over all detail sheets."""
        return sum(self.sheet_rows[name] for name in self.detail_sheets)


def wall_time(moment: datetime) -> datetime:
    """Return a moment as the halls' naive wall-clock time, which is what Excel can hold.

    An aware instant is converted to the halls' zone (calendar.local_datetime, which needs an
    app context); a naive one is taken to be the halls' time already and kept. The CSV writes
    the same value, so both files show the same time for the same moment.
    """
    if moment.tzinfo is None:
        return moment
    return local_datetime(moment).replace(tzinfo=None)


def clean_text(value: str) -> str:
    """Drop characters XML cannot hold, escape a literal _xHHHH_, cut to Excel's cell limit."""
    if not value.isprintable():
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if "_x" in value:
        value = _OOXML_ESCAPE.sub("_x005F_", value)
    return value if len(value) <= MAX_CELL_TEXT else value[:MAX_CELL_TEXT]


def _converter(column: Column) -> Callable[[Any], Any]:
    """Return a function from a field value to the cell value; None and "" leave the cell empty."""
    kind, header = column.kind, column.header

    def wrong(value: Any) -> TypeError:
        return TypeError(f"{header}: a {kind} column cannot hold {value!r}")

    def text(value: Any) -> str | None:
        if type(value) is not str:  # an int code has already lost its leading zeros
            raise wrong(value)
        return clean_text(value) or None

    def moment(value: Any) -> date:
        if (type(value) is datetime) != (kind == "datetime") or not isinstance(value, date):
            raise wrong(value)
        return wall_time(value) if kind == "datetime" else value

    def integer(value: Any) -> int:
        # operator.index refuses floats and texts instead of truncating or parsing them.
        try:
            return operator.index(value)
        except TypeError:
            raise wrong(value) from None

    def number(value: Any) -> float:
        if isinstance(value, str) or not isfinite(converted := float(value)):
            raise wrong(value)
        return converted

    makers = {"text": text, "code": text, "date": moment, "datetime": moment, "int": integer}
    return makers.get(kind, number)


class _TableSheet:
    """A write-only sheet holding one table: widths, frozen bold header, typed cells, filter."""

    # Each column has one cell, made once with its data type and style, that every row refills:
    # the type is never inferred from the value, so "=1+1" or "#N/A" stays a string cell. This
    # hooks openpyxl's row generator, WriteOnlyWorksheet._values_to_row: its own path builds a
    # cell per value, infers its type and raises and catches an exception per styled cell, which
    # made the item detail 40% slower. `close` refuses a sheet if openpyxl ever stops calling it.

    def __init__(self, wb: Workbook, title: str, columns: tuple[Column, ...]) -> None:
        if len(title) > MAX_SHEET_NAME:
            raise ValueError(f"sheet name longer than {MAX_SHEET_NAME} characters: {title!r}")
        self.columns, self.rows, self.hooked = columns, 0, False
        self.ws = ws = wb.create_sheet(title)
        for index, column in enumerate(columns, 1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        ws.freeze_panes = "A2"
        bold = Font(bold=True)
        header = [WriteOnlyCell(ws, value=column.header) for column in columns]
        for cell in header:
            cell.font = bold
        ws.append(header)
        self.cells = [Cell(ws, row=2, column=index) for index in range(1, len(columns) + 1)]
        for cell, column in zip(self.cells, columns, strict=True):
            cell.data_type = _DATA_TYPES[column.kind]
            if column.kind in _FORMATS:
                cell.number_format = _FORMATS[column.kind]
        self.converters = [_converter(column) for column in columns]
        self.values_of = attrgetter(*(column.field for column in columns))
        ws._values_to_row = self._cells_of_row

    def _cells_of_row(self, values: tuple, row_idx: int) -> Iterator[Cell]:
        """Yield the filled cells of one row; openpyxl writes each before the next is asked."""
        self.hooked = True
        for cell, convert, value in zip(self.cells, self.converters, values, strict=True):
            if value is None:
                continue
            value = convert(value)
            if value is None:
                continue
            cell._value = value  # the public setter would infer the type again
            cell.row = row_idx
            yield cell

    def append(self, row: Any) -> None:
        """Write one dataclass row."""
        self.ws.append(self.values_of(row))
        self.rows += 1

    def close(self) -> int:
        """Filter over the header and data rows, finish the sheet and return its row count."""
        if self.rows and not self.hooked:
            raise RuntimeError("openpyxl no longer calls _values_to_row: cell types unchecked")
        last = get_column_letter(len(self.columns))
        self.ws.auto_filter.ref = f"A1:{last}{self.rows + 1}"
        self.ws.close()
        return self.rows


def _write_table(wb: Workbook, title: str, columns: tuple[Column, ...], rows: Iterable) -> int:
    """Write one whole table sheet and return its number of data rows."""
    sheet = _TableSheet(wb, title, columns)
    for row in rows:
        sheet.append(row)
    return sheet.close()


def _write_details(
    wb: Workbook,
    details: Iterable[DetailRow],
    progress: Callable[[int], None] | None,
    max_rows: int,
) -> dict[str, int]:
    """Stream the item detail over as many sheets as `max_rows` needs; return rows per sheet."""
    sheets: dict[str, int] = {}
    sheet = _TableSheet(wb, DETAIL_SHEET, DETAIL_COLUMNS)
    total = 0
    for row in details:
        if sheet.rows == max_rows:
            sheets[sheet.ws.title] = sheet.close()
            sheet = _TableSheet(wb, f"{DETAIL_SHEET}{len(sheets) + 1}", DETAIL_COLUMNS)
        sheet.append(row)
        total += 1
        if progress is not None and total % PROGRESS_EVERY == 0:
            progress(total)
    sheets[sheet.ws.title] = sheet.close()
    if progress is not None and total % PROGRESS_EVERY:
        progress(total)
    return sheets


def _legend_rows(meta: WorkbookMeta, detail_sheets: dict[str, int], max_rows: int) -> list[tuple]:
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
    """Write the 说明 sheet through openpyxl's own path: string cells, one date-time cell."""
    ws = wb.create_sheet(LEGEND_SHEET)
    for letter, width in zip("ABCD", (14, 24, 20, 80), strict=True):
        ws.column_dimensions[letter].width = width
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(ws)
            if isinstance(value, datetime):
                cell.number_format = _FORMATS["datetime"]  # first, or openpyxl picks its own
                cell.value = wall_time(value)
            else:
                cell.value = clean_text(value) or None
                cell.data_type = "s"  # never a formula, whatever the caller's text
            cells.append(cell)
        ws.append(cells)
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
        _write_legend(wb, _legend_rows(meta, details_per_sheet, max_rows))
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
