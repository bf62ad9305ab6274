"""Read and check the staff and store roster that HR uploads as Excel; pure, no database.

The caller passes the region and store codes the database already has and applies the
report only when it is `ok`: regions, stores and staff are created or updated by code (either
sheet may be left out: a staff-only file names halls the system already has);
a store marked 停业 or a person marked 离职 becomes inactive and is never deleted; stores
and staff that the file does not mention are left as they are.

Codes (工号, 门店编码, 区域编码) are text. Excel turns a code typed into a General column into a
number and drops its leading zeros (0001001 becomes 1001), so a code that arrives as a number,
or as digits the system does not know, is matched to an existing code by adding zeros in front
only when exactly one code matches; a number that matches none or several is refused on its
row, so an import can never create a second person beside the real one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _

from inspect_app.stores.roster_template import (
    MAX_LENGTHS,
    REQUIRED_COLUMNS,
    STAFF_COLUMNS,
    STAFF_SHEET,
    STAFF_STATUSES,
    STORE_COLUMNS,
    STORE_SHEET,
    STORE_STATUSES,
)
from inspect_app.workbook_upload import SheetRows, XlsxFileError, read_sheets

#: Most data rows read from one sheet.
MAX_ROSTER_ROWS = 20_000
DIGITS = re.compile(r"[0-9]+")
DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
)
Cells = dict[str, Any]


@dataclass(frozen=True)
class RowError:
    """A problem in a cell, a row or a sheet; sheet and row are None for the whole file."""

    sheet: str | None
    #: The row number Excel shows; the header is row 1.
    row_number: int | None
    column: str | None
    message: str


@dataclass(frozen=True)
class RosterRegionRow:
    row_number: int
    code: str
    name: str


@dataclass(frozen=True)
class RosterStoreRow:
    row_number: int
    code: str
    name: str
    region_code: str
    address: str | None
    #: False for 停业: deactivate the store, never delete it.
    is_active: bool


@dataclass(frozen=True)
class RosterStaffRow:
    row_number: int
    employee_no: str
    name: str
    store_code: str
    position: str | None
    #: False for 离职: deactivate the person, never delete them.
    is_active: bool
    #: The 离职日期, if given; only ever set on an inactive row.
    left_on: date | None
    #: The 工号 as the file gave it when it was matched to an existing 工号 by adding zeros in
    #: front (1001 for 0001001); such a row may only ever update that person.
    matched_from: str | None = None


@dataclass(frozen=True)
class CodeCell:
    """A code as read from its cell, before it is matched to the codes the system has."""

    text: str
    #: The cell held a number, so leading zeros may have been lost.
    was_number: bool


class CodeIndex:
    """Known codes, with the all-digit ones findable by their value without leading zeros."""

    def __init__(self, codes: Iterable[str] = ()) -> None:
        self.codes: set[str] = set()
        self._by_digits: dict[str, set[str]] = defaultdict(set)
        self.update(codes)

    def update(self, codes: Iterable[str]) -> None:
        for code in codes:
            self.codes.add(code)
            if DIGITS.fullmatch(code):
                self._by_digits[code.lstrip("0")].add(code)

    def padded(self, digits: str) -> list[str]:
        """Return the known codes that are `digits` with zeros added in front (or `digits`)."""
        found = self._by_digits.get(digits.lstrip("0"), ())
        return sorted(code for code in found if len(code) >= len(digits))


@dataclass
class RosterReport:
    """The cleaned rows of a roster workbook and everything wrong with it."""

    #: Regions that store rows name (区域编码 with 区域名称): create or rename them.
    regions: list[RosterRegionRow] = field(default_factory=list)
    #: Rows without errors only; apply them only when the report is `ok`.
    stores: list[RosterStoreRow] = field(default_factory=list)
    staff: list[RosterStaffRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_roster(
    data: bytes,
    *,
    existing_store_codes: Iterable[str],
    existing_region_codes: Iterable[str],
    existing_staff_numbers: Iterable[str] = (),
    max_rows: int = MAX_ROSTER_ROWS,
) -> RosterReport:
    """Read the roster workbook and check every row; never raises on bad input.

    The existing codes are what numbers and zero-less codes are matched against.
    """
    report = RosterReport()
    try:
        sheets = read_sheets(data, (STORE_SHEET, STAFF_SHEET), max_rows=max_rows)
    except XlsxFileError as exc:
        report.errors.append(RowError(None, None, None, str(exc)))
        return report
    reader = _RosterReader(report)
    if not sheets:
        for sheet in (STORE_SHEET, STAFF_SHEET):
            reader.error(
                sheet, None, None, _("The workbook has no sheet named %(sheet)s.", sheet=sheet)
            )
        return report
    # Either sheet may be left out: a staff-only file names halls the system already has, a
    # stores-only file changes no one.
    store_rows = (
        reader.table(STORE_SHEET, sheets[STORE_SHEET], STORE_COLUMNS)
        if STORE_SHEET in sheets
        else []
    )
    staff_rows = (
        reader.table(STAFF_SHEET, sheets[STAFF_SHEET], STAFF_COLUMNS)
        if STAFF_SHEET in sheets
        else []
    )
    stores = CodeIndex(existing_store_codes)
    if store_rows is not None:
        # Staff rows may name the stores of the 门店 sheet.
        stores.update(
            reader.stores(store_rows, CodeIndex(stores.codes), CodeIndex(existing_region_codes))
        )
    if staff_rows is not None:
        # Without a readable 门店 sheet (an error already) staff store codes are not checked.
        reader.staff(
            staff_rows,
            stores,
            CodeIndex(existing_staff_numbers),
            check_stores=store_rows is not None,
        )
    if store_rows == [] and staff_rows == []:
        report.errors.append(
            RowError(None, None, None, _("The workbook has no store or staff rows."))
        )
    order = {None: 0, STORE_SHEET: 1, STAFF_SHEET: 2}
    for problems in (report.errors, report.warnings):
        problems.sort(key=lambda e: (order.get(e.sheet, 3), e.row_number or 0))
    return report


class _RosterReader:
    def __init__(self, report: RosterReport) -> None:
        self.report = report

    def error(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        self.report.errors.append(RowError(sheet, row, column, message))

    def table(
        self, sheet: str, rows: SheetRows, columns: tuple[str, ...]
    ) -> list[tuple[int, Cells]] | None:
        """Return each data row as {column: value}, or None if a column name is missing."""
        if not rows or rows[0][0] != 1:
            message = _(
                "The first row of the sheet %(sheet)s must hold the column names.", sheet=sheet
            )
            self.error(sheet, 1, None, message)
            return None
        errors_before = len(self.report.errors)
        index: dict[str, int] = {}
        for position, raw in enumerate(rows[0][1]):
            name = raw.strip() if isinstance(raw, str) else raw
            if name is None or name == "":
                continue
            if name not in columns:
                message = _(
                    "The column %(column)s is not part of the roster and is ignored.", column=name
                )
                self.report.warnings.append(RowError(sheet, 1, str(name), message))
            elif name in index:
                self.error(sheet, 1, name, _("The column %(column)s appears twice.", column=name))
            else:
                index[name] = position
        for name in REQUIRED_COLUMNS[sheet]:
            if name in index:
                continue
            message = _(
                "The sheet %(sheet)s has no column %(column)s in its first row.",
                sheet=sheet,
                column=name,
            )
            self.error(sheet, 1, name, message)
        if len(self.report.errors) > errors_before:
            return None
        return [
            (number, {name: values[i] for name, i in index.items()}) for number, values in rows[1:]
        ]

    def text(
        self, sheet: str, row: int, cells: Cells, column: str, *, required: bool = False
    ) -> str | None:
        """Return the cell as stripped text, or None after reporting what is wrong with it."""
        value = cells.get(column)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if required:
                self.error(sheet, row, column, _("%(column)s is missing.", column=column))
            return None
        if isinstance(value, bool | datetime | date | time | timedelta):
            self.error(sheet, row, column, _("%(column)s must be text.", column=column))
            return None
        if isinstance(value, int | float):
            value = str(int(value)) if float(value).is_integer() else str(value)
        text = str(value)
        limit = MAX_LENGTHS[sheet][column]
        if len(text) > limit:
            message = _("%(column)s is longer than %(n)s characters.", column=column, n=limit)
            self.error(sheet, row, column, message)
            return None
        return text

    def code(self, sheet: str, row: int, cells: Cells, column: str) -> CodeCell | None:
        """Return a required code cell, noting whether Excel stored it as a number."""
        value = cells.get(column)
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if is_number and (not float(value).is_integer() or value < 0):
            message = _(
                "%(column)s must be text; format the column as text and type it again.",
                column=column,
            )
            self.error(sheet, row, column, message)
            return None
        text = self.text(sheet, row, cells, column, required=True)
        return None if text is None else CodeCell(text, is_number)

    def match(
        self, sheet: str, row: int, column: str, cell: CodeCell | None, known: CodeIndex
    ) -> tuple[str | None, str | None]:
        """Return (code, matched_from): the cell's code, or the one known code it stands for.

        A number (or digits the system does not know) may have lost its leading zeros: it
        stands for a known code with zeros added in front only when exactly one matches. A
        number matching none or several is refused; unknown digits typed as text are a new code.
        """
        if cell is None:
            return None, None
        text = cell.text
        if (text in known.codes and not cell.was_number) or not DIGITS.fullmatch(text):
            return text, None
        matches = known.padded(text)
        if not cell.was_number:
            matches = [code for code in matches if code != text]
            if not matches:
                return text, None
        if len(matches) == 1:
            if matches[0] != text:
                message = _(
                    "%(column)s %(value)s was read as %(code)s, the only existing code it "
                    "matches once zeros are added in front.",
                    column=column,
                    value=text,
                    code=matches[0],
                )
                self.report.warnings.append(RowError(sheet, row, column, message))
            return matches[0], text if matches[0] != text else None
        if matches:
            message = _(
                "%(column)s %(value)s matches several existing codes once zeros are added in "
                "front (%(codes)s). Format the column as text and type the code in full.",
                column=column,
                value=text,
                codes=", ".join(matches),
            )
        else:
            message = _(
                "%(column)s %(value)s was stored as a number, so its leading zeros may be lost, "
                "and no existing code matches it. Format the column as text and type the code "
                "in full.",
                column=column,
                value=text,
            )
        self.error(sheet, row, column, message)
        return None, None

    def status(self, sheet: str, row: int, cells: Cells, statuses: dict[str, bool]) -> bool:
        value = cells.get("状态")
        text = value.strip() if isinstance(value, str) else value
        if text is None or text == "":
            return True
        if text not in statuses:
            message = _("状态 must be one of: %(values)s.", values=", ".join(statuses))
            self.error(sheet, row, "状态", message)
            return True
        return statuses[text]

    def left_on(self, row: int, value: Any) -> date | None:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        match = DATE_TEXT.fullmatch(value.strip()) if isinstance(value, str) else None
        try:
            if match:
                return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
        message = _("离职日期 must be a date, such as 2026-03-01 or 2026/3/1.")
        self.error(STAFF_SHEET, row, "离职日期", message)
        return None

    def duplicates(self, sheet: str, column: str, rows_by_code: dict[str, list[int]]) -> None:
        for code, rows in rows_by_code.items():
            if len(rows) > 1:
                listed = ", ".join(map(str, rows))
                for row in rows:
                    message = _(
                        "%(column)s %(code)s is on more than one row: %(rows)s.",
                        column=column,
                        code=code,
                        rows=listed,
                    )
                    self.error(sheet, row, column, message)

    def bad_rows(self, sheet: str) -> set[int | None]:
        return {e.row_number for e in self.report.errors if e.sheet == sheet}

    def stores(
        self, rows: list[tuple[int, Cells]], known_stores: CodeIndex, known_regions: CodeIndex
    ) -> set[str]:
        """Check the store rows and return every store code the file gives."""
        read = []
        for row, cells in rows:
            read.append(
                (
                    row,
                    self.code(STORE_SHEET, row, cells, "门店编码"),
                    self.text(STORE_SHEET, row, cells, "门店名称", required=True),
                    self.code(STORE_SHEET, row, cells, "区域编码"),
                    self.text(STORE_SHEET, row, cells, "区域名称"),
                    self.text(STORE_SHEET, row, cells, "地址"),
                    self.status(STORE_SHEET, row, cells, STORE_STATUSES),
                )
            )
        # A region the file names (as text) is known to the rows that give only its code.
        known_regions.update(
            region.text
            for _row, _code, _name, region, region_name, *_rest in read
            if region is not None and region_name is not None and not region.was_number
        )
        by_code: dict[str, list[int]] = defaultdict(list)
        regions: dict[str, RosterRegionRow] = {}
        found: list[RosterStoreRow] = []
        for row, code_cell, name, region_cell, region_name, address, is_active in read:
            code = self.match(STORE_SHEET, row, "门店编码", code_cell, known_stores)[0]
            region_code = self.match(STORE_SHEET, row, "区域编码", region_cell, known_regions)[0]
            if code is not None:
                by_code[code].append(row)
            if region_code is not None and region_name is not None:
                region = regions.setdefault(
                    region_code, RosterRegionRow(row, region_code, region_name)
                )
                if region.name != region_name:
                    message = _(
                        "Region %(code)s is named %(name)s on row %(row)s; give it one name.",
                        code=region_code,
                        name=region.name,
                        row=region.row_number,
                    )
                    self.error(STORE_SHEET, row, "区域名称", message)
            if code and name and region_code:
                found.append(RosterStoreRow(row, code, name, region_code, address, is_active))
        for store in found:
            if store.region_code not in regions and store.region_code not in known_regions.codes:
                message = _(
                    "Unknown region %(code)s: it is not in the system, so give its 区域名称 to create it.",
                    code=store.region_code,
                )
                self.error(STORE_SHEET, store.row_number, "区域编码", message)
        self.duplicates(STORE_SHEET, "门店编码", by_code)
        bad = self.bad_rows(STORE_SHEET)
        self.report.regions = list(regions.values())
        self.report.stores = [store for store in found if store.row_number not in bad]
        return set(by_code)

    def staff(
        self,
        rows: list[tuple[int, Cells]],
        known_stores: CodeIndex,
        known_staff: CodeIndex,
        *,
        check_stores: bool,
    ) -> None:
        """Check the staff rows against each other, the known stores and the known 工号."""
        by_number: dict[str, list[int]] = defaultdict(list)
        found: list[RosterStaffRow] = []
        for row, cells in rows:
            number_cell = self.code(STAFF_SHEET, row, cells, "工号")
            name = self.text(STAFF_SHEET, row, cells, "姓名", required=True)
            store_cell = self.code(STAFF_SHEET, row, cells, "门店编码")
            position = self.text(STAFF_SHEET, row, cells, "岗位")
            is_active = self.status(STAFF_SHEET, row, cells, STAFF_STATUSES)
            left_on = self.left_on(row, cells.get("离职日期"))
            if left_on is not None and is_active:
                message = _(
                    "A 离职日期 is given but 状态 is not 离职; set 状态 to 离职 or clear the date."
                )
                self.error(STAFF_SHEET, row, "离职日期", message)
            number, matched_from = self.match(STAFF_SHEET, row, "工号", number_cell, known_staff)
            store_code = self.match(STAFF_SHEET, row, "门店编码", store_cell, known_stores)[0]
            if number is not None:
                by_number[number].append(row)
            if store_code is not None and check_stores and store_code not in known_stores.codes:
                message = _(
                    "Unknown store %(code)s: it is neither in the 门店 sheet nor in the system.",
                    code=store_code,
                )
                self.error(STAFF_SHEET, row, "门店编码", message)
            if number and name and store_code:
                found.append(
                    RosterStaffRow(
                        row, number, name, store_code, position, is_active, left_on, matched_from
                    )
                )
        self.duplicates(STAFF_SHEET, "工号", by_number)
        bad = self.bad_rows(STAFF_SHEET)
        self.report.staff = [person for person in found if person.row_number not in bad]
