"""Reads for the store and roster pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from inspect_app.extensions import db
from inspect_app.inspections.models import Inspection, InspectionStatus
from inspect_app.stores.models import Staff, StaffPosting, Store

PAGE_SIZE = 50


@dataclass(frozen=True)
class StoreRow:
    store: Store
    active_staff: int
    approved_inspections: int
    mean_percent: Decimal | None


def store_rows(query: Select, page: int = 1) -> tuple[list[StoreRow], int]:
    """Return one page of the stores `query` selects, with their counts, and the total."""
    total = db.session.scalar(query.with_only_columns(func.count(Store.id)).order_by(None))
    staff_count = (
        select(func.count(Staff.id))
        .where(Staff.store_id == Store.id, Staff.is_active)
        .correlate(Store)
        .scalar_subquery()
    )
    approved = Inspection.status == InspectionStatus.APPROVED
    inspection_count = (
        select(func.count(Inspection.id))
        .where(Inspection.store_id == Store.id, approved)
        .correlate(Store)
        .scalar_subquery()
    )
    mean_score = (
        select(func.avg(Inspection.score_percent))
        .where(Inspection.store_id == Store.id, approved)
        .correlate(Store)
        .scalar_subquery()
    )
    page_query = (
        query.add_columns(staff_count, inspection_count, mean_score)
        .order_by(Store.code)
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    )
    rows = [
        StoreRow(
            store=store,
            active_staff=staff or 0,
            approved_inspections=count or 0,
            mean_percent=None if mean is None else Decimal(str(mean)).quantize(Decimal("0.1")),
        )
        for store, staff, count, mean in db.session.execute(page_query)
    ]
    return rows, total or 0


def search_stores(query: Select, text: str | None, region_id: int | None) -> Select:
    """Narrow a store query by code or name text, and by region."""
    if text and text.strip():
        like = f"%{text.strip()[:100]}%"
        query = query.where(or_(Store.code.ilike(like), Store.name.ilike(like)))
    if region_id:
        query = query.where(Store.region_id == region_id)
    return query


def approved_inspections(store_id: int, limit: int = 50) -> list[Inspection]:
    """Return the store's latest approved inspections, newest first."""
    return list(
        db.session.scalars(
            select(Inspection)
            .where(Inspection.store_id == store_id, Inspection.status == InspectionStatus.APPROVED)
            .order_by(Inspection.visit_date.desc(), Inspection.id.desc())
            .limit(limit)
        )
    )


def posting_covers(day: date) -> ColumnElement[bool]:
    """SQL: the posting includes the halls' date `day` (both ends included, NULL is open)."""
    return and_(
        or_(StaffPosting.started_on.is_(None), StaffPosting.started_on <= day),
        or_(StaffPosting.ended_on.is_(None), StaffPosting.ended_on >= day),
    )


def roster_on(store_id: int, day: date) -> list[Staff]:
    """The hall's roster on a halls' date, by 工号: everyone a posting puts there that day.

    A person who left on the visit date still served that day; one who moved in or joined
    later, or moved away before, is not on it (see stores.postings).
    """
    posted = select(StaffPosting.staff_id).where(
        StaffPosting.store_id == store_id, posting_covers(day)
    )
    return list(
        db.session.scalars(select(Staff).where(Staff.id.in_(posted)).order_by(Staff.employee_no))
    )
