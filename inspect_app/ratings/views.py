"""The ratings pages: store ratings and ranks for a period, a hall's dashboard, and a staff
member's results per hall with the findings behind each."""

from __future__ import annotations

from collections.abc import Collection

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from inspect_app.auth.permissions import Permission, can, requires
from inspect_app.calendar import halls_today
from inspect_app.checklists.answer_text import points_text
from inspect_app.checklists.definition import RatingRules
from inspect_app.context import current_lang
from inspect_app.errors import render_error
from inspect_app.extensions import db
from inspect_app.periods import Period, PeriodError, month_of, parse_period
from inspect_app.ratings import bp
from inspect_app.ratings.charts import Bar, ChartPoint, section_bars, trend_chart
from inspect_app.ratings.findings import SectionFigure, hall_findings, section_figures
from inspect_app.ratings.selection import rating_selection
from inspect_app.ratings.staff_queries import (
    staff_period_ratings,
    staff_person_items,
    staff_seen_at,
)
from inspect_app.ratings.staff_trace import trace_visits
from inspect_app.ratings.store_queries import (
    approved_inspections,
    period_trends,
    rate_period,
    store_history,
    store_rank,
)
from inspect_app.scoring.ratings import StoreRating, shown_percent
from inspect_app.stores.models import Region, Staff, Store
from inspect_app.stores.queries import PAGE_SIZE
from inspect_app.stores.scope import require_store, scoped_store_ids


def _scope() -> list[int] | None:
    """The halls whose results this user sees; None for all."""
    scope = scoped_store_ids(current_user)
    return None if scope is None else list(db.session.scalars(scope))


def _may_see(person: Staff, scope: Collection[int] | None) -> bool:
    """Everyone with results access sees every person; a manager those of their halls, or those
    observed at their halls (a person since moved elsewhere)."""
    if scope is None:
        return True
    return person.store_id in scope or staff_seen_at(person.id, scope)


@bp.route("/staff/<int:staff_id>")
@requires(Permission.VIEW_RESULTS)
def staff_results(staff_id: int):
    """The person's figures for a period per hall, each traced to the visits and items behind it."""
    person = db.session.get(Staff, staff_id)
    scope = _scope()
    if person is None or not _may_see(person, scope):
        abort(404)
    today = halls_today()
    text = request.args.get("period", "")
    try:
        period = parse_period(text, today)
    except PeriodError:
        return render_error(
            400,
            _(
                "The period “%(p)s” cannot be read. Use a month (2026-11), a quarter (2026-Q4) "
                "or a range (2026-10-01..2026-10-31).",
                p=text,
            ),
        )
    lang = current_lang()
    rows = staff_period_ratings(period, staff_id=person.id, store_ids=scope)
    traces = trace_visits(staff_person_items(person.id, period, scope), lang)
    months = [p.key for p in reversed(month_of(today).history(12))]
    if period.key not in months:
        months.insert(0, period.key)
    return render_template(
        "ratings/staff.html",
        person=person,
        show_current_hall=scope is None or person.store_id in scope,
        period=period,
        months=months,
        rows=rows,
        traces=traces,
        shown_percent=shown_percent,
        points=points_text,
        visit_endpoint="review.inspection"
        if can(current_user, Permission.REVIEW)
        else "review.results",
    )


def _page() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


def _charts(
    history: list[tuple[Period, StoreRating]],
    sections: list[SectionFigure],
    rules: RatingRules,
    period: Period,
) -> dict[str, Markup]:
    """The dashboard's SVG charts: the mean score over the periods, and the period's sections."""
    return {
        "trend": Markup(
            trend_chart(
                [ChartPoint(p.key[2:], r.mean_percent, r.stars) for p, r in history],
                title=_("Mean score, last 12 periods"),
                thresholds=[float(t) for t in rules.star_thresholds[1:]],
            )
        ),
        "sections": Markup(
            section_bars(
                [Bar(s.title, s.percent) for s in sections],
                title=_("Sections, %(p)s", p=period.key),
            )
        ),
    }


@bp.route("/stores/<int:store_id>")
@requires(Permission.VIEW_RESULTS)
def store_detail(store_id: int):
    """The hall's dashboard: the chosen checklist's rating, trend and sections for the period,
    and every failed item of the period (whichever checklist) in its own version's words."""
    require_store(store_id)
    store = db.session.get(Store, store_id)
    if store is None:
        abort(404)
    selection = rating_selection()
    page = {"history": [], "staff": [], "findings": [], "label_versions": False, "photos": {}}
    page["inspections"] = approved_inspections(store.id)
    page |= {"charts": {}, "rank": None, "period": None, "checklists": [], "checklist": None}
    if selection is not None:
        checklists, checklist, period, rules = selection
        lang = current_lang()
        history = store_history(store.id, checklist.id, period.history(12), rules)
        found = hall_findings(store.id, period, lang)
        sections = section_figures(store.id, period, checklist, lang)
        page |= {
            "history": history,
            "staff": staff_period_ratings(period, store_ids=[store.id]),
            "findings": found.findings,
            "label_versions": found.labelled,
            "photos": found.photos,
            "rank": store_rank(period, checklist.id, rules, store.id),
            "charts": _charts(history, sections, rules, period),
            "period": period,
            "checklists": checklists,
            "checklist": checklist,
            # The visits behind the figures above: the period's, on the chosen checklist.
            "inspections": approved_inspections(store.id, period, checklist.id, limit=500),
        }
    return render_template(
        "ratings/store_detail.html",
        store=store,
        show_inspector=can(current_user, Permission.VIEW_INSPECTOR),
        shown_percent=shown_percent,
        points=points_text,
        **page,
    )


@bp.route("/ratings")
@requires(Permission.VIEW_RESULTS)
def store_ratings():
    """Every hall's rating and ranks for the period on one checklist, those the user may see."""
    selection = rating_selection()
    if selection is None:
        return render_template("ratings/store_ratings.html", rows=[], checklists=[], period=None)
    checklists, checklist, period, rules = selection
    rows = rate_period(period, checklist.id, rules)
    scope = _scope()
    if scope is not None:
        visible = set(scope)
        rows = [r for r in rows if r.store_id in visible]
    region_id = request.args.get("region", type=int)
    if region_id:
        rows = [r for r in rows if r.region_id == region_id]
    rows.sort(key=lambda r: (r.rank_overall is None, r.rank_overall or 0, r.code))
    page = _page()
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return render_template(
        "ratings/store_ratings.html",
        rows=shown,
        trends=period_trends(period, checklist.id, rules, shown),
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
