"""Who a visit's findings are about: the staff who served, 工号 named on items, the roster check.

Pure rules and the inspector's messages. The roster is read by the caller and handed in as a
lookup, so the form, the JSON API and the phone's outbox are checked by the same code.
A 工号 must be on the visited hall's roster on the visit date (`stores.queries.roster_on`);
anything else is refused, saying why: not on any roster, on another hall's that day, left
before it, or joined after it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from flask_babel import gettext as _

from inspect_app.calendar import local_date

#: At most this many staff are recorded as having served the inspector on one visit.
MAX_SERVED = 3
#: The form's value for "the person could not be identified" (no 工号 contains "?").
UNIDENTIFIED_CHOICE = "?"


class Standing(enum.StrEnum):
    ON_ROSTER = "on_roster"
    UNKNOWN = "unknown"
    OTHER_HALL = "other_hall"
    LEFT = "left"
    JOINED = "joined"


@dataclass(frozen=True)
class RosterStanding:
    """Where one 工号 stands against the visited hall's roster on the visit date."""

    kind: Standing
    #: The hall the person belongs to, when it is another one ("name (code)").
    hall: str | None = None
    #: The visit date, when the person was on that other hall's roster then but is not now.
    hall_on: date | None = None
    #: The halls' date the person left, when they left before the visit date.
    left_on: date | None = None
    #: The halls' date the person joined this hall, when that is after the visit date.
    joined_on: date | None = None


#: (visit date, 工号) -> the standing of each 工号 the roster knows; absent ones are unknown.
RosterLookup = Callable[[date, frozenset[str]], Mapping[str, RosterStanding]]


def visit_day(arrived_at: datetime | None, now: datetime, tz: tzinfo) -> date:
    """The halls' date a visit's 工号 are checked for: the arrival's, else today's."""
    return local_date(arrived_at or now, tz)


def roster_refusal(employee_no: str, standing: RosterStanding | None) -> str | None:
    """Why this 工号 cannot be used on the visit, in the user's language; None if it can."""
    kind = standing.kind if standing is not None else Standing.UNKNOWN
    if kind == Standing.ON_ROSTER:
        return None
    if kind == Standing.OTHER_HALL and standing.hall_on is not None:
        return _(
            "On %(date)s employee no. %(no)s was on the roster of another hall (%(hall)s), "
            "not of the one visited.",
            no=employee_no,
            hall=standing.hall,
            date=standing.hall_on.isoformat(),
        )
    if kind == Standing.OTHER_HALL:
        return _(
            "Employee no. %(no)s belongs to another hall (%(hall)s), not to the one visited.",
            no=employee_no,
            hall=standing.hall,
        )
    if kind == Standing.LEFT and standing.left_on is not None:
        return _(
            "Employee no. %(no)s left this hall on %(date)s, before the visit.",
            no=employee_no,
            date=standing.left_on.isoformat(),
        )
    if kind == Standing.LEFT:
        return _("Employee no. %(no)s is marked as having left this hall.", no=employee_no)
    if kind == Standing.JOINED and standing.joined_on is not None:
        return _(
            "Employee no. %(no)s joined this hall on %(date)s, after the visit.",
            no=employee_no,
            date=standing.joined_on.isoformat(),
        )
    return _("Employee no. %(no)s is not on any hall's roster.", no=employee_no)


def unattributed_message() -> str:
    return _(
        "Choose who served you, or name the staff member or mark “not identified” on this item."
    )


def describe_message() -> str:
    return _(
        "Describe the person you could not identify (where they were, what they wore, "
        "what they did)."
    )


def both_message() -> str:
    return _("Name the staff member or mark them as not identified, not both.")
