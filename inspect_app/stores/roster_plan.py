"""What applying a checked roster would do to the staff: pure, shown before anything changes.

The check page shows the plan, and applying the roster counts its changes with the same plan,
so the numbers HR approves are the numbers applied.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from inspect_app.stores.roster_rows import RosterStaffRow


@dataclass(frozen=True)
class KnownPerson:
    """A staff member as the database has them."""

    employee_no: str
    name: str
    store_code: str
    position: str | None
    is_active: bool
    left_at: datetime | None


@dataclass(frozen=True)
class Namesake:
    """A new person the file would add to a hall that already has someone of that name."""

    row: RosterStaffRow
    existing: KnownPerson


@dataclass
class StaffPlan:
    """The staff rows of a roster, sorted by what applying them would do."""

    created: list[RosterStaffRow] = field(default_factory=list)
    #: Every existing person whose record would change (moved and deactivated ones included).
    updated: list[RosterStaffRow] = field(default_factory=list)
    #: Updated people whose hall changes.
    moved: list[RosterStaffRow] = field(default_factory=list)
    #: Updated people who are active now and would be marked as left.
    deactivated: list[RosterStaffRow] = field(default_factory=list)
    unchanged: list[RosterStaffRow] = field(default_factory=list)
    namesakes: list[Namesake] = field(default_factory=list)


def left_at_of(row: RosterStaffRow) -> datetime | None:
    """The `Staff.left_at` a row gives: its 离职日期 (start of day, UTC) for a person who left."""
    if row.is_active or row.left_on is None:
        return None
    return datetime.combine(row.left_on, time(), UTC)


def staff_changes(row: RosterStaffRow, person: KnownPerson) -> dict[str, object]:
    """Return the fields of `person` that the row changes, with their new values."""
    wanted = {
        "name": row.name,
        "store_code": row.store_code,
        "position": row.position,
        "is_active": row.is_active,
        "left_at": left_at_of(row),
    }
    return {key: value for key, value in wanted.items() if getattr(person, key) != value}


def plan_staff(
    rows: Iterable[RosterStaffRow],
    known: Mapping[str, KnownPerson],
    hall_people: Iterable[KnownPerson] = (),
) -> StaffPlan:
    """Sort the rows into created, updated (moved, deactivated) and unchanged people.

    `known` holds the existing people by 工号 (at least those the rows name); `hall_people` the
    existing people in the halls of the new rows, to name any new person who would join a hall
    beside someone of the same name (often the same person under a mistyped 工号).
    """
    rows = list(rows)
    plan = StaffPlan()
    leaving_hall = {
        row.employee_no
        for row in rows
        if (person := known.get(row.employee_no)) and person.store_code != row.store_code
    }
    by_hall_name: dict[tuple[str, str], list[KnownPerson]] = defaultdict(list)
    for person in hall_people:
        if person.employee_no not in leaving_hall:
            by_hall_name[person.store_code, person.name].append(person)
    for row in rows:
        person = known.get(row.employee_no)
        if person is None:
            plan.created.append(row)
            for other in sorted(
                by_hall_name.get((row.store_code, row.name), ()), key=lambda p: p.employee_no
            ):
                plan.namesakes.append(Namesake(row, other))
            continue
        changes = staff_changes(row, person)
        if not changes:
            plan.unchanged.append(row)
            continue
        plan.updated.append(row)
        if "store_code" in changes:
            plan.moved.append(row)
        if person.is_active and not row.is_active:
            plan.deactivated.append(row)
    return plan
