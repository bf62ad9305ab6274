"""The admin's visit plan: propose a month, adjust, publish; progress for admins and reviewers."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from inspect_app.auth.models import Role, User
from inspect_app.auth.permissions import Permission, can, requires
from inspect_app.calendar import halls_today
from inspect_app.checklists.models import Checklist
from inspect_app.extensions import db
from inspect_app.inspections.models import Assignment
from inspect_app.planning import bp
from inspect_app.planning.operations import (
    PlanError,
    progress,
    propose_plan,
    publish_plan,
    reassign,
)
from inspect_app.scoring.periods import PeriodError, month_of, parse_period
from inspect_app.stores.models import Region, Store

MAX_VISITS = 10
SHOWN = 500


def _month():
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
    month = _month()
    assignments = db.session.scalars(
        select(Assignment)
        .where(Assignment.window_start >= month.start, Assignment.window_start < month.end)
        .options(
            joinedload(Assignment.store).joinedload(Store.region), joinedload(Assignment.inspector)
        )
        .order_by(Assignment.status, Assignment.store_id, Assignment.window_start)
        .limit(SHOWN)
    ).all()
    inspectors = db.session.scalars(
        select(User).where(User.role == Role.INSPECTOR, User.is_active).order_by(User.display_name)
    ).all()
    today = halls_today()
    return render_template(
        "planning/plan.html",
        month=month,
        months=sorted({month_of(today).key, month_of(month_of(today).end).key, month.key}),
        assignments=assignments,
        inspectors=inspectors,
        regions=db.session.scalars(select(Region).order_by(Region.code)).all(),
        checklists=db.session.scalars(
            select(Checklist).where(Checklist.active_version_id.is_not(None))
        ).all(),
        by_region=progress(month, today, "region"),
        by_inspector=progress(month, today, "inspector"),
        can_plan=can(current_user, Permission.PLAN_VISITS),
        today=today,
    )


def _visits(name: str, default: int) -> int:
    value = request.form.get(name, type=int)
    if value is None:
        return default
    if not 0 <= value <= MAX_VISITS:
        raise PlanError(_("Visits per hall must be from 0 to %(n)s.", n=MAX_VISITS))
    return value


@bp.post("/admin/plan/propose")
@requires(Permission.PLAN_VISITS)
def propose():
    month = _month()
    checklist = db.session.get(Checklist, request.form.get("checklist_id", type=int) or 0)
    if checklist is None:
        abort(404)
    try:
        default = _visits("visits", 4)
        per_region = {
            r.id: _visits(f"visits_{r.id}", default) for r in db.session.scalars(select(Region))
        }
        count, problems = propose_plan(
            month, checklist.id, per_region, default, current_user.id,
            capacity=current_app.config["INSPECTOR_MONTHLY_VISITS"],
        )  # fmt: skip
    except PlanError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("planning.plan", month=month.key)), 303
    db.session.commit()
    flash(_("%(n)s visits proposed. Check them, adjust, then publish.", n=count), "info")
    for problem in problems:
        flash(problem, "error")
    return redirect(url_for("planning.plan", month=month.key))


@bp.post("/admin/plan/publish")
@requires(Permission.PLAN_VISITS)
def publish():
    month = _month()
    count = publish_plan(month, current_user.id)
    db.session.commit()
    flash(_("%(n)s visits published to the inspectors.", n=count), "info")
    return redirect(url_for("planning.plan", month=month.key))


@bp.post("/admin/assignments/<int:assignment_id>/reassign")
@requires(Permission.REVIEW)
def reassign_visit(assignment_id: int):
    assignment = db.session.get(Assignment, assignment_id)
    inspector = db.session.get(User, request.form.get("inspector_id", type=int) or 0)
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
