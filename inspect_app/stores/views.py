"""The roster (regions, stores, staff) and each store's page."""

from __future__ import annotations

from decimal import Decimal

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from inspect_app.auth.permissions import (
    Permission,
    can,
    require_store,
    requires,
    scoped_store_ids,
    visible_stores,
)
from inspect_app.calendar import format_instant, halls_now, halls_today
from inspect_app.checklists.models import Checklist
from inspect_app.checklists.operations import definition_of
from inspect_app.checklists.version_texts import Definitions
from inspect_app.context import current_lang
from inspect_app.downloads import attachment
from inspect_app.extensions import db
from inspect_app.inspections.queries import evidence_photos_by_item
from inspect_app.inspections.storage import photo_storage
from inspect_app.ratings.charts import Bar, ChartPoint, section_bars, trend_chart
from inspect_app.ratings.findings import (
    Finding,
    describe_findings,
    section_figures,
    spans_versions,
)
from inspect_app.ratings.staff_queries import staff_period_ratings
from inspect_app.ratings.store_queries import (
    approved_inspections,
    failed_findings,
    rate_period,
    rules_of,
    store_history,
    store_period_stats,
    store_rows,
)
from inspect_app.reports.pdf import FindingRow, SectionRow, StoreReport, TrendPoint, build_store_pdf
from inspect_app.review.reports import pdf_labels, points, thumbnails
from inspect_app.scoring.periods import PeriodError, parse_period
from inspect_app.scoring.ratings import PeriodStats, rate_store, shown_percent, trend
from inspect_app.stores import bp
from inspect_app.stores.models import Region, Store
from inspect_app.stores.queries import PAGE_SIZE, search_stores
from inspect_app.templating import ACTION_LABELS, APPEAL_LABELS


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
    rows, total = store_rows(visible_stores(current_user), _page())
    return render_template(
        "stores/my_stores.html", rows=rows, total=total, page=_page(), page_size=PAGE_SIZE
    )


@bp.route("/stores/<int:store_id>")
@requires(Permission.VIEW_RESULTS)
def store_detail(store_id: int):
    """The hall's dashboard: the chosen checklist's rating, trend and sections for the period,
    and every failed item of the period (whichever checklist) in its own version's words."""
    require_store(store_id)
    store = db.session.get(Store, store_id)
    if store is None:
        abort(404)
    context = _rating_context()
    checklists, checklist = [], None
    history, staff, findings, photos, charts, rank = [], [], [], {}, {}, None
    period = None
    lang = current_lang()
    if context is not None:
        checklists, checklist, period, rules = context
        history = store_history(store.id, checklist.id, period.history(12), rules)
        staff = staff_period_ratings(period, store_ids=[store.id])
        findings = describe_findings(failed_findings(store.id, period), lang)
        photos = evidence_photos_by_item(sorted({f.answer.inspection_id for f in findings}))
        rank = next(
            (r for r in rate_period(period, checklist.id, rules) if r.store_id == store.id), None
        )
        sections = section_figures(store.id, period, checklist, lang)
        charts = {
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
    return render_template(
        "stores/detail.html",
        store=store,
        inspections=approved_inspections(store.id),
        show_inspector=can(current_user, Permission.VIEW_INSPECTOR),
        history=history,
        staff=staff,
        shown_percent=shown_percent,
        period=period,
        checklists=checklists,
        checklist=checklist,
        findings=findings,
        label_versions=spans_versions(findings),
        photos=photos,
        charts=charts,
        rank=rank,
    )


def _rating_context():
    """The checklist and period a ratings page is about, from the query string.

    Returns None when no checklist is in use; (checklists in use by key, the chosen one (the
    first unless `checklist` names another), the period, the chosen one's rules in use).
    An unreadable period is a 400.
    """
    checklists = db.session.scalars(
        select(Checklist).where(Checklist.active_version_id.is_not(None)).order_by(Checklist.key)
    ).all()
    if not checklists:
        return None
    chosen = request.args.get("checklist", type=int)
    checklist = next((c for c in checklists if c.id == chosen), checklists[0])
    try:
        # The halls' today, not the server's: near midnight UTC they are a day apart.
        period = parse_period(request.args.get("period"), halls_today())
    except PeriodError:
        abort(400)
    rules = definition_of(checklist.active_version).rating
    return checklists, checklist, period, rules


def _trends(period, checklist_id: int, rules, rows) -> dict[int, str]:
    """Up, down or flat against the previous period, for the stores on the page."""
    previous = period.previous()
    before = store_period_stats(previous, checklist_id, [r.store_id for r in rows])
    empty = PeriodStats(0, Decimal(0), Decimal(0), 0)
    # One lookup per checklist version, not per store (as rate_period does).
    rules_by_version = {v: rules_of(v) for v in {v for _, v in before.values() if v}}
    out = {}
    for row in rows:
        stats, version_id = before.get(row.store_id, (empty, None))
        earlier = rate_store(stats, rules_by_version.get(version_id, rules))
        out[row.store_id] = trend([(previous.key, earlier), (period.key, row.rating)])
    return out


@bp.route("/ratings")
@requires(Permission.VIEW_RESULTS)
def ratings():
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


def _follow_up_words(finding: Finding) -> tuple[str | None, str | None]:
    """The finding's appeal and corrective-action states in words, e.g. ("Appeal pending",
    "Corrected, awaiting verification"); None where there is none."""
    appeal = str(APPEAL_LABELS[str(finding.appeal.status)]) if finding.appeal else None
    item = finding.action_item
    return appeal, str(ACTION_LABELS[str(item.status)]) if item else None


@bp.route("/stores/<int:store_id>/report.pdf")
@requires(Permission.VIEW_RESULTS)
def store_pdf(store_id: int):
    """The store's period report as a PDF (no inspector names in it): the chosen checklist's
    rating and sections, and every failed item of the period in its own version's words."""
    require_store(store_id)
    store = db.session.get(Store, store_id)
    context = _rating_context()
    if store is None or context is None:
        abort(404)
    _checklists, checklist, period, rules = context
    lang = current_lang()
    definitions = Definitions()
    history = store_history(store.id, checklist.id, period.history(12), rules)
    current = history[-1][1]
    rank = next(
        (r for r in rate_period(period, checklist.id, rules) if r.store_id == store.id), None
    )

    def fmt(value) -> str:
        return "—" if value is None else f"{float(value):.1f}%"

    facts = (
        (_("Checklist"), definitions(checklist.active_version).label(lang)),
        (_("Inspections"), str(current.count)),
        (_("Mean score"), fmt(current.mean_percent)),
        (
            # gettext with no variables does no %-formatting: "%%" would print as is.
            _("%(level)s%% interval", level=90),
            "—" if current.ci_low is None else f"{current.ci_low:.1f}–{current.ci_high:.1f}",
        ),
        (
            _("Rank in region"),
            f"{rank.rank_in_region} / {rank.region_size}" if rank and rank.rank_in_region else "—",
        ),
        (_("Rank overall"), str(rank.rank_overall) if rank and rank.rank_overall else "—"),
    )
    storage = photo_storage()
    findings = describe_findings(failed_findings(store.id, period, limit=40), lang, definitions)
    labelled = spans_versions(findings)
    photos_by_item = evidence_photos_by_item(sorted({f.answer.inspection_id for f in findings}))
    rows = []
    for finding in findings:
        answer = finding.answer
        appeal, action = _follow_up_words(finding)
        rows.append(
            FindingRow(
                section=f"{finding.section_title}（{finding.version_label}）"
                if labelled
                else finding.section_title,
                item_id=answer.item_id,
                text=finding.item_text,
                points_lost=points(answer.points_possible - answer.points_earned),
                comment=answer.comment or "",
                employee_no=answer.employee_no,
                is_veto=answer.is_veto_failed,
                photos=thumbnails(
                    photos_by_item.get((answer.inspection_id, answer.item_id), []), storage, limit=2
                ),
                appeal_status=appeal,
                action_status=action,
            )
        )
    sections = section_figures(store.id, period, checklist, lang, definitions)
    report = StoreReport(
        title=_("Business hall rating report"),
        store_line=f"{store.name}（{store.code}）· {store.region.name}",
        period=period.key,
        facts=facts,
        stars=current.stars,
        trend=tuple(TrendPoint(p.key, r.count, fmt(r.mean_percent), r.stars) for p, r in history),
        sections=tuple(SectionRow(s.title, "", "", fmt(s.percent)) for s in sections),
        findings=tuple(rows),
        staff=tuple(
            (
                s.employee_no,
                s.name,
                str(s.rating.tally.person_items),
                fmt(shown_percent(s.rating.percent))
                + ("" if s.rating.is_enough else " · " + _("Too few")),
                str(s.rating.tally.failed_items),
                str(s.rating.tally.veto_findings),
            )
            for s in staff_period_ratings(period, store_ids=[store.id])
        ),
        labels=pdf_labels(),
        generated_at=format_instant(halls_now()),
    )
    response = Response(build_store_pdf(report), mimetype="application/pdf")
    response.headers["Content-Disposition"] = attachment(f"store-{store.code}-{period.key}.pdf")
    response.headers["Cache-Control"] = "private, no-store"
    return response
