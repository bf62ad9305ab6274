"""Downloads: a visit's and a hall's period PDF, the HR appraisal workbook (built in the
background) and the same tables as CSV."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import exists, select

from inspect_app.auth.models import Role
from inspect_app.auth.permissions import Permission, can, requires
from inspect_app.calendar import halls_today
from inspect_app.context import current_lang, halls_tz
from inspect_app.db import utcnow
from inspect_app.downloads import attachment
from inspect_app.edge import MAX_ID
from inspect_app.errors import render_error
from inspect_app.extensions import db
from inspect_app.inspections.models import Inspection
from inspect_app.inspections.operations import inspection_definition, valid_uuid, visit_score
from inspect_app.inspections.scope import require_inspection
from inspect_app.periods import PeriodError, month_of, parse_period, quarter_of
from inspect_app.photos.storage import photo_storage
from inspect_app.ratings.selection import rating_selection
from inspect_app.reports import bp
from inspect_app.reports.assembler import inspection_report, store_report
from inspect_app.reports.csv_export import csv_stream, csv_tables
from inspect_app.reports.export_rows import detail_rows, staff_rows, store_rating_rows
from inspect_app.reports.exports import (
    TooManyExportsError,
    launch,
    request_export,
)
from inspect_app.reports.forms import ExportForm
from inspect_app.reports.models import ExportJob, ExportStatus
from inspect_app.reports.pdf import build_inspection_pdf, build_store_pdf
from inspect_app.review.queries import action_items_of, appeals_of
from inspect_app.stores.models import Region, Store
from inspect_app.stores.scope import require_store, scoped_store_ids

RECENT_JOBS = 10


def _period_choices(chosen: str = "") -> list[str]:
    """The periods the forms offer: the last four quarters and twelve months, and the chosen
    period first when it is none of them (a range, an older month)."""
    today = halls_today()
    months = [p.key for p in month_of(today).history(12)][::-1]
    quarters = [p.key for p in quarter_of(today).history(4)][::-1]
    choices = quarters + months
    return choices if not chosen or chosen in choices else [chosen, *choices]


def _chosen(jobs: list[ExportJob]) -> tuple[str, int | None]:
    """The period and region the forms show chosen: those of the query string (what was just
    built or refused), else those of the user's latest export, else none (the forms' defaults).
    An unreadable period or a region that does not exist is not chosen."""
    period_key = request.args.get("period", "")
    region_id = request.args.get("region", type=int)
    if not period_key and jobs:
        period_key, region_id = jobs[0].period_key, jobs[0].region_id
    try:
        period_key = parse_period(period_key, halls_today()).key if period_key else ""
    except PeriodError:
        period_key = ""
    if region_id is not None and (region_id > MAX_ID or db.session.get(Region, region_id) is None):
        region_id = None
    return period_key, region_id


def _back_to_form(period_key: str, region_id: int | None):
    """Back to the export page, its forms showing the period and region just chosen."""
    return redirect(url_for("reports.index", period=period_key or None, region=region_id))


def _own_job(job_id: int) -> ExportJob:
    job = db.session.get(ExportJob, job_id)
    if job is None or (
        job.requested_by_id != current_user.id and Role(current_user.role) != Role.ADMIN
    ):
        abort(404)
    return job


def _refuse(code: int, message: str) -> NoReturn:
    """Stop the request with an error page (or JSON) saying what was wrong."""
    abort(make_response(render_error(code, message)))


def _export_region(values: list[str]) -> int | None:
    """The region an export is limited to, from the request's `region` values: None for all
    regions. Anything else than one region id the user may export is refused, never read as
    "all regions": not a number or more than one (400), no such region or not the user's (404)."""
    values = [value.strip() for value in values if value.strip()]
    scope = scoped_store_ids(current_user)
    if not values:
        if scope is not None:
            _refuse(403, _("Your exports cover only your own regions: choose one."))
        return None
    if len(values) > 1:
        _refuse(400, _("Choose one region, or none for all regions."))
    text = values[0]
    if not (text.isascii() and text.isdigit()):
        _refuse(
            400,
            _(
                "“%(value)s” is not a region of the list. Choose a region, or none for all "
                "regions.",
                value=text,
            ),
        )
    # A number too large for an id column names no region (and would be a database error).
    region = db.session.get(Region, int(text)) if int(text) <= MAX_ID else None
    outside = (
        region is not None
        and scope is not None
        and db.session.scalar(
            select(exists().where(Store.region_id == region.id, Store.id.not_in(scope)))
        )
    )
    if region is None or outside:
        _refuse(404, _("There is no region %(value)s that you may export.", value=text))
    return region.id


@bp.route("/exports")
@requires(Permission.EXPORT_HR)
def index():
    jobs = db.session.scalars(
        select(ExportJob)
        .where(ExportJob.requested_by_id == current_user.id)
        .order_by(ExportJob.id.desc())
        .limit(RECENT_JOBS)
    ).all()
    running = any(j.status in (ExportStatus.QUEUED, ExportStatus.RUNNING) for j in jobs)
    chosen_period, chosen_region = _chosen(list(jobs))
    return render_template(
        "reports/exports.html",
        jobs=jobs,
        running=running,
        periods=_period_choices(chosen_period),
        chosen_period=chosen_period,
        chosen_region=chosen_region,
        regions=db.session.scalars(select(Region).order_by(Region.code)).all(),
        now=utcnow(),
        form=ExportForm(formdata=None),
    )


@bp.post("/exports")
@requires(Permission.EXPORT_HR)
def start():
    form = ExportForm()
    period_key = form.period.data or ""
    try:
        period = parse_period(period_key, halls_today())
    except PeriodError:
        flash(
            _("Choose a period: a month such as 2026-03, a quarter such as 2026-Q1, or a range."),
            "error",
        )
        return redirect(url_for("reports.index")), 303
    region_id = _export_region(form.region.data)
    try:
        job = request_export(current_user.id, period.key, region_id)
    except TooManyExportsError:
        db.session.rollback()
        flash(_("Two exports are already being built for you. Wait for one to finish."), "error")
        return _back_to_form(period.key, region_id), 303
    db.session.commit()
    launch(current_app._get_current_object(), job.id)
    flash(_("The workbook is being built; this page shows its progress."), "info")
    return _back_to_form(period.key, region_id)


@bp.route("/exports/<int:job_id>/status")
@requires(Permission.EXPORT_HR)
def status(job_id: int):
    job = _own_job(job_id)
    return jsonify(
        id=job.id,
        status=str(job.status),
        rows_done=job.rows_done,
        rows_total=job.rows_total,
        download=url_for("reports.download", job_id=job.id)
        if job.status == ExportStatus.DONE
        else None,
    )


@bp.route("/exports/<int:job_id>/download")
@requires(Permission.EXPORT_HR)
def download(job_id: int):
    job = _own_job(job_id)
    if job.status != ExportStatus.DONE or not job.file_name:
        abort(404)
    if job.expires_at is not None and job.expires_at < utcnow():
        flash(_("This export has expired. Build it again."), "error")
        return redirect(url_for("reports.index")), 303
    path = Path(current_app.config["EXPORT_DIR"]) / job.file_name
    if not path.is_file():
        abort(404)
    region = f"-{job.region_id}" if job.region_id else ""
    response = send_file(
        path,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        max_age=0,
    )
    response.headers["Content-Disposition"] = attachment(f"appraisal-{job.period_key}{region}.xlsx")
    return response


CSV_TABLES = ("stores", "staff", "detail")


@bp.route("/exports/<table>.csv")
@requires(Permission.EXPORT_HR)
def csv_download(table: str):
    """One of the workbook's tables as CSV (UTF-8 with BOM), streamed row by row."""

    if table not in CSV_TABLES:
        abort(404)
    try:
        period = parse_period(request.args.get("period", ""), halls_today())
    except PeriodError:
        _refuse(
            400,
            _("Choose a period: a month such as 2026-03, a quarter such as 2026-Q1, or a range."),
        )
    region_id = _export_region(request.args.getlist("region"))
    # One row per hall and checklist: every checklist's ratings and vetoes reach HR.
    stores = store_rating_rows(period, region_id) if table == "stores" else []
    staff = staff_rows(period, region_id) if table == "staff" else []
    details = detail_rows(period, region_id) if table == "detail" else iter(())
    chosen = csv_tables(stores, staff, details)[CSV_TABLES.index(table)]
    chunks = csv_stream(chosen.headers, chosen.rows)
    response = Response(stream_with_context(chunks), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = attachment(f"{table}-{period.key}.csv")
    return response


def _pdf(data: bytes, filename: str) -> Response:
    """A PDF download that no shared cache keeps."""
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = attachment(filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/results/<uuid>/report.pdf")
@requires(Permission.VIEW_RESULTS)
def inspection_pdf(uuid: str):
    """The visit as a PDF; the inspector's name is left out for those who may not know it."""
    inspection = db.session.scalar(
        select(Inspection).where(Inspection.uuid == (valid_uuid(uuid) or ""))
    )
    require_inspection(inspection)
    report = inspection_report(
        inspection, inspection_definition(inspection), visit_score(inspection),
        appeals=appeals_of(inspection.id), actions=action_items_of(inspection.id),
        storage=photo_storage(), lang=current_lang(), tz=halls_tz(),
        show_inspector=can(current_user, Permission.VIEW_INSPECTOR),
    )  # fmt: skip
    name = f"inspection-{inspection.store.code}-{inspection.visit_date or 'draft'}.pdf"
    return _pdf(build_inspection_pdf(report), name)


@bp.route("/stores/<int:store_id>/report.pdf")
@requires(Permission.VIEW_RESULTS)
def store_pdf(store_id: int):
    """The store's period report as a PDF (no inspector names in it): the chosen checklist's
    rating and sections, and every failed item of the period in its own version's words."""
    require_store(store_id)
    store = db.session.get(Store, store_id)
    selection = rating_selection()
    if store is None or selection is None:
        abort(404)
    report = store_report(
        store,
        selection.checklist,
        selection.period,
        selection.rules,
        storage=photo_storage(),
        lang=current_lang(),
    )
    return _pdf(build_store_pdf(report), f"store-{store.code}-{selection.period.key}.pdf")
