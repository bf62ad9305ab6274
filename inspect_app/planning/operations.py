"""Monthly visit plans: propose assignments with the pure planner, adjust, publish; follow progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select

from inspect_app.audit.operations import record_event
from inspect_app.auth.models import Role, User
from inspect_app.extensions import db
from inspect_app.inspections.models import Assignment, AssignmentStatus, TimeSlot
from inspect_app.locking import lock_name, lock_row
from inspect_app.planning.planner import Inspector, StoreNeed, plan_month
from inspect_app.scoring.periods import Period
from inspect_app.stores.models import Store

OPEN = (AssignmentStatus.PUBLISHED, AssignmentStatus.IN_PROGRESS)


class PlanError(ValueError):
    """The plan cannot be made or changed as asked; the message says why."""


def propose_plan(
    month: Period,
    checklist_id: int,
    visits_by_region: dict[int, int],
    default_visits: int,
    actor_id: int,
    seed: int = 0,
    capacity: int | None = None,
) -> tuple[int, tuple[str, ...]]:
    """Replace the month's unpublished proposal with a new one; return (visits planned, problems)."""
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
    needs = [
        StoreNeed(
            store_id, region_id, visits_by_region.get(region_id, default_visits), last.get(store_id)
        )
        for store_id, region_id in stores
    ]
    inspectors = [
        Inspector(user_id, region_id, capacity)
        for user_id, region_id in db.session.execute(
            select(User.id, User.region_id).where(
                User.role == Role.INSPECTOR, User.is_active, User.region_id.is_not(None)
            )
        )
    ]
    plan = plan_month(month.start.year, month.start.month, needs, inspectors, seed=seed)
    # Two proposals for one month at once: the second waits and replaces the first.
    lock_name(f"plan {month.key}")
    db.session.execute(
        delete(Assignment).where(
            Assignment.status == AssignmentStatus.PLANNED,
            Assignment.window_start >= month.start,
            Assignment.window_start < month.end,
        )
    )
    db.session.add_all(
        Assignment(
            inspector_id=v.inspector_id,
            store_id=v.store_id,
            checklist_id=checklist_id,
            window_start=v.window_start,
            window_end=v.window_end,
            time_slot=TimeSlot(v.time_slot),
            status=AssignmentStatus.PLANNED,
            created_by_id=actor_id,
        )
        for v in plan.visits
    )
    db.session.flush()
    record_event(
        "plan.propose",
        None,
        actor_id=actor_id,
        month=month.key,
        visits=len(plan.visits),
        problems=list(plan.problems),
    )
    return len(plan.visits), plan.problems


def publish_plan(month: Period, actor_id: int) -> int:
    """Make the month's proposal visible to the inspectors; return how many were published."""
    rows = db.session.scalars(
        select(Assignment).where(
            Assignment.status == AssignmentStatus.PLANNED,
            Assignment.window_start >= month.start,
            Assignment.window_start < month.end,
        )
    ).all()
    for row in rows:
        row.status = AssignmentStatus.PUBLISHED
    db.session.flush()
    record_event("plan.publish", None, actor_id=actor_id, month=month.key, visits=len(rows))
    return len(rows)


def reassign(assignment: Assignment, inspector: User, actor_id: int) -> None:
    """Give a visit that has not started to another inspector of the same region."""
    from flask_babel import gettext as _

    lock_row(assignment)  # starting the visit locks it too: one or the other comes first
    if assignment.status not in (AssignmentStatus.PLANNED, AssignmentStatus.PUBLISHED):
        raise PlanError(_("Only a visit that has not started can be reassigned."))
    if inspector.role != Role.INSPECTOR or not inspector.is_active:
        raise PlanError(_("Choose an active inspector."))
    if inspector.region_id != assignment.store.region_id:
        raise PlanError(_("Choose an inspector of the hall's region."))
    old = assignment.inspector_id
    assignment.inspector_id = inspector.id
    db.session.flush()
    record_event(
        "assignment.reassign", assignment, actor_id=actor_id, inspector=[old, inspector.id]
    )


@dataclass(frozen=True)
class ProgressRow:
    label: str
    done: int
    due: int
    overdue: int
    planned: int


def progress(month: Period, today: date, by: str) -> list[ProgressRow]:
    """Done, due and overdue visits of the month, by region or by inspector."""
    from inspect_app.stores.models import Region

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
