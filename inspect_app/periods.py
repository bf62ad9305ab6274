"""Rating periods: a month, a quarter, or any date range (end exclusive)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
#: Years a period may start in: others are typing mistakes, and near year 1 or 9999 the
#: previous or next period cannot even be computed.
YEARS = range(2000, 2101)


class PeriodError(ValueError):
    """A period that cannot be read."""


@dataclass(frozen=True)
class Period:
    kind: str  # "month" | "quarter" | "range"
    start: date
    end: date  # exclusive

    @property
    def key(self) -> str:
        """The period as written in URLs: 2026-03, 2026-Q1 or 2026-01-01..2026-02-15."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.isoformat()}..{(self.end - timedelta(days=1)).isoformat()}"

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        if self.kind == "month":
            return month_of(self.start - timedelta(days=1))
        if self.kind == "quarter":
            return quarter_of(self.start - timedelta(days=1))
        length = self.end - self.start
        return Period("range", self.start - length, self.start)

    def history(self, count: int) -> list[Period]:
        """This period and the count-1 before it, oldest first."""
        periods = [self]
        while len(periods) < count:
            periods.append(periods[-1].previous())
        return list(reversed(periods))


def month_of(day: date) -> Period:
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return Period("month", start, end)


def quarter_of(day: date) -> Period:
    first_month = (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + (first_month + 3 > 12), (first_month + 2) % 12 + 1, 1)
    return Period("quarter", start, end)


def parse_period(text: str | None, today: date) -> Period:
    """Read a period key; the current month when empty; PeriodError when unreadable."""
    if not text:
        return month_of(today)
    text = text.strip()
    if not text[:4].isdigit() or int(text[:4]) not in YEARS:
        raise PeriodError(text)
    try:
        if match := MONTH.match(text):
            return month_of(date(int(match[1]), int(match[2]), 1))
        if match := QUARTER.match(text):
            return quarter_of(date(int(match[1]), (int(match[2]) - 1) * 3 + 1, 1))
        if match := RANGE.match(text):
            start, last = date.fromisoformat(match[1]), date.fromisoformat(match[2])
            if last < start or (last - start).days > 731:
                raise PeriodError(text)
            return Period("range", start, last + timedelta(days=1))
    except ValueError as exc:
        raise PeriodError(text) from exc
    raise PeriodError(text)
