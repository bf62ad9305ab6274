"""The halls' calendar: today's date, the current time and stored instants, in the halls' zone.

Instants are stored in UTC; every date rule (appeal windows, due dates, overdue flags, periods,
plan months, export ranges) and every time shown to a user goes through here, so the server's
own zone never leaks in: every date a user sees or a rule uses is the halls' date.
The zone is INSPECT_TIMEZONE (Asia/Shanghai by default). The pure functions take the zone; the
``halls_*`` wrappers, and the others when given no zone, read it from the running app (they need
an app context). tests/test_calendar*.py freeze the clock at the halls' midnight to hold this.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo

from inspect_app.context import halls_tz

#: The one format for a moment shown to a user: pages, PDFs, workbooks and CSVs.
DISPLAY_FORMAT = "%Y-%m-%d %H:%M"


def now_in(tz: tzinfo) -> datetime:
    """The current time, timezone-aware in ``tz``."""
    return datetime.now(UTC).astimezone(tz)


def today_in(tz: tzinfo) -> date:
    """Today's date in ``tz``."""
    return now_in(tz).date()


def local_datetime(instant: datetime, tz: tzinfo | None = None) -> datetime:
    """A stored instant in the halls' zone (a naive value is taken to be UTC)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(tz if tz is not None else halls_tz())


def local_date(instant: datetime, tz: tzinfo | None = None) -> date:
    """The halls' calendar date of a stored instant."""
    return local_datetime(instant, tz).date()


def format_instant(instant: datetime | None, tz: tzinfo | None = None, fmt: str = "") -> str:
    """A stored instant as the halls read it: "2026-03-14 21:20" (DISPLAY_FORMAT, or ``fmt``,
    a strftime pattern, for a part such as "%H:%M"); "" for none. Pages use it as the
    ``|hall_time`` filter, PDFs and exports directly."""
    if instant is None:
        return ""
    return local_datetime(instant, tz).strftime(fmt or DISPLAY_FORMAT)


def day_start(day: date, tz: tzinfo | None = None) -> datetime:
    """The instant a halls' calendar day begins (midnight in the halls' zone), in UTC."""
    zone = tz if tz is not None else halls_tz()
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def halls_now() -> datetime:
    """The current time in the halls' zone (needs an app context)."""
    return now_in(halls_tz())


def halls_today() -> date:
    """Today's date in the halls' zone (needs an app context)."""
    return today_in(halls_tz())
