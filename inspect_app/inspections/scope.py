"""Which visits a user may see or fill in.

Visits outside a user's scope answer 404, so their existence is not revealed.
"""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user

from inspect_app.auth.models import Role, User
from inspect_app.auth.permissions import Permission, can
from inspect_app.inspections.models import InspectionStatus
from inspect_app.stores.scope import can_see_store


def can_see_inspection(user: User, inspection: Any) -> bool:
    """Inspectors see their own visits, managers approved visits to their stores."""
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
