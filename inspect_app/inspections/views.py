"""The inspector's pages."""

from __future__ import annotations

from datetime import date

from flask import render_template
from flask_login import current_user

from inspect_app.auth.permissions import Permission, requires
from inspect_app.inspections import bp
from inspect_app.inspections.queries import (
    is_overdue,
    open_assignments,
    recent_submissions,
    unfinished_inspections,
)


@bp.route("/visits")
@requires(Permission.INSPECT)
def home():
    today = date.today()
    assignments = open_assignments(current_user.id)
    return render_template(
        "inspections/home.html",
        assignments=[(a, is_overdue(a, today)) for a in assignments],
        drafts=unfinished_inspections(current_user.id),
        recent=recent_submissions(current_user.id),
    )
