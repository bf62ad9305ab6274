"""Admins keep the organisation: regions, halls and staff. Nothing inspections refer to is deleted."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from inspect_app.audit.operations import record_event
from inspect_app.auth.permissions import Permission, requires
from inspect_app.calendar import halls_today
from inspect_app.db import utcnow
from inspect_app.extensions import db
from inspect_app.locking import lock_row, unique_violation_as
from inspect_app.stores import bp
from inspect_app.stores.models import Region, Staff, Store
from inspect_app.stores.postings import keep_postings

CODE_MAX, NAME_MAX = 32, 200


class OrgError(ValueError):
    """A change the organisation cannot take; the message says why."""


def _text(name: str, label: str, limit: int, required: bool = True) -> str | None:
    value = (request.form.get(name) or "").strip()
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
    code_field: str | None,
    label: str,
    then: Callable[[], None] | None = None,
):
    """Create or update one region, hall or staff member from the form; audited.

    `then` runs after the values are set and before they are written (a staff member's postings).
    """
    model = type(obj)
    if code_field:
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
    record_event(
        f"{kind}.{'create' if is_new else 'update'}", obj, actor_id=current_user.id, **changes
    )


def _form_page(template: str, obj, status: int = 200, error: str | None = None, **extra):
    regions = db.session.scalars(select(Region).order_by(Region.code)).all()
    stores = db.session.scalars(select(Store).order_by(Store.code)).all()
    return render_template(
        template, obj=obj, error=error, regions=regions, stores=stores, **extra
    ), status


@bp.route("/admin/regions", methods=["GET", "POST"])
@requires(Permission.MANAGE_ORG)
def regions():
    error = None
    if request.method == "POST":
        region = db.session.get(Region, request.form.get("id", type=int) or 0) or Region()
        try:
            values = {
                "code": _text("code", _("Region code"), CODE_MAX),
                "name": _text("name", _("Region name"), NAME_MAX),
                "is_active": bool(request.form.get("is_active")) or region.id is None,
            }
            _save("region", region, values, "code", _("Region code"))
        except OrgError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            flash(_("Saved."), "info")
            return redirect(url_for("stores.regions"))
    counts = dict(
        db.session.execute(select(Store.region_id, func.count()).group_by(Store.region_id)).all()
    )
    return render_template(
        "stores/admin_regions.html", regions=db.session.scalars(select(Region).order_by(Region.code)).all(),
        counts=counts, error=error,
    ), (422 if error else 200)  # fmt: skip


@bp.route("/admin/stores/new", methods=["GET", "POST"])
@bp.route("/admin/stores/<int:store_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_ORG)
def edit_store(store_id: int | None = None):
    store = db.session.get(Store, store_id) if store_id else Store()
    if store is None:
        abort(404)
    if request.method == "POST":
        try:
            region = db.session.get(Region, request.form.get("region_id", type=int) or 0)
            if region is None:
                raise OrgError(_("Choose the hall's region."))
            values = {
                "code": _text("code", _("Hall code"), CODE_MAX),
                "name": _text("name", _("Hall name"), NAME_MAX),
                "address": _text("address", _("Address"), 300, required=False),
                "region_id": region.id,
                "is_active": bool(request.form.get("is_active")) or store.id is None,
            }
            _save("store", store, values, "code", _("Hall code"))
        except OrgError as exc:
            db.session.rollback()
            return _form_page("stores/admin_store.html", store if store.id else None, 422, str(exc))
        db.session.commit()
        flash(_("Saved."), "info")
        return redirect(url_for("stores.edit_store", store_id=store.id))
    return _form_page("stores/admin_store.html", store if store.id else None)


@bp.route("/admin/staff/new", methods=["GET", "POST"])
@bp.route("/admin/staff/<int:staff_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_ORG)
def edit_staff(staff_id: int | None = None):
    person = db.session.get(Staff, staff_id) if staff_id else Staff()
    if person is None:
        abort(404)
    if request.method == "POST":
        if person.id is not None:
            # Another admin (or an import) changing this person waits; their postings are
            # read after it.
            lock_row(person)
        try:
            store = db.session.get(Store, request.form.get("store_id", type=int) or 0)
            if store is None:
                raise OrgError(_("Choose the hall this person works in."))
            active = bool(request.form.get("is_active")) or person.id is None
            values = {
                "employee_no": _text("employee_no", _("Employee no."), CODE_MAX),
                "name": _text("name", _("Name"), 100),
                "position": _text("position", _("Position"), 100, required=False),
                "store_id": store.id,
                "is_active": active,
                "left_at": None if active else (person.left_at or utcnow()),
            }
            # Findings keep the hall of the visit, so moving a person keeps their history where
            # it was; the postings say from which day they are on the new hall's roster.
            today = halls_today()
            _save(
                "staff",
                person,
                values,
                "employee_no",
                _("Employee no."),
                then=lambda: keep_postings(person, today),
            )
        except OrgError as exc:
            db.session.rollback()
            return _form_page(
                "stores/admin_staff.html", person if person.id else None, 422, str(exc)
            )
        db.session.commit()
        flash(_("Saved."), "info")
        return redirect(url_for("stores.edit_staff", staff_id=person.id))
    return _form_page(
        "stores/admin_staff.html",
        person if person.id else None,
        preset_store=request.args.get("store", type=int),
    )
