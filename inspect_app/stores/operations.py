"""Changes to the organisation: an admin's edit of one region, hall or staff member, and applying a
validated roster (an idempotent upsert). People who left are marked, never deleted. Operations
flush and never commit; the view commits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from inspect_app.audit.operations import record_event
from inspect_app.calendar import halls_today
from inspect_app.db import utcnow
from inspect_app.extensions import db
from inspect_app.locking import lock_name, lock_row, unique_violation_as
from inspect_app.stores.models import Region, Staff, Store
from inspect_app.stores.postings import keep_postings
from inspect_app.stores.roster_import import read_roster
from inspect_app.stores.roster_plan import KnownPerson, StaffPlan, left_at_of, plan_staff
from inspect_app.stores.roster_rows import RosterReport

ROSTER_LOCK = "roster import"
CODE_MAX, NAME_MAX = 32, 200


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
    regions = _apply_regions(report, changes)
    stores = _apply_stores(report, regions, changes)
    _apply_staff(report, stores, day, changes)
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


def _apply_regions(report: RosterReport, changes: RosterChanges) -> dict[str, Region]:
    """Create or rename the report's regions; return every region by code, flushed."""
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
    return regions


def _apply_stores(
    report: RosterReport, regions: dict[str, Region], changes: RosterChanges
) -> dict[str, Store]:
    """Create or update the report's stores; return every store by code, flushed."""
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
    return stores


def _apply_staff(
    report: RosterReport, stores: dict[str, Store], day: date, changes: RosterChanges
) -> None:
    """Create or update the report's staff and their postings from `day`, flushed.

    Raises RosterChangedError if a 工号 the reader matched to an existing person is gone.
    """
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


def _staff_values(row, stores: dict[str, Store]) -> dict[str, object]:
    return {
        "name": row.name,
        "store_id": stores[row.store_code].id,
        "position": row.position,
        "is_active": row.is_active,
        "left_at": left_at_of(row),
    }


class OrgError(ValueError):
    """A change the organisation cannot take; the message says why."""


def _text(value: str | None, label: str, limit: int, required: bool = True) -> str | None:
    """Return the typed text stripped (None when empty); OrgError if missing or too long."""
    value = (value or "").strip()
    if required and not value:
        raise OrgError(_("Fill in %(what)s.", what=label))
    if len(value) > limit:
        raise OrgError(_("%(what)s is longer than %(n)s characters.", what=label, n=limit))
    return value or None


def _unique(model, column, value, current_id: int | None, label: str) -> None:
    query = select(func.count()).select_from(model).where(column == value)
    if current_id is not None:
        query = query.where(model.id != current_id)
    if db.session.scalar(query):
        raise OrgError(_("%(what)s %(value)s is already used.", what=label, value=value))


def _changes(obj, values: dict) -> dict:
    changed = {k: [getattr(obj, k), v] for k, v in values.items() if getattr(obj, k) != v}
    for key, value in values.items():
        setattr(obj, key, value)
    return {k: [str(a), str(b)] for k, (a, b) in changed.items()}


def _save(
    kind: str,
    obj,
    values: dict,
    code_field: str,
    label: str,
    actor_id: int,
    then: Callable[[], None] | None = None,
) -> None:
    """Create or update one region, hall or staff member; audited as `<kind>.create|update`.

    `then` runs after the values are set and before they are written (a staff member's postings).
    """
    model = type(obj)
    _unique(model, getattr(model, code_field), values[code_field], obj.id, label)
    is_new = obj.id is None
    changes = _changes(obj, values)
    taken = OrgError(
        _("%(what)s %(value)s is already used.", what=label, value=values.get(code_field))
    )
    # The check above answers the usual case; this one the request that lost a race for the code.
    with unique_violation_as(taken):
        if is_new:
            db.session.add(obj)
        if then is not None:
            then()
        db.session.flush()
    record_event(f"{kind}.{'create' if is_new else 'update'}", obj, actor_id=actor_id, **changes)


def save_region(
    region: Region, *, code: str | None, name: str | None, is_active: bool, actor_id: int
) -> None:
    """Create (a new `Region()`) or update a region; a new region is always active.

    Raises OrgError (the message says why) for a missing or too long code or name, or a code
    another region uses.
    """
    values = {
        "code": _text(code, _("Region code"), CODE_MAX),
        "name": _text(name, _("Region name"), NAME_MAX),
        "is_active": is_active or region.id is None,
    }
    _save("region", region, values, "code", _("Region code"), actor_id)


def save_store(
    store: Store,
    *,
    code: str | None,
    name: str | None,
    address: str | None,
    region_id: int | None,
    is_active: bool,
    actor_id: int,
) -> None:
    """Create (a new `Store()`) or update a hall; a new hall is always active.

    Raises OrgError for an unknown region, a missing or too long code or name, a too long
    address, or a code another hall uses.
    """
    region = db.session.get(Region, region_id or 0)
    if region is None:
        raise OrgError(_("Choose the hall's region."))
    values = {
        "code": _text(code, _("Hall code"), CODE_MAX),
        "name": _text(name, _("Hall name"), NAME_MAX),
        "address": _text(address, _("Address"), 300, required=False),
        "region_id": region.id,
        "is_active": is_active or store.id is None,
    }
    _save("store", store, values, "code", _("Hall code"), actor_id)


def save_staff(
    person: Staff,
    *,
    employee_no: str | None,
    name: str | None,
    position: str | None,
    store_id: int | None,
    is_active: bool,
    actor_id: int,
) -> None:
    """Create (a new `Staff()`) or update a staff member and keep their postings.

    A change of hall or leaving takes effect on the halls' date today (stores.postings); a
    person who leaves gets `left_at` now, once. Raises OrgError for an unknown hall, a missing
    or too long 工号 or name, a too long position, or a 工号 another person has.
    """
    if person.id is not None:
        # Another admin (or an import) changing this person waits; their postings are read
        # after it.
        lock_row(person)
    store = db.session.get(Store, store_id or 0)
    if store is None:
        raise OrgError(_("Choose the hall this person works in."))
    active = is_active or person.id is None
    values = {
        "employee_no": _text(employee_no, _("Employee no."), CODE_MAX),
        "name": _text(name, _("Name"), 100),
        "position": _text(position, _("Position"), 100, required=False),
        "store_id": store.id,
        "is_active": active,
        "left_at": None if active else (person.left_at or utcnow()),
    }
    # Findings keep the hall of the visit, so moving a person keeps their history where it
    # was; the postings say from which day they are on the new hall's roster.
    today = halls_today()
    label = _("Employee no.")
    _save(
        "staff",
        person,
        values,
        "employee_no",
        label,
        actor_id,
        lambda: keep_postings(person, today),
    )
