"""The HR appraisal workbook: plain rows in, a streamed XLSX out (openpyxl write-only mode).

Data sheets are plain tables that HR systems import: one bold header row (frozen, autofiltered),
no merged cells, the stable Chinese column names of `workbook_tables` (documented in
docs/exports.md), codes and 工号 as text cells with the "@" format, dates as dates, numbers as
numbers, moments as the halls' wall-clock time (`wall_time`, shown in the app's one display format). No cell is ever a
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
from math import isfinite
from operator import attrgetter
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from inspect_app.calendar import local_datetime
from inspect_app.reports.workbook_tables import (
    DETAIL_COLUMNS,
    DETAIL_SHEET,
    KIND_LABELS,
    LEGEND_SHEET,
    STAFF_COLUMNS,
    STAFF_SHEET,
    STORE_COLUMNS,
    STORE_SHEET,
    Column,
    DetailRow,
    StaffRow,
    StoreRatingRow,
)

#: Excel's 1,048,576 rows a sheet, less the header row.
EXCEL_MAX_DATA_ROWS = 1_048_575
#: `progress` is called after every this many detail rows (and once more with the total).
PROGRESS_EVERY = 10_000
MAX_SHEET_NAME = 31
MAX_CELL_TEXT = 32_767


@dataclass(frozen=True, slots=True)
class WorkbookMeta:
    """The facts the 说明 sheet states about the export, texts already formatted."""

    period_label: str
    scope_label: str
    generated_at: datetime  # shown as the halls' time (`wall_time`)
    checklist_versions: str
    star_thresholds: str


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
