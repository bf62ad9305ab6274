"""The reviewer's queue of submitted inspections."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from inspect_app.auth.models import Role, User
from inspect_app.auth.permissions import Permission, requires
from inspect_app.checklists.models import Checklist, ChecklistVersion
from inspect_app.extensions import db
from inspect_app.inspections.models import Inspection, InspectionStatus
from inspect_app.review import bp
from inspect_app.stores.models import Region, Store

QUEUE_LIMIT = 200


@bp.route("/review")
@requires(Permission.REVIEW)
def queue():
    filters = {
        "region": request.args.get("region", type=int),
        "store": request.args.get("store", type=int),
        "inspector": request.args.get("inspector", type=int),
        "checklist": request.args.get("checklist", type=int),
    }
    query = (
        select(Inspection)
        .join(Store, Store.id == Inspection.store_id)
        .join(ChecklistVersion, ChecklistVersion.id == Inspection.checklist_version_id)
        .where(Inspection.status == InspectionStatus.SUBMITTED)
        .options(joinedload(Inspection.store), joinedload(Inspection.inspector))
        .order_by(Inspection.submitted_at, Inspection.id)
    )
    if filters["region"]:
        query = query.where(Store.region_id == filters["region"])
    if filters["store"]:
        query = query.where(Store.id == filters["store"])
    if filters["inspector"]:
        query = query.where(Inspection.inspector_id == filters["inspector"])
    if filters["checklist"]:
        query = query.where(ChecklistVersion.checklist_id == filters["checklist"])
    inspections = db.session.scalars(query.limit(QUEUE_LIMIT)).unique().all()
    return render_template(
        "review/queue.html",
        inspections=inspections,
        filters=filters,
        regions=db.session.scalars(select(Region).order_by(Region.code)).all(),
        inspectors=db.session.scalars(
            select(User).where(User.role == Role.INSPECTOR).order_by(User.display_name)
        ).all(),
        checklists=db.session.scalars(select(Checklist).order_by(Checklist.key)).all(),
    )
