"""Reads for the roster pages: searching halls, and who is posted where."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Select, and_, or_, select

from inspect_app.extensions import db
from inspect_app.stores.models import Staff, StaffPosting, Store

PAGE_SIZE = 50


def search_stores(query: Select, text: str | None, region_id: int | None) -> Select:
    """Narrow a store query by code or name text, and by region."""
    if text and text.strip():
        like = f"%{text.strip()[:100]}%"
        query = query.where(or_(Store.code.ilike(like), Store.name.ilike(like)))
    if region_id:
        query = query.where(Store.region_id == region_id)
    return query


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
