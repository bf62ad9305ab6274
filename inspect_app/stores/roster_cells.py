"""Read the cells of a roster sheet: header, text, codes, 状态 and 离职日期; pure, no database.

Each problem found is added to the `RosterReport` as a `RowError` on its cell; see
`inspect_app.stores.roster_import` for how codes that lost their leading zeros are matched.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _

from inspect_app.stores.roster_rows import DIGITS, CodeCell, CodeIndex, RosterReport, RowError
from inspect_app.stores.roster_template import MAX_LENGTHS, REQUIRED_COLUMNS, STAFF_SHEET
from inspect_app.workbook_upload import SheetRows

DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
)
Cells = dict[str, Any]


class CellReader:
    """Reads the cells of one roster workbook, noting every problem in `report`."""

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
