"""The roster pages: every hall (with its staff and visit counts), and a manager's own halls."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from inspect_app.auth.permissions import Permission, can, requires
from inspect_app.extensions import db
from inspect_app.ratings.selection import rating_selection
from inspect_app.ratings.store_queries import store_history, store_rows
from inspect_app.stores import bp
from inspect_app.stores.models import Region, Store
from inspect_app.stores.queries import PAGE_SIZE, search_stores
from inspect_app.stores.scope import visible_stores


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
        can_import=can(current_user, Permission.IMPORT_ROSTER),
        can_manage=can(current_user, Permission.MANAGE_ORG),
    )


@bp.route("/my-stores")
@requires(Permission.VIEW_RESULTS)
def my_stores():
    """The manager's halls, each with its stars this period and the one before."""
    rows, total = store_rows(visible_stores(current_user), _page())
    selection = rating_selection()
    ratings, period = {}, None
    if selection is not None:
        _checklists, checklist, period, rules = selection
        for row in rows:
            history = store_history(row.store.id, checklist.id, period.history(2), rules)
            ratings[row.store.id] = [rating for _period, rating in history]
    return render_template(
        "stores/my_stores.html",
        rows=rows,
        total=total,
        page=_page(),
        page_size=PAGE_SIZE,
        ratings=ratings,
        period=period,
    )
