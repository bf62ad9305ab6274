"""Roster upload for HR and admins: validate everything, show the report, then apply on request."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from inspect_app.auth.permissions import Permission, requires
from inspect_app.calendar import halls_today
from inspect_app.downloads import attachment
from inspect_app.extensions import db
from inspect_app.stores import bp
from inspect_app.stores.forms import RosterApplyForm, RosterUploadForm
from inspect_app.stores.operations import RosterChangedError, apply_roster_upload, check_roster
from inspect_app.stores.roster_template import roster_template

TOKEN = re.compile(r"^[0-9a-f]{32}$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload_dir() -> Path:
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


@bp.route("/roster/import")
@requires(Permission.IMPORT_ROSTER)
def roster_import():
    return render_template("stores/roster_import.html", report=None, form=RosterUploadForm())


@bp.route("/roster/template.xlsx")
@requires(Permission.IMPORT_ROSTER)
def roster_template_download():
    response = Response(roster_template(), mimetype=XLSX)
    response.headers["Content-Disposition"] = attachment("roster-template.xlsx")
    return response


@bp.post("/roster/import")
@requires(Permission.IMPORT_ROSTER)
def roster_check():
    form = RosterUploadForm()
    upload = form.file.data
    if upload is None or not upload.filename:
        flash(_("Choose the roster workbook (.xlsx) to upload."), "error")
        return redirect(url_for("stores.roster_import")), 303
    data = upload.read()
    report, plan = check_roster(data)
    token = None
    if report.ok:
        token = secrets.token_hex(16)
        (_upload_dir() / f"{token}.xlsx").write_bytes(data)
    page = render_template(
        "stores/roster_import.html",
        report=report,
        plan=plan,
        token=token,
        effective_on=halls_today(),
        form=form,
        apply_form=RosterApplyForm(formdata=None),
    )
    return page, 200 if report.ok else 422


@bp.post("/roster/import/apply")
@requires(Permission.IMPORT_ROSTER)
def roster_apply():
    token = RosterApplyForm().token.data or ""
    if not TOKEN.match(token):
        abort(400)
    path = _upload_dir() / f"{token}.xlsx"
    # Claim the upload by renaming it (atomic): of two clicks on "apply", one applies it.
    claimed = path.with_name(f"{token}.{secrets.token_hex(8)}.applying")
    try:
        path.rename(claimed)
    except FileNotFoundError:
        flash(_("This upload was already applied or has expired. Upload the file again."), "error")
        return redirect(url_for("stores.roster_import")), 303
    try:
        try:
            report, changes = apply_roster_upload(claimed.read_bytes(), current_user.id)
        except RosterChangedError:
            db.session.rollback()
            claimed.rename(path)
            message = _(
                "The staff changed while the roster was being applied, so nothing was changed. "
                "Check the file again."
            )
            flash(message, "error")
            return redirect(url_for("stores.roster_import")), 303
        if changes is None:
            # Something changed since the check (another import): show the fresh report.
            db.session.rollback()
            claimed.rename(path)
            page = render_template(
                "stores/roster_import.html", report=report, token=None, form=RosterUploadForm()
            )
            return page, 422
        db.session.commit()
    except BaseException:
        if claimed.exists():
            claimed.rename(path)  # nothing was applied: the upload can be applied again
        raise
    claimed.unlink(missing_ok=True)
    flash(
        _(
            "Roster applied: %(created)s new, %(updated)s updated, %(moved)s moved to another hall, %(left)s marked as left.",
            created=sum(changes.created.values()),
            updated=sum(changes.updated.values()),
            moved=changes.moved,
            left=changes.deactivated,
        ),
        "info",
    )
    return redirect(url_for("stores.roster"))
