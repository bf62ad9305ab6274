"""Roster workbooks for the tests, laid out as HR's Excel saves them."""

from __future__ import annotations

import io

from openpyxl import Workbook

from inspect_app.stores.roster_template import STAFF_COLUMNS, STORE_COLUMNS


def roster_workbook(
    stores: list | None,
    staff: list | None,
    *,
    store_columns: tuple = STORE_COLUMNS,
    staff_columns: tuple = STAFF_COLUMNS,
    text_columns: str = "",
) -> bytes:
    """Return a roster workbook; a sheet whose rows are None is left out (a staff-only file).

    The columns lettered in `text_columns` are formatted as text (@), as a careful clerk would.
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, columns, rows in (("门店", store_columns, stores), ("员工", staff_columns, staff)):
        if rows is None:
            continue
        sheet = workbook.create_sheet(title)
        sheet.append(columns)
        for row in rows:
            sheet.append(row)
        for column in text_columns:
            for cell in sheet[column]:
                cell.number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
