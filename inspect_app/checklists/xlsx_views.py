"""Checklists in Excel: download any version, upload a YAML or XLSX file as a new version."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from inspect_app.auth.permissions import Permission, requires
from inspect_app.checklists import bp
from inspect_app.checklists.forms import ChecklistUploadForm
from inspect_app.checklists.models import ChecklistVersion
from inspect_app.checklists.operations import (
    NotUtf8Error,
    activate_version,
    definition_of,
    diff_versions,
    find_version,
    read_checklist_upload,
    store_version,
)
from inspect_app.checklists.xlsx import checklist_to_xlsx
from inspect_app.context import current_lang
from inspect_app.downloads import attachment
from inspect_app.extensions import db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/checklists/<key>/v<int:number>.xlsx")
@requires(Permission.VIEW_CHECKLISTS)
def version_xlsx(key: str, number: int):
    version = find_version(key, number)
    if version is None:
        abort(404)
    response = Response(checklist_to_xlsx(version.definition), mimetype=XLSX)
    response.headers["Content-Disposition"] = attachment(f"{key}-v{number}.xlsx")
    return response


@bp.route("/checklists/upload", methods=["GET", "POST"])
@requires(Permission.MANAGE_CHECKLISTS)
def upload():
    form = ChecklistUploadForm()
    if request.method == "GET":
        return render_template("checklists/upload.html", errors=[], form=form)
    upload = form.file.data
    if upload is None or not upload.filename:
        flash(_("Choose a checklist file (.yaml or .xlsx)."), "error")
        return redirect(url_for("checklists.upload")), 303
    name = upload.filename[-120:]
    try:
        result, source_text = read_checklist_upload(upload.read(), name)
    except NotUtf8Error:
        flash(_("The file is neither UTF-8 YAML nor an Excel workbook."), "error")
        return render_template("checklists/upload.html", errors=[], form=form), 422
    if not result.ok:
        return render_template("checklists/upload.html", errors=result.errors, form=form), 422
    stored = store_version(
        result.definition,
        source_text,
        name,
        activate=form.activate.data,
        actor_id=current_user.id,
    )
    db.session.commit()
    if stored.is_new:
        flash(
            _(
                "Stored as version %(n)s of %(title)s.",
                n=stored.version.number,
                title=result.definition.label(current_lang()),
            ),
            "info",
        )
    else:
        flash(
            _(
                "This content is already stored as version %(n)s; nothing new was stored.",
                n=stored.version.number,
            ),
            "info",
        )
    return redirect(url_for("checklists.index"))


def _version(key: str, number: int) -> ChecklistVersion:
    version = find_version(key, number)
    if version is None:
        abort(404)
    return version


@bp.post("/checklists/<key>/v<int:number>/activate")
@requires(Permission.MANAGE_CHECKLISTS)
def activate(key: str, number: int):
    """Choose the version new inspections use; visits already started keep theirs."""
    if activate_version(_version(key, number), actor_id=current_user.id):
        db.session.commit()
    flash(_("New inspections now use version %(n)s.", n=number), "info")
    return redirect(url_for("checklists.index"))


@bp.route("/checklists/<key>/diff")
@requires(Permission.VIEW_CHECKLISTS)
def diff(key: str):
    """What changed between two versions, item by item."""
    old_number = request.args.get("from", type=int)
    new_number = request.args.get("to", type=int)
    if not old_number or not new_number:
        abort(400)
    old, new = _version(key, old_number), _version(key, new_number)
    return render_template(
        "checklists/diff.html",
        key=key,
        old=old,
        new=new,
        diff=diff_versions(old, new),
        section_labels=_section_labels(old, new, current_lang()),
        lang=current_lang(),
    )


def _section_labels(old: ChecklistVersion, new: ChecklistVersion, lang: str) -> dict[str, str]:
    """Each section's title in `lang` by id: the new version's, else (removed) the old one's."""
    labels = {s.id: s.label(lang) for s in definition_of(old).sections}
    return labels | {s.id: s.label(lang) for s in definition_of(new).sections}
