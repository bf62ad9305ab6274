"""Background export jobs: the HR workbook built in a thread, its progress in the database."""

from __future__ import annotations

import logging
import secrets
import threading
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import update

from inspect_app.audit.operations import record_event
from inspect_app.auth.models import User
from inspect_app.calendar import halls_now, halls_today
from inspect_app.checklists.models import Checklist, ChecklistVersion
from inspect_app.db import utcnow
from inspect_app.extensions import db
from inspect_app.inspections.filters import approved_visits_in
from inspect_app.inspections.models import Inspection
from inspect_app.locking import lock_row
from inspect_app.periods import parse_period
from inspect_app.reports.export_rows import (
    checklist_rules,
    count_detail_rows,
    detail_rows,
    rated_checklists,
    staff_rows,
    store_rating_rows,
)
from inspect_app.reports.models import ExportJob, ExportStatus
from inspect_app.reports.workbook import WorkbookMeta, write_hr_workbook
from inspect_app.sqlite import deferred_transactions
from inspect_app.stores.models import Region

log = logging.getLogger(__name__)


#: Exports one person may have running at once.
MAX_RUNNING = 2


class TooManyExportsError(RuntimeError):
    """The person already has MAX_RUNNING exports queued or running."""


def request_export(user_id: int, period_key: str, region_id: int | None) -> ExportJob:
    """Queue a workbook export for a person unless MAX_RUNNING of theirs are queued or running
    (TooManyExportsError); files past their time are deleted first. The caller commits, then
    calls launch()."""
    # Lock the requester's row: two clicks at once count each other's jobs.
    lock_row(db.session.get(User, user_id))
    running = (
        db.session.query(ExportJob)
        .filter(
            ExportJob.requested_by_id == user_id,
            ExportJob.status.in_((ExportStatus.QUEUED, ExportStatus.RUNNING)),
        )
        .count()
    )
    if running >= MAX_RUNNING:
        raise TooManyExportsError(user_id)
    delete_expired()
    return start_export(user_id, period_key, region_id)


def start_export(user_id: int, period_key: str, region_id: int | None) -> ExportJob:
    """Queue a workbook export; the caller commits, then calls launch()."""
    job = ExportJob(
        requested_by_id=user_id, kind="xlsx", period_key=period_key, region_id=region_id
    )
    db.session.add(job)
    db.session.flush()
    record_event("export.start", job, actor_id=user_id, period=period_key, region_id=region_id)
    return job


def launch(app: Flask, job_id: int) -> threading.Thread:
    """Run the export in a background thread so the request returns at once."""
    thread = threading.Thread(
        target=run_export, args=(app, job_id), name=f"export-{job_id}", daemon=True
    )
    thread.start()
    return thread


def _set(job_id: int, **values) -> int:
    """Update the job in a short transaction of its own (never the one streaming the rows)."""
    with db.engine.begin() as conn:
        return conn.execute(
            update(ExportJob).where(ExportJob.id == job_id).values(**values)
        ).rowcount


def run_export(app: Flask, job_id: int) -> None:
    """Build the workbook for a queued job; record the outcome on the job."""
    with app.app_context(), deferred_transactions():
        # The long read must not hold SQLite's write lock while others save their work; the
        # job's own updates go through separate short transactions that write first.
        claimed = _set_if_queued(job_id)
        if not claimed:
            return
        directory = Path(current_app.config["EXPORT_DIR"])
        directory.mkdir(parents=True, exist_ok=True)
        file_name = f"{secrets.token_hex(16)}.xlsx"
        partial = directory / (file_name + ".part")
        try:
            job = db.session.get(ExportJob, job_id)
            period = parse_period(job.period_key, halls_today())
            region = db.session.get(Region, job.region_id) if job.region_id else None
            _set(job_id, rows_total=count_detail_rows(period, job.region_id))
            meta = WorkbookMeta(
                period_label=period.key,
                scope_label=region.name if region else "全部区域",
                generated_at=halls_now().replace(tzinfo=None),
                checklist_versions=", ".join(
                    f"{v.checklist.key} v{v.number}" for v in _versions_used(period)
                ),
                star_thresholds=star_thresholds_text(rated_checklists(period)),
            )
            stores = store_rating_rows(period, job.region_id)
            staff = staff_rows(period, job.region_id)
            summary = write_hr_workbook(
                partial, meta, stores, staff, detail_rows(period, job.region_id),
                progress=lambda rows: _set(job_id, rows_done=rows),
            )  # fmt: skip
            db.session.rollback()  # end the long read
            partial.replace(directory / file_name)
            finished = utcnow()
            _set(
                job_id,
                status=ExportStatus.DONE,
                rows_done=sum(summary.sheet_rows[name] for name in summary.detail_sheets),
                file_name=file_name,
                byte_size=(directory / file_name).stat().st_size,
                finished_at=finished,
                expires_at=finished + timedelta(hours=current_app.config["EXPORT_KEEP_HOURS"]),
            )
        except Exception:
            log.exception("export %s failed", job_id)
            db.session.rollback()
            partial.unlink(missing_ok=True)
            _set(
                job_id,
                status=ExportStatus.FAILED,
                error="The export failed; the error was logged. Try again, or ask an administrator.",
                finished_at=utcnow(),
            )
        finally:
            db.session.remove()


def star_thresholds_text(checklists: list[Checklist]) -> str:
    """The 说明 sheet's 星级标准: "1★ ≥ 0 / 2★ ≥ 60 …" for one checklist; with several, each
    checklist's thresholds after its key, separated by "；"."""
    texts = [
        " / ".join(
            f"{n}★ ≥ {t}" for n, t in enumerate(checklist_rules(checklist).star_thresholds, start=1)
        )
        for checklist in checklists
    ]
    if len(checklists) == 1:
        return texts[0]
    return "；".join(f"{c.key}：{text}" for c, text in zip(checklists, texts, strict=True))


def _set_if_queued(job_id: int) -> bool:
    with db.engine.begin() as conn:
        result = conn.execute(
            update(ExportJob)
            .where(ExportJob.id == job_id, ExportJob.status == ExportStatus.QUEUED)
            .values(status=ExportStatus.RUNNING)
        )
        return result.rowcount == 1


def _versions_used(period) -> list[ChecklistVersion]:
    ids = db.session.scalars(
        db.select(Inspection.checklist_version_id).where(*approved_visits_in(period)).distinct()
    ).all()
    return [db.session.get(ChecklistVersion, i) for i in sorted(ids)]


def delete_expired(now=None) -> int:
    """Delete finished files past their time; return how many."""
    now = now or utcnow()
    directory = Path(current_app.config["EXPORT_DIR"])
    count = 0
    for job in db.session.query(ExportJob).filter(
        ExportJob.expires_at < now, ExportJob.file_name.is_not(None)
    ):
        (directory / job.file_name).unlink(missing_ok=True)
        job.file_name = None
        count += 1
    db.session.flush()
    return count
