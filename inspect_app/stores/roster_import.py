"""Read and check the staff and store roster that HR uploads as Excel; pure, no database.

The caller passes the region and store codes the database already has and applies the
report only when it is `ok`: regions, stores and staff are created or updated by code;
a store marked 停业 or a person marked 离职 becomes inactive and is never deleted; stores
and staff that the file does not mention are left as they are.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _

from inspect_app.checklists.xlsx import SheetRows, XlsxFileError, read_sheets
from inspect_app.stores.roster_template import (
    CODE_COLUMNS,
    MAX_LENGTHS,
    REQUIRED_COLUMNS,
    STAFF_COLUMNS,
    STAFF_SHEET,
    STAFF_STATUSES,
    STORE_COLUMNS,
    STORE_SHEET,
    STORE_STATUSES,
)

#: Most data rows read from one sheet.
MAX_ROSTER_ROWS = 20_000
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
class RegionRow:
    row_number: int
    code: str
    name: str


@dataclass(frozen=True)
class StoreRow:
    row_number: int
    code: str
    name: str
    region_code: str
    address: str | None
    #: False for 停业: deactivate the store, never delete it.
    is_active: bool


@dataclass(frozen=True)
class StaffRow:
    row_number: int
    employee_no: str
    name: str
    store_code: str
    position: str | None
    #: False for 离职: deactivate the person, never delete them.
    is_active: bool
    #: The 离职日期, if given; only ever set on an inactive row.
    left_on: date | None


@dataclass
class RosterReport:
    """The cleaned rows of a roster workbook and everything wrong with it."""

    #: Regions that store rows name (区域编码 with 区域名称): create or rename them.
    regions: list[RegionRow] = field(default_factory=list)
    #: Rows without errors only; apply them only when the report is `ok`.
    stores: list[StoreRow] = field(default_factory=list)
    staff: list[StaffRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_roster(
    data: bytes,
    *,
    existing_store_codes: set[str],
    existing_region_codes: set[str],
    max_rows: int = MAX_ROSTER_ROWS,
) -> RosterReport:
    """Read the roster workbook and check every row; never raises on bad input."""
    report = RosterReport()
    try:
        sheets = read_sheets(data, (STORE_SHEET, STAFF_SHEET), max_rows=max_rows)
    except XlsxFileError as exc:
        report.errors.append(RowError(None, None, None, str(exc)))
        return report
    reader = _RosterReader(report)
    store_rows = reader.table(STORE_SHEET, sheets.get(STORE_SHEET), STORE_COLUMNS)
    staff_rows = reader.table(STAFF_SHEET, sheets.get(STAFF_SHEET), STAFF_COLUMNS)
    store_codes: set[str] | None = None
    if store_rows is not None:
        store_codes = reader.stores(store_rows, existing_region_codes) | existing_store_codes
    if staff_rows is not None:
        reader.staff(staff_rows, store_codes)
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
        self, sheet: str, rows: SheetRows | None, columns: tuple[str, ...]
    ) -> list[tuple[int, Cells]] | None:
        """Return each data row as {column: value}, or None if the sheet or a column is missing."""
        if rows is None:
            self.error(
                sheet, None, None, _("The workbook has no sheet named %(sheet)s.", sheet=sheet)
            )
            return None
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
            if column in CODE_COLUMNS and not float(value).is_integer():
                message = _(
                    "%(column)s must be text; format the column as text and type it again.",
                    column=column,
                )
                self.error(sheet, row, column, message)
                return None
            if column in CODE_COLUMNS:
                message = _(
                    "%(column)s was a number in Excel; leading zeros may have been lost — format the column as text.",
                    column=column,
                )
                self.report.warnings.append(RowError(sheet, row, column, message))
            value = str(int(value)) if float(value).is_integer() else str(value)
        text = str(value)
        limit = MAX_LENGTHS[sheet][column]
        if len(text) > limit:
            message = _("%(column)s is longer than %(n)s characters.", column=column, n=limit)
            self.error(sheet, row, column, message)
            return None
        return text

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

    def stores(self, rows: list[tuple[int, Cells]], existing_regions: set[str]) -> set[str]:
        """Check the store rows and return every store code the file gives."""
        by_code: dict[str, list[int]] = defaultdict(list)
        regions: dict[str, RegionRow] = {}
        found: list[StoreRow] = []
        for row, cells in rows:
            code = self.text(STORE_SHEET, row, cells, "门店编码", required=True)
            name = self.text(STORE_SHEET, row, cells, "门店名称", required=True)
            region_code = self.text(STORE_SHEET, row, cells, "区域编码", required=True)
            region_name = self.text(STORE_SHEET, row, cells, "区域名称")
            address = self.text(STORE_SHEET, row, cells, "地址")
            is_active = self.status(STORE_SHEET, row, cells, STORE_STATUSES)
            if code is not None:
                by_code[code].append(row)
            if region_code is not None and region_name is not None:
                region = regions.setdefault(region_code, RegionRow(row, region_code, region_name))
                if region.name != region_name:
                    message = _(
                        "Region %(code)s is named %(name)s on row %(row)s; give it one name.",
                        code=region_code,
                        name=region.name,
                        row=region.row_number,
                    )
                    self.error(STORE_SHEET, row, "区域名称", message)
            if code and name and region_code:
                found.append(StoreRow(row, code, name, region_code, address, is_active))
        for store in found:
            if store.region_code not in regions and store.region_code not in existing_regions:
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

    def staff(self, rows: list[tuple[int, Cells]], store_codes: set[str] | None) -> None:
        """Check the staff rows against each other and the known stores (None: unknown)."""
        by_number: dict[str, list[int]] = defaultdict(list)
        found: list[StaffRow] = []
        for row, cells in rows:
            number = self.text(STAFF_SHEET, row, cells, "工号", required=True)
            name = self.text(STAFF_SHEET, row, cells, "姓名", required=True)
            store_code = self.text(STAFF_SHEET, row, cells, "门店编码", required=True)
            position = self.text(STAFF_SHEET, row, cells, "岗位")
            is_active = self.status(STAFF_SHEET, row, cells, STAFF_STATUSES)
            left_on = self.left_on(row, cells.get("离职日期"))
            if left_on is not None and is_active:
                message = _(
                    "A 离职日期 is given but 状态 is not 离职; set 状态 to 离职 or clear the date."
                )
                self.error(STAFF_SHEET, row, "离职日期", message)
            if number is not None:
                by_number[number].append(row)
            if store_code is not None and store_codes is not None and store_code not in store_codes:
                message = _(
                    "Unknown store %(code)s: it is neither in the 门店 sheet nor in the system.",
                    code=store_code,
                )
                self.error(STAFF_SHEET, row, "门店编码", message)
            if number and name and store_code:
                found.append(StaffRow(row, number, name, store_code, position, is_active, left_on))
        self.duplicates(STAFF_SHEET, "工号", by_number)
        bad = self.bad_rows(STAFF_SHEET)
        self.report.staff = [person for person in found if person.row_number not in bad]
