"""Home (each role's start page), the admin overview and the health check."""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select, text

from inspect_app.auth.models import Role, User
from inspect_app.auth.permissions import Permission, requires
from inspect_app.checklists.models import Checklist, ChecklistVersion
from inspect_app.extensions import db
from inspect_app.inspections.models import Inspection
from inspect_app.main import bp
from inspect_app.stores.models import Region, Staff, Store

START_PAGES = {
    Role.ADMIN: "main.admin_overview",
    Role.REVIEWER: "review.queue",
    Role.INSPECTOR: "inspections.home",
    Role.MANAGER: "stores.my_stores",
    Role.HR: "stores.roster",
}


@bp.route("/")
@login_required
def home():
    return redirect(url_for(START_PAGES[Role(current_user.role)]))


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/admin")
@requires(Permission.MANAGE_USERS)
def admin_overview():
    counts = {
        "regions": db.session.scalar(select(func.count()).select_from(Region)),
        "stores": db.session.scalar(select(func.count()).select_from(Store).where(Store.is_active)),
        "staff": db.session.scalar(select(func.count()).select_from(Staff).where(Staff.is_active)),
        "inspections": db.session.scalar(select(func.count()).select_from(Inspection)),
        "checklist_versions": db.session.scalar(select(func.count()).select_from(ChecklistVersion)),
    }
    users_by_role = dict(
        db.session.execute(
            select(User.role, func.count()).where(User.is_active).group_by(User.role)
        ).all()
    )
    users = db.session.scalars(select(User).order_by(User.role, User.username)).all()
    checklists = db.session.scalars(select(Checklist).order_by(Checklist.key)).all()
    return render_template(
        "main/admin.html",
        counts=counts,
        users_by_role={Role(k): v for k, v in users_by_role.items()},
        users=users,
        checklists=checklists,
    )


@bp.route("/sw.js")
def service_worker():
    """Serve the service worker from the site root so it may control the visit pages."""
    script = (Path(current_app.static_folder) / "js" / "sw.js").read_bytes()
    response = Response(script, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response
