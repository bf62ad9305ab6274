"""Applying a validated roster: an idempotent upsert; people who left are marked, never deleted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from inspect_app.audit.operations import record_event
from inspect_app.calendar import halls_today
from inspect_app.extensions import db
from inspect_app.locking import lock_name
from inspect_app.stores.models import Region, Staff, Store
from inspect_app.stores.postings import keep_postings
from inspect_app.stores.roster_import import RosterReport, read_roster
from inspect_app.stores.roster_plan import KnownPerson, StaffPlan, left_at_of, plan_staff

ROSTER_LOCK = "roster import"


@dataclass
class RosterChanges:
    created: dict[str, int] = field(default_factory=lambda: {"regions": 0, "stores": 0, "staff": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"regions": 0, "stores": 0, "staff": 0})
    moved: int = 0
    deactivated: int = 0

    @property
    def total(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


class RosterChangedError(ValueError):
    """The roster in the database no longer fits the checked file; check it again."""


def _assign(obj, **values) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def check_roster(data: bytes) -> tuple[RosterReport, StaffPlan | None]:
    """Read a roster workbook against the codes in the database; plan it if it has no errors."""
    report = read_roster(
        data,
        existing_store_codes=db.session.scalars(select(Store.code)),
        existing_region_codes=db.session.scalars(select(Region.code)),
        existing_staff_numbers=db.session.scalars(select(Staff.employee_no)),
    )
    return report, plan_roster(report) if report.ok else None


def _known_people(*where) -> list[KnownPerson]:
    rows = db.session.execute(
        select(
            Staff.employee_no,
            Staff.name,
            Store.code,
            Staff.position,
            Staff.is_active,
            Staff.left_at,
        )
        .join(Store, Store.id == Staff.store_id)
        .where(*where)
    )
    return [KnownPerson(*row) for row in rows]


def plan_roster(report: RosterReport) -> StaffPlan:
    """Return what applying the report would do to the staff (created, updated, moved …)."""
    numbers = {row.employee_no for row in report.staff}
    known = {p.employee_no: p for p in _known_people(Staff.employee_no.in_(numbers))}
    new = [row for row in report.staff if row.employee_no not in known]
    hall_people = (
        _known_people(
            Store.code.in_({row.store_code for row in new}),
            Staff.name.in_({row.name for row in new}),
        )
        if new
        else []
    )
    return plan_staff(report.staff, known, hall_people)


def apply_roster_upload(data: bytes, actor_id: int) -> tuple[RosterReport, RosterChanges | None]:
    """Check the workbook again under the roster lock and apply it if it still has no errors."""
    # One import at a time, and the file is read under the lock: what it is matched against
    # (the codes and people in the database) cannot change before it is applied.
    lock_name(ROSTER_LOCK)
    report, _plan = check_roster(data)
    if not report.ok:
        return report, None
    return report, apply_roster(report, actor_id)


def apply_roster(
    report: RosterReport, actor_id: int, effective_on: date | None = None
) -> RosterChanges:
    """Upsert regions, stores and staff from a report that has no errors; running it twice changes nothing.

    New staff join, and moves take effect, on `effective_on` (the halls' date today by
    default); people who left leave on their 离职日期, else on that day (see stores.postings).
    """
    if not report.ok:
        raise ValueError("a roster with errors cannot be applied")
    lock_name(ROSTER_LOCK)
    day = effective_on or halls_today()
    changes = RosterChanges()
    regions = {r.code: r for r in db.session.scalars(select(Region))}
    for row in report.regions:
        region = regions.get(row.code)
        if region is None:
            regions[row.code] = region = Region(code=row.code, name=row.name)
            db.session.add(region)
            changes.created["regions"] += 1
        elif _assign(region, name=row.name):
            changes.updated["regions"] += 1
    db.session.flush()
    stores = {s.code: s for s in db.session.scalars(select(Store))}
    for row in report.stores:
        store = stores.get(row.code)
        values = {
            "name": row.name,
            "region_id": regions[row.region_code].id,
            "address": row.address,
            "is_active": row.is_active,
        }
        if store is None:
            stores[row.code] = store = Store(code=row.code, **values)
            db.session.add(store)
            changes.created["stores"] += 1
        elif _assign(store, **values):
            changes.updated["stores"] += 1
    db.session.flush()
    plan = plan_roster(report)
    changed = [row.employee_no for row in plan.updated]
    # Locked, so an admin editing one of these people at the same time waits (and then sees
    # the postings written here).
    people = {
        s.employee_no: s
        for s in db.session.scalars(
            select(Staff)
            .where(Staff.employee_no.in_(changed))
            .options(selectinload(Staff.postings))
            .with_for_update(of=Staff)
            .execution_options(populate_existing=True)
        )
    }
    for row in plan.created:
        if row.matched_from is not None:
            # The reader matched a number to this existing 工号; never create it anew.
            raise RosterChangedError(row.employee_no)
        person = Staff(employee_no=row.employee_no, **_staff_values(row, stores))
        db.session.add(person)
        keep_postings(person, day, row.left_on)
    for row in plan.updated:
        person = people[row.employee_no]
        _assign(person, **_staff_values(row, stores))
        keep_postings(person, day, row.left_on)
    changes.created["staff"] = len(plan.created)
    changes.updated["staff"] = len(plan.updated)
    changes.moved = len(plan.moved)
    changes.deactivated = len(plan.deactivated)
    db.session.flush()
    record_event(
        "roster.import",
        None,
        actor_id=actor_id,
        created=changes.created,
        updated=changes.updated,
        moved=changes.moved,
        deactivated=changes.deactivated,
    )
    return changes


def _staff_values(row, stores: dict[str, Store]) -> dict[str, object]:
    return {
        "name": row.name,
        "store_id": stores[row.store_code].id,
        "position": row.position,
        "is_active": row.is_active,
        "left_at": left_at_of(row),
    }
