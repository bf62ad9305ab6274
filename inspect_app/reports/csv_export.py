"""CSV variants of the HR workbook's three tables: UTF-8 with a BOM, formula-like texts guarded.

The columns are the workbook's own (`STORE_COLUMNS`, `STAFF_COLUMNS`, `DETAIL_COLUMNS`), so a CSV
matches its sheet header for header and field for field.

The formula guard follows OWASP's page https://owasp.org/www-community/attacks/CSV_Injection:
no cell may begin with = + - @ tab, CR or LF, so such a text gets one leading single quote. OWASP names no full-width forms; ＝ ＋ － ＠ are guarded too, as a precaution. A
text that itself starts with a single quote is guarded the same way, which makes the guard
reversible: an importer drops exactly one leading "'" from every cell that has one and gets the
original back (docs/exports.md). OWASP also warns about field separators and quotes: every field
holding a comma, semicolon, tab, double quote, CR or LF is enclosed in double quotes, inner double
quotes doubled (RFC 4180 2.6-2.7), so no separator inside a text starts a new cell. The XLSX
keeps the exact text instead, because a string cell there is never evaluated. Numbers are
written as plain digits and are never guarded or quoted, so a negative number stays a number.
Moments are written in the halls' time in the app's one display format, as the workbook shows
them (`workbook.wall_time`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter
from pathlib import Path
from typing import Any, TextIO

from inspect_app.calendar import DISPLAY_FORMAT
from inspect_app.reports.workbook import wall_time
from inspect_app.reports.workbook_tables import (
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

#: OWASP's list: a spreadsheet may run a cell that starts with one of these as a formula.
OWASP_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
#: Their full-width forms, not on OWASP's list, guarded as a precaution.
FULL_WIDTH_FORMULA_STARTS = ("\uff1d", "\uff0b", "\uff0d", "\uff20")  # ＝ ＋ － ＠
#: The guard: one single quote in front of the text.
GUARD = "'"
#: A text starting with one of these gets the guard; GUARD itself, so the guard is reversible.
CSV_GUARDED_STARTS = (*OWASP_FORMULA_STARTS, *FULL_WIDTH_FORMULA_STARTS, GUARD)
#: A field holding one of these is enclosed in double quotes (separators, quotes, line breaks).
_NEEDS_QUOTES = re.compile('[,;\t"\r\n]')
BOM = "\ufeff"
#: The streamed download yields the file in pieces of about this many characters.
CHUNK_CHARS = 65_536


@dataclass(frozen=True)
class CsvTable:
    """One table for `write_csv`: the name of the sheet it mirrors, headers and lazy rows (the
    download's file name, `stores-<period>.csv` …, is given by reports/views.py)."""

    name: str
    headers: tuple[str, ...]
    rows: Iterator[tuple[Any, ...]]


def guard_formula(text: str) -> str:
    """Prefix a text that a spreadsheet could run, or that starts with the guard, with "'"."""
    return GUARD + text if text.startswith(CSV_GUARDED_STARTS) else text


def unguard(cell: str) -> str:
    """Recover the original text of a read-back cell: drop exactly one leading "'" if any.

    The rule docs/exports.md gives importers; it inverts `guard_formula` for every text.
    """
    return cell.removeprefix(GUARD)


def csv_text(value: Any) -> str:
    """Return how one value is written in a CSV cell, before quoting; None is an empty cell.

    A moment (datetime) is the halls' time in the one display format: an aware one is converted
    to the halls' zone (needs an app context), a naive one is taken as the halls' time already.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return guard_formula(value)
    if isinstance(value, datetime):
        return wall_time(value).strftime(DISPLAY_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value else "0"
    if isinstance(value, float):
        text = repr(value)
        return text.removesuffix(".0")
    return str(value)


def csv_field(value: Any) -> str:
    """Return one value as a CSV field: `csv_text`, in double quotes when it needs them."""
    text = csv_text(value)
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(values: Iterable[Any]) -> str:
    """Return one CSV record: the fields separated by commas, ended by CRLF."""
    return ",".join(csv_field(value) for value in values) + "\r\n"


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
    out.write(BOM + csv_line(headers))
    count = 0
    for row in rows:
        out.write(csv_line(row))
        count += 1
    return count


def csv_stream(
    headers: Iterable[str], rows: Iterable[Iterable[Any]], chunk_chars: int = CHUNK_CHARS
) -> Iterator[bytes]:
    """Yield a whole CSV file as UTF-8 pieces of about `chunk_chars` characters, for streaming.

    The same bytes as `write_csv`: the BOM and the header row first, then each row as it is read.
    """
    pending, size = [BOM + csv_line(headers)], 0
    for row in rows:
        line = csv_line(row)
        pending.append(line)
        size += len(line)
        if size >= chunk_chars:
            yield "".join(pending).encode("utf-8")
            pending, size = [], 0
    yield "".join(pending).encode("utf-8")


def write_csv(
    out: TextIO | str | Path, headers: Iterable[str], rows: Iterable[Iterable[Any]]
) -> int:
    """Write a UTF-8 CSV with a byte-order mark to a text stream or path; return the row count.

    A text stream must be opened with encoding="utf-8" and newline="" (the CRLF stays as is);
    the BOM is written as its first character so Excel reads the Chinese as UTF-8.
    """
    if isinstance(out, str | Path):
        with open(out, "w", encoding="utf-8", newline="") as stream:
            return _write_rows(stream, headers, rows)
    return _write_rows(out, headers, rows)
