"""Helpers every template can call: navigation, labels, the current language."""

from __future__ import annotations

import uuid

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from inspect_app.auth.forms import LanguageForm, SignOutForm
from inspect_app.auth.models import Role, User
from inspect_app.auth.permissions import Permission, can
from inspect_app.auth.session import LANGUAGES
from inspect_app.calendar import format_instant, local_date
from inspect_app.context import current_lang
from inspect_app.extensions import db

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.REVIEWER: _l("Reviewer"),
    Role.INSPECTOR: _l("Inspector"),
    Role.MANAGER: _l("Store manager"),
    Role.HR: _l("HR"),
}

STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "returned": _l("Returned"),
    "approved": _l("Approved"),
}

SLOT_LABELS = {"peak": _l("Peak hours"), "off_peak": _l("Off-peak hours")}

ASSIGNMENT_LABELS = {
    "planned": _l("Not published"),
    "published": _l("Published"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}

APPEAL_LABELS = {
    "open": _l("Appeal pending"),
    "upheld": _l("Appeal upheld"),
    "rejected": _l("Appeal rejected"),
}
ACTION_LABELS = {
    "open": _l("To be corrected"),
    "recorded": _l("Corrected, awaiting verification"),
    "verified": _l("Verified"),
    "not_verified": _l("Not verified: correct again"),
}
EVENT_LABELS = {
    "inspection.start": _l("Visit started"),
    "inspection.submit": _l("Submitted"),
    "inspection.resubmit": _l("Resubmitted after corrections"),
    "inspection.return": _l("Returned to the inspector"),
    "inspection.approve": _l("Approved"),
    "inspection.rescore": _l("Scores recomputed"),
    "appeal.file": _l("Appeal filed"),
    "appeal.uphold": _l("Appeal upheld"),
    "appeal.reject": _l("Appeal rejected"),
    "action.record": _l("Corrective action recorded"),
    "action.verify": _l("Corrective action verified"),
    "action.reject": _l("Corrective action not verified"),
    "finding.attribute": _l("Unidentified finding attributed to a staff member"),
    "finding.unidentified": _l("Finding confirmed as not identifiable"),
}


def user_name(user_id: int) -> str:

    user = db.session.get(User, user_id)
    return user.display_name if user else ""


#: (endpoint, label, permission) in the order they appear in the top bar.
NAV = [
    ("main.admin_overview", _l("Administration"), Permission.MANAGE_USERS),
    ("inspections.home", _l("My visits"), Permission.INSPECT),
    ("review.queue", _l("Review"), Permission.REVIEW),
    ("planning.plan", _l("Visit plan"), Permission.REVIEW),
    ("stores.my_stores", _l("My halls"), Permission.APPEAL),
    ("review.store_actions", _l("Appeals and actions"), Permission.APPEAL),
    ("ratings.store_ratings", _l("Ratings"), Permission.VIEW_RESULTS),
    ("stores.roster", _l("Halls and staff"), Permission.VIEW_ROSTER),
    ("reports.index", _l("Exports"), Permission.EXPORT_HR),
    ("checklists.index", _l("Checklists"), Permission.VIEW_CHECKLISTS),
]


def nav_links() -> list[tuple[str, str]]:
    return [(endpoint, label) for endpoint, label, perm in NAV if can(current_user, perm)]


def register_template_helpers(app: Flask) -> None:
    # One way to show a stored instant on every page: the halls' zone, one format.
    # ``{{ job.created_at|hall_time }}``; ``|hall_time('%H:%M')`` for the time alone.
    app.add_template_filter(lambda value, fmt="": format_instant(value, fmt=fmt), "hall_time")
    app.add_template_filter(lambda value: local_date(value) if value else "", "hall_date")

    @app.context_processor
    def _helpers() -> dict:
        return {
            "nav_links": nav_links,
            "current_lang": current_lang,
            "languages": LANGUAGES,
            # The header's forms on every page; base.html renders their CSRF fields.
            "language_form": lambda: LanguageForm(formdata=None),
            "sign_out_form": lambda: SignOutForm(formdata=None),
            "role_label": lambda role: ROLE_LABELS.get(Role(role), role),
            "status_label": lambda status: STATUS_LABELS.get(str(status), status),
            "slot_label": lambda slot: SLOT_LABELS.get(str(slot), slot),
            "appeal_label": lambda status: APPEAL_LABELS.get(str(status), status),
            "assignment_label": lambda status: ASSIGNMENT_LABELS.get(str(status), status),
            "action_label": lambda status: ACTION_LABELS.get(str(status), status),
            "event_label": lambda action: EVENT_LABELS.get(action, action),
            "user_name": user_name,
            # A fresh attempt id for each form rendered (inspections.attempts.replayable_form).
            "new_attempt_id": lambda: str(uuid.uuid4()),
        }
