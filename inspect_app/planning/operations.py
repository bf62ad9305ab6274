"""Monthly visit plans: propose assignments with the pure planner, adjust, publish."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import delete, select

from inspect_app.audit.operations import record_event
from inspect_app.auth.models import Role, User
from inspect_app.extensions import db
from inspect_app.inspections.models import Assignment, AssignmentStatus, TimeSlot
from inspect_app.locking import lock_name, lock_row
from inspect_app.periods import Period
from inspect_app.planning.planner import PlannedVisit, plan_month
from inspect_app.planning.problems import PlanProblem
from inspect_app.planning.queries import (
    UncoveredHall,
    halls_without_visits,
    planned_inspectors,
    store_needs,
)


class PlanError(ValueError):
    """The plan cannot be made or changed as asked; the message says why."""


class UnconfirmedHalls(PlanError):
    """Publishing would leave these halls without a visit, and that was not confirmed."""

    def __init__(self, halls: list[UncoveredHall]) -> None:
        super().__init__(
            _(
                "This plan leaves %(n)s halls without a visit this month. Tick the confirmation "
                "under their list to publish it anyway.",
                n=len(halls),
            )
        )
        self.halls = halls


def propose_plan(
    month: Period,
    checklist_id: int,
    visits_by_region: dict[int, int],
    default_visits: int,
    actor_id: int,
    seed: int = 0,
    capacity: int | None = None,
) -> tuple[int, tuple[PlanProblem, ...]]:
    """Replace the month's unpublished proposal with a new one; return (visits planned, problems).

    Each active hall gets its region's number of visits in `visits_by_region`, else
    `default_visits`; each active inspector with a region makes at most `capacity` (None: no
    limit). The rules are planning.planner's; what it could not meet comes back as problems.
    """
    needs = store_needs(month, visits_by_region, default_visits)
    inspectors = planned_inspectors(capacity)
    plan = plan_month(month.start.year, month.start.month, needs, inspectors, seed=seed)
    _replace_proposal(month, checklist_id, plan.visits, actor_id)
    record_event(
        "plan.propose",
        None,
        actor_id=actor_id,
        month=month.key,
        visits=len(plan.visits),
        problems=[problem.as_record() for problem in plan.problems],
    )
    return len(plan.visits), plan.problems


def _replace_proposal(
    month: Period, checklist_id: int, visits: tuple[PlannedVisit, ...], actor_id: int
) -> None:
    """Delete the month's unpublished visits and add these as planned ones."""
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
        for v in visits
    )
    db.session.flush()


def publish_plan(month: Period, actor_id: int, confirmed: Iterable[int] = ()) -> int:
    """Make the month's proposal visible to the inspectors; return how many were published.

    Raises UnconfirmedHalls, publishing nothing, when the month leaves an active hall without a
    visit and `confirmed` (the ids of the halls the admin saw listed) does not name it. The
    audit event lists the halls left without a visit.
    """
    lock_name(f"plan {month.key}")  # a proposal made meanwhile waits, or is published whole
    uncovered = halls_without_visits(month)
    if not {hall.id for hall in uncovered} <= set(confirmed):
        raise UnconfirmedHalls(uncovered)
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
    record_event(
        "plan.publish",
        None,
        actor_id=actor_id,
        month=month.key,
        visits=len(rows),
        halls_without_visits=[
            {"id": hall.id, "name": hall.name, "region": hall.region} for hall in uncovered
        ],
    )
    return len(rows)


def reassign(assignment: Assignment, inspector: User, actor_id: int) -> None:
    """Give a visit that has not started to another inspector of the same region.

    Raises PlanError (its message for the page) when the visit has started or the inspector is
    inactive, not an inspector, or of another region.
    """
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
