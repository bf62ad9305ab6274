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

from collections import defaultdict
from collections.abc import Iterable

from flask_babel import gettext as _

from inspect_app.stores.roster_cells import CellReader, Cells
from inspect_app.stores.roster_rows import (
    CodeIndex,
    RosterRegionRow,
    RosterReport,
    RosterStaffRow,
    RosterStoreRow,
    RowError,
)
from inspect_app.stores.roster_template import (
    STAFF_COLUMNS,
    STAFF_SHEET,
    STAFF_STATUSES,
    STORE_COLUMNS,
    STORE_SHEET,
    STORE_STATUSES,
)
from inspect_app.workbook_upload import XlsxFileError, read_sheets

#: Most data rows read from one sheet.
MAX_ROSTER_ROWS = 20_000


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


class _RosterReader(CellReader):
    """Checks the 门店 and 员工 rows against each other and the codes the system has."""

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
