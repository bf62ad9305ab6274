"""CSV variants of the HR workbook's three tables: UTF-8 with a BOM, formula-like texts guarded.

The columns are the workbook's own (`STORE_COLUMNS`, `STAFF_COLUMNS`, `DETAIL_COLUMNS`), so a CSV
matches its sheet header for header and field for field. Excel runs a CSV cell that starts with
= + - @ tab or CR as a formula, so such a text gets a leading single quote, as OWASP recommends;
the XLSX keeps the exact text instead, because a string cell there is never evaluated. Numbers
are written as plain digits and are never quoted, so a negative number stays a number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter
from pathlib import Path
from typing import Any, TextIO

from inspect_app.reports.workbook import (
    DETAIL_COLUMNS,
    DETAIL_SHEET,
    STAFF_COLUMNS,
    STAFF_SHEET,
    STORE_COLUMNS,
    STORE_SHEET,
    Column,
    DetailRow,
    StaffRow,
    StoreRatingRow,
)

#: A text starting with one of these is prefixed with "'" so spreadsheets do not run it.
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


@dataclass(frozen=True)
class CsvTable:
    """One table for `write_csv`: a file name stem (the sheet name), headers and lazy rows."""

    name: str
    headers: tuple[str, ...]
    rows: Iterator[tuple[Any, ...]]


def guard_formula(text: str) -> str:
    """Prefix a text that a spreadsheet would evaluate with a single quote."""
    return "'" + text if text.startswith(CSV_FORMULA_STARTS) else text


def csv_text(value: Any) -> str:
    """Return how one value is written in a CSV cell; None is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, str):
        return guard_formula(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value else "0"
    if isinstance(value, float):
        text = repr(value)
        return text.removesuffix(".0")
    return str(value)


def table_rows(columns: tuple[Column, ...], rows: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    """Yield each dataclass row as a tuple of its column values, in the columns' order."""
    values_of = attrgetter(*(column.field for column in columns))
    for row in rows:
        yield values_of(row)


def csv_tables(
    stores: Iterable[StoreRatingRow],
    staff: Iterable[StaffRow],
    details: Iterable[DetailRow],
) -> tuple[CsvTable, CsvTable, CsvTable]:
    """Return the store ratings, staff appraisal and item detail tables, rows not yet read."""
    return tuple(  # type: ignore[return-value]
        CsvTable(name, tuple(c.header for c in columns), table_rows(columns, rows))
        for name, columns, rows in (
            (STORE_SHEET, STORE_COLUMNS, stores),
            (STAFF_SHEET, STAFF_COLUMNS, staff),
            (DETAIL_SHEET, DETAIL_COLUMNS, details),
        )
    )


def _write_rows(out: TextIO, headers: Iterable[str], rows: Iterable[Iterable[Any]]) -> int:
    """Write the BOM, the header row and the rows; return the number of data rows."""
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_text(header) for header in headers])
    count = 0
    for row in rows:
        writer.writerow([csv_text(value) for value in row])
        count += 1
    return count


def write_csv(
    out: TextIO | str | Path, headers: Iterable[str], rows: Iterable[Iterable[Any]]
) -> int:
    """Write a UTF-8 CSV with a byte-order mark to a text stream or path; return the row count.

    A text stream must be opened with encoding="utf-8" and newline="" (the csv module's rule);
    the BOM is written as its first character so Excel reads the Chinese as UTF-8.
    """
    if isinstance(out, str | Path):
        with open(out, "w", encoding="utf-8", newline="") as stream:
            return _write_rows(stream, headers, rows)
    return _write_rows(out, headers, rows)
