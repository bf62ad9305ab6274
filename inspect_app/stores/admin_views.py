"""Admins keep the organisation: regions, halls and staff. Nothing inspections refer to is deleted."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from inspect_app.auth.permissions import Permission, requires
from inspect_app.extensions import db
from inspect_app.stores import bp
from inspect_app.stores.forms import RegionForm, StaffForm, StoreForm
from inspect_app.stores.models import Region, Staff, Store
from inspect_app.stores.operations import OrgError, save_region, save_staff, save_store


def _form_page(template: str, obj, form, status: int = 200, error: str | None = None, **extra):
    regions = db.session.scalars(select(Region).order_by(Region.code)).all()
    stores = db.session.scalars(select(Store).order_by(Store.code)).all()
    return render_template(
        template, obj=obj, form=form, error=error, regions=regions, stores=stores, **extra
    ), status


@bp.route("/admin/regions", methods=["GET", "POST"])
@requires(Permission.MANAGE_ORG)
def regions():
    error = None
    form = RegionForm()
    if request.method == "POST":
        region = db.session.get(Region, form.id.data or 0) or Region()
        try:
            save_region(
                region,
                code=form.code.data,
                name=form.name.data,
                is_active=form.is_active.data,
                actor_id=current_user.id,
            )
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
        counts=counts, error=error, form=form,
    ), (422 if error else 200)  # fmt: skip


@bp.route("/admin/stores/new", methods=["GET", "POST"])
@bp.route("/admin/stores/<int:store_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_ORG)
def edit_store(store_id: int | None = None):
    store = db.session.get(Store, store_id) if store_id else Store()
    if store is None:
        abort(404)
    form = StoreForm()
    if request.method == "POST":
        try:
            save_store(
                store,
                code=form.code.data,
                name=form.name.data,
                address=form.address.data,
                region_id=form.region_id.data,
                is_active=form.is_active.data,
                actor_id=current_user.id,
            )
        except OrgError as exc:
            db.session.rollback()
            page = "stores/admin_store.html"
            return _form_page(page, store if store.id else None, form, 422, str(exc))
        db.session.commit()
        flash(_("Saved."), "info")
        return redirect(url_for("stores.edit_store", store_id=store.id))
    return _form_page("stores/admin_store.html", store if store.id else None, form)


@bp.route("/admin/staff/new", methods=["GET", "POST"])
@bp.route("/admin/staff/<int:staff_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_ORG)
def edit_staff(staff_id: int | None = None):
    person = db.session.get(Staff, staff_id) if staff_id else Staff()
    if person is None:
        abort(404)
    form = StaffForm()
    if request.method == "POST":
        try:
            save_staff(
                person,
                employee_no=form.employee_no.data,
                name=form.name.data,
                position=form.position.data,
                store_id=form.store_id.data,
                is_active=form.is_active.data,
                actor_id=current_user.id,
            )
        except OrgError as exc:
            db.session.rollback()
            page = "stores/admin_staff.html"
            return _form_page(page, person if person.id else None, form, 422, str(exc))
        db.session.commit()
        flash(_("Saved."), "info")
        return redirect(url_for("stores.edit_staff", staff_id=person.id))
    return _form_page(
        "stores/admin_staff.html",
        person if person.id else None,
        form,
        preset_store=request.args.get("store", type=int),
    )
