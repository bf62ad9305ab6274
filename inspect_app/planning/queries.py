"""Reads for the visit plan: the planner's input, the plan page's rows, progress and names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import InstrumentedAttribute, joinedload

from inspect_app.auth.models import Role, User
from inspect_app.checklists.models import Checklist
from inspect_app.extensions import db
from inspect_app.inspections.models import Assignment, AssignmentStatus
from inspect_app.periods import Period
from inspect_app.planning.planner import Inspector, StoreNeed
from inspect_app.planning.problems import PlanProblem
from inspect_app.stores.models import Region, Store

#: Visits that are given out and not done: published, or started.
OPEN = (AssignmentStatus.PUBLISHED, AssignmentStatus.IN_PROGRESS)


def store_needs(
    month: Period, visits_by_region: dict[int, int], default_visits: int
) -> list[StoreNeed]:
    """Return each active hall's visits for the month (its region's, else the default).

    Each need carries the inspector of the hall's last visit before the month, cancelled ones
    left out, for the planner's no-repeat rule.
    """
    stores = db.session.execute(select(Store.id, Store.region_id).where(Store.is_active)).all()
    last = dict(
        db.session.execute(
            select(Assignment.store_id, Assignment.inspector_id)
            .where(
                Assignment.window_start < month.start,
                Assignment.status != AssignmentStatus.CANCELLED,
            )
            .order_by(Assignment.window_start)
        ).all()
    )  # later rows overwrite earlier ones: the last inspector per store
    return [
        StoreNeed(
            store_id, region_id, visits_by_region.get(region_id, default_visits), last.get(store_id)
        )
        for store_id, region_id in stores
    ]


def planned_inspectors(capacity: int | None) -> list[Inspector]:
    """Return the active inspectors who have a region, each able to make `capacity` visits."""
    return [
        Inspector(user_id, region_id, capacity)
        for user_id, region_id in db.session.execute(
            select(User.id, User.region_id).where(
                User.role == Role.INSPECTOR, User.is_active, User.region_id.is_not(None)
            )
        )
    ]


def month_assignments(month: Period, today: date, limit: int) -> Sequence[Assignment]:
    """Return up to `limit` visits whose window starts in the month: the overdue ones first
    (open, their window over), then by status, hall and window."""
    overdue = Assignment.status.in_(OPEN) & (Assignment.window_end < today)
    return db.session.scalars(
        select(Assignment)
        .where(Assignment.window_start >= month.start, Assignment.window_start < month.end)
        .options(
            joinedload(Assignment.store).joinedload(Store.region), joinedload(Assignment.inspector)
        )
        .order_by(
            case((overdue, 0), else_=1),
            Assignment.status,
            Assignment.store_id,
            Assignment.window_start,
        )
        .limit(limit)
    ).all()


@dataclass(frozen=True)
class UncoveredHall:
    """An active hall that the month's visits leave without a visit."""

    id: int
    name: str
    region: str


def halls_without_visits(month: Period) -> list[UncoveredHall]:
    """Return the active halls with no visit in the month (cancelled ones do not count), by
    region and name: what publishing the month's proposal would leave unvisited."""
    visited = select(Assignment.store_id).where(
        Assignment.window_start >= month.start,
        Assignment.window_start < month.end,
        Assignment.status != AssignmentStatus.CANCELLED,
    )
    rows = db.session.execute(
        select(Store.id, Store.name, Region.name)
        .join(Region, Region.id == Store.region_id)
        .where(Store.is_active, Store.id.not_in(visited))
        .order_by(Region.name, Store.name, Store.id)
    ).all()
    return [UncoveredHall(store_id, name, region) for store_id, name, region in rows]


#: Visits not yet finished: proposed, given out, or started.
UNFINISHED = (AssignmentStatus.PLANNED, *OPEN)


def unfinished_months(today: date) -> dict[str, int]:
    """Return {month key: overdue visits} for every month holding a visit not yet finished."""
    overdue = func.sum(
        func.cast(Assignment.status.in_(OPEN) & (Assignment.window_end < today), db.Integer)
    )
    months: dict[str, int] = {}
    for start, late in db.session.execute(
        select(Assignment.window_start, overdue)
        .where(Assignment.status.in_(UNFINISHED))
        .group_by(Assignment.window_start)
    ):
        key = f"{start:%Y-%m}"
        months[key] = months.get(key, 0) + int(late or 0)
    return months


def active_inspectors() -> Sequence[User]:
    """Return the active inspectors by name: who a visit can be reassigned to."""
    return db.session.scalars(
        select(User).where(User.role == Role.INSPECTOR, User.is_active).order_by(User.display_name)
    ).all()


def regions_by_code() -> Sequence[Region]:
    """Return every region, by code."""
    return db.session.scalars(select(Region).order_by(Region.code)).all()


def plannable_checklists() -> Sequence[Checklist]:
    """Return the checklists with an active version: the ones a plan can use."""
    return db.session.scalars(
        select(Checklist).where(Checklist.active_version_id.is_not(None))
    ).all()


@dataclass(frozen=True)
class ProgressRow:
    label: str  # the region's or the inspector's name
    done: int
    due: int  # open, its window not yet over
    overdue: int  # open, its window over
    planned: int  # proposed, not published


def progress(month: Period, today: date, by: str) -> list[ProgressRow]:
    """Done, due and overdue visits of the month, by region (`by="region"`) or by inspector."""
    key = Region.name if by == "region" else User.display_name
    status = Assignment.status
    overdue = (status.in_(OPEN)) & (Assignment.window_end < today)
    query = (
        select(
            key,
            func.sum(func.cast(status == AssignmentStatus.DONE, db.Integer)),
            func.sum(func.cast(status.in_(OPEN) & (Assignment.window_end >= today), db.Integer)),
            func.sum(func.cast(overdue, db.Integer)),
            func.sum(func.cast(status == AssignmentStatus.PLANNED, db.Integer)),
        )
        .join(Store, Store.id == Assignment.store_id)
        .join(Region, Region.id == Store.region_id)
        .join(User, User.id == Assignment.inspector_id)
        .where(Assignment.window_start >= month.start, Assignment.window_start < month.end)
        .group_by(key)
        .order_by(key)
    )
    return [
        ProgressRow(label, int(d or 0), int(u or 0), int(o or 0), int(p or 0))
        for label, d, u, o, p in db.session.execute(query)
    ]


@dataclass(frozen=True)
class ProblemNames:
    """Names of what plan problems concern, by id: regions, halls and inspectors."""

    regions: dict[int, str]
    halls: dict[int, str]
    inspectors: dict[int, str]


def problem_names(problems: Iterable[PlanProblem]) -> ProblemNames:
    """Look up the names of the regions, halls and inspectors these problems concern."""
    problems = list(problems)
    region_ids = {p.region_id for p in problems if p.region_id is not None}
    hall_ids = {store_id for p in problems for store_id in p.store_ids}
    inspector_ids = {p.inspector_id for p in problems if p.inspector_id is not None}
    return ProblemNames(
        regions=_names(Region.id, Region.name, region_ids),
        halls=_names(Store.id, Store.name, hall_ids),
        inspectors=_names(User.id, User.display_name, inspector_ids),
    )


def _names(
    id_column: InstrumentedAttribute[int], name_column: InstrumentedAttribute[str], ids: set[int]
) -> dict[int, str]:
    """Return {id: name} for these ids (none asked: no query)."""
    if not ids:
        return {}
    return dict(db.session.execute(select(id_column, name_column).where(id_column.in_(ids))).all())
