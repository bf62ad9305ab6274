"""Which halls a user may see: managers their own (given directly or through a region).

Halls outside a user's scope answer 404, so their existence is not revealed.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, select

from inspect_app.auth.models import Role, User, user_regions, user_stores
from inspect_app.auth.permissions import Permission, can
from inspect_app.extensions import db
from inspect_app.stores.models import Store


def scoped_store_ids(user: User) -> Select | None:
    """Return a SELECT of the store ids a manager sees, or None for every store."""
    if Role(user.role) != Role.MANAGER:
        return None
    direct = select(user_stores.c.store_id).where(user_stores.c.user_id == user.id)
    via_region = (
        select(Store.id)
        .join(user_regions, user_regions.c.region_id == Store.region_id)
        .where(user_regions.c.user_id == user.id)
    )
    return direct.union(via_region)


def visible_stores(user: User) -> Select:
    """Return a SELECT of the Store rows this user may see results of."""
    query = select(Store)
    scope = scoped_store_ids(user)
    if scope is not None:
        query = query.where(Store.id.in_(scope))
    return query


def can_see_store(user: User, store_id: int) -> bool:
    if not can(user, Permission.VIEW_RESULTS):
        return False
    scope = scoped_store_ids(user)
    if scope is None:
        return True
    return (
        db.session.scalar(select(Store.id).where(Store.id == store_id, Store.id.in_(scope)))
        is not None
    )


def require_store(store_id: int) -> None:
    """Abort with 404 unless the current user may see this store's results."""
    if not can_see_store(current_user, store_id):
        abort(404)
