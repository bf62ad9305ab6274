"""The roster (regions, stores, staff) and each store's page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from inspect_app.auth.permissions import (
    Permission,
    can,
    require_store,
    requires,
    scoped_store_ids,
    visible_stores,
)
from inspect_app.extensions import db
from inspect_app.stores import bp
from inspect_app.stores.models import Region, Store
from inspect_app.stores.queries import PAGE_SIZE, approved_inspections, search_stores, store_rows


def _page() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


@bp.route("/stores")
@requires(Permission.VIEW_ROSTER)
def roster():
    region_id = request.args.get("region", type=int)
    text = request.args.get("q", "")
    rows, total = store_rows(search_stores(select(Store), text, region_id), _page())
    regions = db.session.scalars(select(Region).order_by(Region.code)).all()
    return render_template(
        "stores/roster.html",
        rows=rows,
        total=total,
        page=_page(),
        page_size=PAGE_SIZE,
        regions=regions,
        region_id=region_id,
        q=text,
    )


@bp.route("/my-stores")
@requires(Permission.VIEW_RESULTS)
def my_stores():
    rows, total = store_rows(visible_stores(current_user), _page())
    return render_template(
        "stores/my_stores.html", rows=rows, total=total, page=_page(), page_size=PAGE_SIZE
    )


@bp.route("/stores/<int:store_id>")
@requires(Permission.VIEW_RESULTS)
def store_detail(store_id: int):
    require_store(store_id)
    store = db.session.get(Store, store_id)
    if store is None:
        abort(404)
    from inspect_app.stores.rating_queries import staff_period_ratings, store_history

    context = _rating_context()
    history, staff = [], []
    period = None
    if context is not None:
        _checklists, checklist, period, rules = context
        history = store_history(store.id, checklist.id, period.history(6), rules)
        staff = staff_period_ratings(period, [store.id])
    return render_template(
        "stores/detail.html",
        store=store,
        inspections=approved_inspections(store.id),
        show_inspector=can(current_user, Permission.VIEW_INSPECTOR),
        history=history,
        staff=staff,
        period=period,
    )


def _rating_context():
    """The checklist and period a ratings page is about, from the query string."""
    from inspect_app.checklists.models import Checklist
    from inspect_app.checklists.operations import definition_of
    from inspect_app.scoring.periods import PeriodError, parse_period

    checklists = db.session.scalars(
        select(Checklist).where(Checklist.active_version_id.is_not(None)).order_by(Checklist.key)
    ).all()
    if not checklists:
        return None
    chosen = request.args.get("checklist", type=int)
    checklist = next((c for c in checklists if c.id == chosen), checklists[0])
    try:
        period = parse_period(request.args.get("period"), date.today())
    except PeriodError:
        abort(400)
    rules = definition_of(checklist.active_version).rating
    return checklists, checklist, period, rules


def _trends(period, checklist_id: int, rules, rows) -> dict[int, str]:
    """Up, down or flat against the previous period, for the stores on the page."""
    from inspect_app.scoring.ratings import PeriodStats, rate_store, trend
    from inspect_app.stores.rating_queries import rules_of, store_period_stats

    previous = period.previous()
    before = store_period_stats(previous, checklist_id, [r.store_id for r in rows])
    empty = PeriodStats(0, Decimal(0), Decimal(0), 0)
    out = {}
    for row in rows:
        stats, version_id = before.get(row.store_id, (empty, None))
        earlier = rate_store(stats, rules_of(version_id) if version_id else rules)
        out[row.store_id] = trend([(previous.key, earlier), (period.key, row.rating)])
    return out


@bp.route("/ratings")
@requires(Permission.VIEW_RESULTS)
def ratings():
    from inspect_app.stores.rating_queries import rate_period

    context = _rating_context()
    if context is None:
        return render_template("stores/ratings.html", rows=[], checklists=[], period=None)
    checklists, checklist, period, rules = context
    rows = rate_period(period, checklist.id, rules)
    scope = scoped_store_ids(current_user)
    if scope is not None:
        visible = set(db.session.scalars(scope))
        rows = [r for r in rows if r.store_id in visible]
    region_id = request.args.get("region", type=int)
    if region_id:
        rows = [r for r in rows if r.region_id == region_id]
    rows.sort(key=lambda r: (r.rank_overall is None, r.rank_overall or 0, r.code))
    page = _page()
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return render_template(
        "stores/ratings.html",
        rows=shown,
        trends=_trends(period, checklist.id, rules, shown),
        total=len(rows),
        page=page,
        page_size=PAGE_SIZE,
        checklists=checklists,
        checklist=checklist,
        period=period,
        rules=rules,
        regions=db.session.scalars(select(Region).order_by(Region.code)).all(),
        region_id=region_id,
        periods=[p for p in period.history(6)][::-1],
    )
