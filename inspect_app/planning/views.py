"""The admin's visit plan: propose a month, adjust, publish; progress for admins and reviewers."""

from __future__ import annotations

from dataclasses import dataclass

from babel.lists import format_list
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from inspect_app.auth.models import User
from inspect_app.auth.permissions import Permission, can, requires
from inspect_app.calendar import halls_today
from inspect_app.checklists.models import Checklist
from inspect_app.extensions import db
from inspect_app.inspections.models import Assignment
from inspect_app.periods import Period, PeriodError, month_of, parse_period
from inspect_app.planning import bp
from inspect_app.planning.forms import PublishForm, ReassignForm, propose_form
from inspect_app.planning.operations import (
    PlanError,
    UnconfirmedHalls,
    propose_plan,
    publish_plan,
    reassign,
)
from inspect_app.planning.problems import PlanProblem, ProblemKind
from inspect_app.planning.queries import (
    ProblemNames,
    active_inspectors,
    halls_without_visits,
    month_assignments,
    plannable_checklists,
    problem_names,
    progress,
    regions_by_code,
    unfinished_months,
)

SHOWN = 500


def _month() -> Period:
    """Return the month in ?month= (default: this month); 400 for anything but a month."""
    try:
        period = parse_period(request.values.get("month"), halls_today())
    except PeriodError:
        abort(400)
    if period.kind != "month":
        abort(400)
    return period


@bp.route("/admin/plan")
@requires(Permission.REVIEW)
def plan():
    """Show the month's visits and progress, and to planners the propose and publish forms."""
    return _plan_page(_month(), PublishForm(formdata=None))


def _plan_page(month: Period, publish_form: PublishForm, status: int = 200):
    """Render the plan page for the month.

    The month selector offers this month, the next, the one shown and every month with a visit
    not yet finished, each with its overdue visits; planners see the halls the month leaves
    without a visit above the publish button.
    """
    today = halls_today()
    unfinished = unfinished_months(today)
    months = {month_of(today).key, month_of(month_of(today).end).key, month.key, *unfinished}
    can_plan = can(current_user, Permission.PLAN_VISITS)
    page = render_template(
        "planning/plan.html",
        month=month,
        months=[(key, unfinished.get(key, 0)) for key in sorted(months)],
        assignments=month_assignments(month, today, SHOWN),
        inspectors=active_inspectors(),
        propose_form=propose_form(regions_by_code(), plannable_checklists()),
        publish_form=publish_form,
        uncovered=halls_without_visits(month) if can_plan else [],
        reassign_form=ReassignForm(),
        by_region=progress(month, today, "region"),
        by_inspector=progress(month, today, "inspector"),
        can_plan=can_plan,
        today=today,
    )
    return page, status


@bp.post("/admin/plan/propose")
@requires(Permission.PLAN_VISITS)
def propose():
    """Replace the month's unpublished proposal; flash what the plan could not meet."""
    month = _month()
    form = propose_form(regions_by_code())
    checklist = db.session.get(Checklist, form.checklist_id.data or 0)
    if checklist is None:
        abort(404)
    if not form.validate():
        flash(next(error for errors in form.errors.values() for error in errors), "error")
        return redirect(url_for("planning.plan", month=month.key)), 303
    count, problems = propose_plan(
        month, checklist.id, form.visits_by_region(), form.default_visits(), current_user.id,
        capacity=current_app.config["INSPECTOR_MONTHLY_VISITS"],
    )  # fmt: skip
    db.session.commit()
    flash(_("%(n)s visits proposed. Check them, adjust, then publish.", n=count), "info")
    names = problem_names(problems)
    for problem in problems:
        flash(describe_problem(problem, names, month), "error")
    return redirect(url_for("planning.plan", month=month.key))


@bp.post("/admin/plan/publish")
@requires(Permission.PLAN_VISITS)
def publish():
    """Publish the month's proposal to the inspectors.

    When it leaves halls without a visit and the admin did not confirm that under their list,
    nothing is published: the page comes back (422) with the list and the reason.
    """
    month = _month()
    form = PublishForm()
    try:
        count = publish_plan(month, current_user.id, form.confirmed_halls())
    except UnconfirmedHalls as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _plan_page(month, form, 422)
    db.session.commit()
    flash(_("%(n)s visits published to the inspectors.", n=count), "info")
    return redirect(url_for("planning.plan", month=month.key))


@bp.post("/admin/assignments/<int:assignment_id>/reassign")
@requires(Permission.REVIEW)
def reassign_visit(assignment_id: int):
    """Give a visit that has not started to another inspector of its hall's region."""
    assignment = db.session.get(Assignment, assignment_id)
    inspector = db.session.get(User, ReassignForm().inspector_id.data or 0)
    if assignment is None or inspector is None:
        abort(404)
    try:
        reassign(assignment, inspector, current_user.id)
    except PlanError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("planning.plan", month=f"{assignment.window_start:%Y-%m}")), 303
    db.session.commit()
    flash(_("Reassigned."), "info")
    return redirect(url_for("planning.plan", month=f"{assignment.window_start:%Y-%m}"))


@dataclass(frozen=True)
class _Named:
    """What a problem concerns, by name: its region, its halls as one phrase, its inspector."""

    region: str
    halls: str
    inspector: str


def describe_problem(problem: PlanProblem, names: ProblemNames, month: Period) -> str:
    """Word a plan problem in the reader's language, naming regions, halls and inspectors."""
    named = _Named(
        region=names.regions.get(problem.region_id or 0, ""),
        halls=format_list([names.halls.get(i, "") for i in problem.store_ids], locale=get_locale())
        if problem.store_ids
        else "",
        inspector=names.inspectors.get(problem.inspector_id or 0, ""),
    )
    if problem.kind in _ABOUT_ENTRIES:
        return _describe_entry(problem, named, month)
    return _describe_region(problem, named)


#: Problems with the planner's input, or with one hall's visits; the rest concern a region.
_ABOUT_ENTRIES = {
    ProblemKind.DUPLICATE_STORE,
    ProblemKind.NEGATIVE_QUOTA,
    ProblemKind.DUPLICATE_INSPECTOR,
    ProblemKind.NEGATIVE_CAPACITY,
    ProblemKind.MORE_VISITS_THAN_DAYS,
}


def _describe_entry(problem: PlanProblem, named: _Named, month: Period) -> str:
    """Word a problem with one hall or inspector."""
    if problem.kind is ProblemKind.DUPLICATE_STORE:
        return _(
            "%(hall)s is listed more than once; only its first entry is planned.", hall=named.halls
        )
    if problem.kind is ProblemKind.NEGATIVE_QUOTA:
        return _(
            "%(hall)s asks for %(n)s visits; it is left out.", hall=named.halls, n=problem.visits
        )
    if problem.kind is ProblemKind.DUPLICATE_INSPECTOR:
        return _(
            "%(inspector)s is listed more than once; only the first entry is used.",
            inspector=named.inspector,
        )
    if problem.kind is ProblemKind.NEGATIVE_CAPACITY:
        return _(
            "%(inspector)s has a capacity of %(n)s; it is read as 0.",
            inspector=named.inspector, n=problem.capacity,
        )  # fmt: skip
    if problem.kind is not ProblemKind.MORE_VISITS_THAN_DAYS:
        raise ValueError(f"not a hall's or an inspector's problem: {problem.kind}")
    return _(
        "%(hall)s needs %(n)s visits but %(month)s has only %(days)s days, so some of its "
        "windows share a day.",
        hall=named.halls, n=problem.visits, month=month.key, days=problem.days,
    )  # fmt: skip


def _describe_region(problem: PlanProblem, named: _Named) -> str:
    """Word a problem with a region's visits or inspectors."""
    region, n = named.region, problem.visits
    if problem.kind is ProblemKind.NO_INSPECTORS:
        return _("%(region)s has halls needing %(n)s visits but no inspectors.", region=region, n=n)
    if problem.kind is ProblemKind.OVER_CAPACITY:
        return _(
            "%(region)s needs %(n)s visits but its inspectors can make %(capacity)s.",
            region=region, n=n, capacity=problem.capacity,
        )  # fmt: skip
    if problem.kind is ProblemKind.QUOTAS_CUT:
        return _(
            "%(region)s plans %(n)s visits, no more than %(most)s per hall, which leaves "
            "%(short)s of its halls short.",
            region=region, n=n, most=problem.most, short=len(problem.store_ids),
        )  # fmt: skip
    if problem.kind is ProblemKind.LONE_INSPECTOR_REPEATS:
        return _(
            "%(region)s has only one inspector, so %(inspector)s visits %(halls)s twice in a row.",
            region=region, inspector=named.inspector, halls=named.halls,
        )  # fmt: skip
    if problem.kind is ProblemKind.CAPACITY_FORCES_REPEATS:
        return _(
            "%(region)s sends the same inspector to %(halls)s twice in a row: its inspectors' "
            "capacities leave no other choice.",
            region=region, halls=named.halls,
        )  # fmt: skip
    if problem.kind is not ProblemKind.UNBALANCED:
        raise ValueError(f"not a region's problem: {problem.kind}")
    return _(
        "%(region)s cannot keep every inspector within one visit of the others without sending "
        "an inspector to the same hall twice in a row; loads run from %(fewest)s to %(most)s "
        "visits.",
        region=region, fewest=problem.fewest, most=problem.most,
    )  # fmt: skip
