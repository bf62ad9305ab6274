"""Reading checklists and their versions."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import func, select

from inspect_app.auth.permissions import Permission, can, requires
from inspect_app.checklists import bp, field_names
from inspect_app.checklists.forms import ActivateVersionForm
from inspect_app.checklists.models import Checklist
from inspect_app.checklists.operations import definition_of, find_version
from inspect_app.extensions import db
from inspect_app.inspections.models import Inspection

# Templates name an item's inputs through the one codec: {{ field_name('rc', item.id) }}.
bp.add_app_template_global(field_names.encode, "field_name")


@bp.route("/checklists")
@requires(Permission.VIEW_CHECKLISTS)
def index():
    checklists = db.session.scalars(select(Checklist).order_by(Checklist.key)).all()
    usage = dict(
        db.session.execute(
            select(Inspection.checklist_version_id, func.count()).group_by(
                Inspection.checklist_version_id
            )
        ).all()
    )
    return render_template(
        "checklists/index.html",
        checklists=checklists,
        usage=usage,
        can_manage=can(current_user, Permission.MANAGE_CHECKLISTS),
        activate_form=ActivateVersionForm(),
    )


@bp.route("/checklists/<key>/v<int:number>")
@requires(Permission.VIEW_CHECKLISTS)
def version(key: str, number: int):
    version = find_version(key, number)
    if version is None:
        abort(404)
    return render_template(
        "checklists/version.html",
        version=version,
        definition=definition_of(version),
        lang=str(get_locale() or "zh_CN"),
    )
