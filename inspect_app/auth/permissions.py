"""The one place that decides who may do and see what.

Roles grant permissions; managers are further limited to their stores (given
directly or through a region). Objects outside a user's scope answer 404, so
their existence is not revealed; actions outside a role answer 403.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import Select, select

from inspect_app.auth.models import Role, User, user_regions, user_stores
from inspect_app.extensions import db
from inspect_app.stores.models import Store


class Permission(enum.StrEnum):
    INSPECT = "inspect"  # fill in inspections on assigned or chosen visits
    REVIEW = "review"  # approve or return inspections, decide appeals, verify actions
    VIEW_RESULTS = "view_results"  # see store results (managers: their stores only)
    APPEAL = "appeal"  # appeal findings and record corrective actions
    VIEW_ROSTER = "view_roster"  # regions, stores and staff lists
    EXPORT_HR = "export_hr"  # download the appraisal workbook
    IMPORT_ROSTER = "import_roster"
    VIEW_CHECKLISTS = "view_checklists"
    MANAGE_CHECKLISTS = "manage_checklists"
    MANAGE_USERS = "manage_users"
    MANAGE_ORG = "manage_org"  # regions, stores, staff
    PLAN_VISITS = "plan_visits"
    VIEW_INSPECTOR = "view_inspector"  # know who carried out an inspection


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.REVIEWER: frozenset(
        {
            Permission.REVIEW,
            Permission.VIEW_RESULTS,
            Permission.VIEW_ROSTER,
            Permission.VIEW_CHECKLISTS,
            Permission.VIEW_INSPECTOR,
        }
    ),
    Role.INSPECTOR: frozenset({Permission.INSPECT, Permission.VIEW_INSPECTOR}),
    Role.MANAGER: frozenset({Permission.VIEW_RESULTS, Permission.APPEAL}),
    Role.HR: frozenset(
        {
            Permission.VIEW_RESULTS,
            Permission.VIEW_ROSTER,
            Permission.EXPORT_HR,
            Permission.IMPORT_ROSTER,
        }
    ),
}


def can(user: Any, permission: Permission) -> bool:
    """Whether a (possibly anonymous) user's role grants the permission."""
    if not getattr(user, "is_authenticated", False):
        return False
    return permission in ROLE_PERMISSIONS.get(Role(user.role), frozenset())


def requires(*permissions: Permission) -> Callable:
    """Decorate a view: sign-in required, and every listed permission, else 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            for permission in permissions:
                if not can(current_user, permission):
                    abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


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


def can_see_inspection(user: User, inspection: Any) -> bool:
    """Inspectors see their own visits, managers approved visits to their stores."""
    from inspect_app.inspections.models import InspectionStatus

    role = Role(user.role)
    if role in (Role.ADMIN, Role.REVIEWER):
        return True
    if role == Role.INSPECTOR:
        return inspection.inspector_id == user.id
    if role in (Role.MANAGER, Role.HR):
        return inspection.status == InspectionStatus.APPROVED and can_see_store(
            user, inspection.store_id
        )
    return False


def require_inspection(inspection: Any) -> None:
    """Abort with 404 unless the current user may see this inspection."""
    if inspection is None or not can_see_inspection(current_user, inspection):
        abort(404)


def can_edit_inspection(user: Any, inspection: Any) -> bool:
    """Only the inspector who made a visit fills it in; others at most read it."""
    return (
        getattr(user, "is_authenticated", False)
        and can(user, Permission.INSPECT)
        and inspection.inspector_id == user.id
    )


def require_own_visit(inspection: Any) -> None:
    """Abort with 404 unless the current user is the visit's inspector."""
    if inspection is None or not can_edit_inspection(current_user, inspection):
        abort(404)
