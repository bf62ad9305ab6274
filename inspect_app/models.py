"""Import every model so the metadata is complete (for Alembic and create_all)."""

from inspect_app.audit.models import AuditEvent
from inspect_app.auth.models import LoginThrottle, Role, User, user_regions, user_stores
from inspect_app.checklists.models import Checklist, ChecklistVersion
from inspect_app.inspections.attempts import RequestAttempt
from inspect_app.inspections.models import Answer, Assignment, Inspection, SectionScore, ServedStaff
from inspect_app.photos.models import Photo
from inspect_app.reports.models import ExportJob
from inspect_app.review.models import Appeal, CorrectiveAction, CorrectiveActionItem
from inspect_app.stores.models import Region, Staff, StaffPosting, Store

__all__ = [
    "Answer",
    "Appeal",
    "Assignment",
    "AuditEvent",
    "Checklist",
    "ChecklistVersion",
    "CorrectiveAction",
    "CorrectiveActionItem",
    "ExportJob",
    "Inspection",
    "LoginThrottle",
    "Photo",
    "Region",
    "RequestAttempt",
    "Role",
    "SectionScore",
    "ServedStaff",
    "Staff",
    "StaffPosting",
    "Store",
    "User",
    "user_regions",
    "user_stores",
]
