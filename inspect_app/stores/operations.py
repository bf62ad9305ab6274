"""Applying a validated roster: an idempotent upsert; people who left are marked, never deleted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from sqlalchemy import select

from inspect_app.audit.operations import record_event
from inspect_app.extensions import db
from inspect_app.locking import lock_name
from inspect_app.stores.models import Region, Staff, Store
from inspect_app.stores.roster_import import RosterReport


@dataclass
class RosterChanges:
    created: dict[str, int] = field(default_factory=lambda: {"regions": 0, "stores": 0, "staff": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"regions": 0, "stores": 0, "staff": 0})
    moved: int = 0
    deactivated: int = 0

    @property
    def total(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


def _assign(obj, **values) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def apply_roster(report: RosterReport, actor_id: int) -> RosterChanges:
    """Upsert regions, stores and staff from a report that has no errors; running it twice changes nothing."""
    if not report.ok:
        raise ValueError("a roster with errors cannot be applied")
    # One import at a time: a second one waits, then reads what the first wrote.
    lock_name("roster import")
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
    people = {
        s.employee_no: s
        for s in db.session.scalars(
            select(Staff).where(Staff.employee_no.in_([r.employee_no for r in report.staff]))
        )
    }
    for row in report.staff:
        person = people.get(row.employee_no)
        left_at = datetime.combine(row.left_on, time(), UTC) if row.left_on else None
        values = {
            "name": row.name,
            "store_id": stores[row.store_code].id,
            "position": row.position,
            "is_active": row.is_active,
            "left_at": left_at if not row.is_active else None,
        }
        if person is None:
            db.session.add(Staff(employee_no=row.employee_no, **values))
            changes.created["staff"] += 1
            continue
        moved = person.store_id != values["store_id"]
        deactivated = person.is_active and not row.is_active
        if _assign(person, **values):
            changes.updated["staff"] += 1
            changes.moved += moved
            changes.deactivated += deactivated
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
