"""The rows and report of a roster workbook once read: plain data, no database.

See `inspect_app.stores.roster_import` for the rules they come out of.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

DIGITS = re.compile(r"[0-9]+")


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
