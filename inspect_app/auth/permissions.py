"""The one place that decides what each role may do.

Roles grant permissions; actions outside a role answer 403. Which objects a user may see
within a role is each domain's own check: halls in `stores.scope`, visits in
`inspections.scope` (objects outside a user's scope answer 404, so their existence is not
revealed).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from inspect_app.auth.models import Role


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
    VIEW_AUDIT = "view_audit"  # read the audit log: every recorded event


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
