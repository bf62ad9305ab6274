"""Administering users: list, search, create, edit role and scope, disable, reset password."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from inspect_app.accounts import bp
from inspect_app.accounts.forms import UserForm
from inspect_app.accounts.operations import create_account, update_user
from inspect_app.auth.models import Role, User
from inspect_app.auth.operations import UserError, reset_password
from inspect_app.auth.permissions import Permission, requires
from inspect_app.extensions import db
from inspect_app.stores.models import Region, Store

PAGE = 50


def _choices() -> dict:
    return {
        "roles": list(Role),
        "regions": db.session.scalars(select(Region).order_by(Region.code)).all(),
        "stores": db.session.scalars(
            select(Store).where(Store.is_active).order_by(Store.code)
        ).all(),
    }


@bp.route("/admin/users")
@requires(Permission.MANAGE_USERS)
def users():
    text = (request.args.get("q") or "").strip()[:50]
    role = request.args.get("role")
    query = select(User).order_by(User.role, User.username)
    if text:
        query = query.where(
            or_(User.username.ilike(f"%{text}%"), User.display_name.ilike(f"%{text}%"))
        )
    if role in {r.value for r in Role}:
        query = query.where(User.role == role)
    return render_template(
        "accounts/users.html",
        users=db.session.scalars(query.limit(PAGE)).all(),
        q=text,
        role=role,
        roles=list(Role),
    )


@bp.route("/admin/users/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def new_user():
    form = UserForm()
    if request.method == "POST":
        try:
            role = Role(form.role.data or "")
            user = create_account(
                form.username.data or "", form.password.data or "", role,
                form.display_name.data or None, actor_id=current_user.id,
                region_id=form.region_id.data, store_ids=form.store_ids.data,
                region_ids=form.region_ids.data,
            )  # fmt: skip
        except ValueError as exc:  # UserError, or an unknown role
            db.session.rollback()
            message = str(exc) if isinstance(exc, UserError) else _("Choose a role.")
            return render_template(
                "accounts/user_form.html", user=None, error=message, form=form, **_choices()
            ), 422
        db.session.commit()
        flash(_("User %(name)s created.", name=user.username), "info")
        return redirect(url_for("accounts.users"))
    return render_template(
        "accounts/user_form.html", user=None, error=None, form=form, **_choices()
    )


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def edit_user(user_id: int):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = UserForm()
    if request.method == "POST":
        try:
            if form.action.data == "password":
                reset_password(user, form.password.data or "", current_user.id)
                message = _("Password reset; the user's sessions have ended.")
            else:
                update_user(
                    user, actor_id=current_user.id, display_name=form.display_name.data or "",
                    role=Role(form.role.data or ""), is_active=form.is_active.data,
                    region_id=form.region_id.data, store_ids=form.store_ids.data,
                    region_ids=form.region_ids.data,
                )  # fmt: skip
                message = _("Saved.")
        except ValueError as exc:
            db.session.rollback()
            user = db.session.get(User, user_id)
            message = str(exc) if isinstance(exc, UserError) else _("Choose a role.")
            return render_template(
                "accounts/user_form.html", user=user, error=message, form=form, **_choices()
            ), 422
        db.session.commit()
        flash(message, "info")
        return redirect(url_for("accounts.edit_user", user_id=user.id))
    return render_template(
        "accounts/user_form.html", user=user, error=None, form=form, **_choices()
    )
