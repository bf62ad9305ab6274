"""Administering accounts: a user's name, role, status and the halls or regions they see."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from inspect_app.audit.operations import record_event
from inspect_app.auth.models import Role, User
from inspect_app.auth.operations import UserError, create_user, end_sessions
from inspect_app.extensions import db
from inspect_app.locking import lock_name
from inspect_app.stores.models import Region, Store


def _active_admins(excluding: int | None = None) -> int:
    query = select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.is_active)
    if excluding is not None:
        query = query.where(User.id != excluding)
    return db.session.scalar(query) or 0


def _snapshot(user: User) -> dict:
    """The fields update_user may change, for the audit trail's before and after."""
    return {
        "display_name": user.display_name,
        "role": str(user.role),
        "is_active": user.is_active,
        "region_id": user.region_id,
        "stores": sorted(s.id for s in user.stores),
        "regions": sorted(r.id for r in user.regions),
    }


def update_user(
    user: User,
    *,
    actor_id: int,
    display_name: str,
    role: Role,
    is_active: bool,
    region_id: int | None,
    store_ids: list[int],
    region_ids: list[int],
) -> dict:
    """Change a user's name, role, status and scope; return what changed (for the audit trail)."""
    display_name = display_name.strip()
    if not display_name or len(display_name) > 100:
        raise UserError(_("Give a name of at most 100 characters."))
    was_admin = user.role == Role.ADMIN and user.is_active
    if was_admin:
        lock_name("active administrators")  # two admins demoting each other: one stays
    if (
        was_admin
        and (role != Role.ADMIN or not is_active)
        and _active_admins(excluding=user.id) == 0
    ):
        raise UserError(
            _("This is the last active administrator; make someone else an administrator first.")
        )
    stores = (
        list(db.session.scalars(select(Store).where(Store.id.in_(store_ids)))) if store_ids else []
    )
    regions = (
        list(db.session.scalars(select(Region).where(Region.id.in_(region_ids))))
        if region_ids
        else []
    )
    if len(stores) != len(set(store_ids)) or len(regions) != len(set(region_ids)):
        raise UserError(_("Some of the chosen halls or regions do not exist."))
    if role == Role.MANAGER and not stores and not regions:
        raise UserError(_("A store manager needs at least one hall or region to see."))
    if region_id is not None and db.session.get(Region, region_id) is None:
        raise UserError(_("Some of the chosen halls or regions do not exist."))
    before = _snapshot(user)
    user.display_name = display_name
    user.role = role
    user.region_id = region_id if role == Role.INSPECTOR else None
    user.stores = stores if role == Role.MANAGER else []
    user.regions = regions if role == Role.MANAGER else []
    if user.is_active and not is_active:
        end_sessions(user)
    user.is_active = is_active
    after = _snapshot(user)
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if "role" in changes:
        end_sessions(user)  # the new role's menus and rights apply at the next sign-in
    db.session.flush()
    if changes:
        record_event("user.update", user, actor_id=actor_id, **changes)
    return changes


def create_account(
    username: str,
    password: str,
    role: Role,
    display_name: str | None,
    *,
    actor_id: int,
    region_id: int | None,
    store_ids: list[int],
    region_ids: list[int],
) -> User:
    """Create a user with a role and its scope (auth.operations.create_user, then update_user).

    Raises UserError as either does; nothing is kept if one refuses (the view rolls back).
    """
    user = create_user(username, password, role, display_name, actor_id=actor_id)
    update_user(
        user,
        actor_id=actor_id,
        display_name=user.display_name,
        role=role,
        is_active=True,
        region_id=region_id,
        store_ids=store_ids,
        region_ids=region_ids,
    )
    return user
