"""SQL roll-ups for store ratings: thin aggregates over indexed columns that feed the pure rating
functions; and the halls' approved visits, counts and mean scores for the store lists.

Percentages are summed as integer thousandths (the stored precision), so the
sums are exact on SQLite and PostgreSQL alike and agree with the pure functions
to the last digit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from sqlalchemy import BigInteger, Select, case, cast, func, select
from sqlalchemy.orm import contains_eager

from inspect_app.checklists.definition import RatingRules
from inspect_app.checklists.models import ChecklistVersion
from inspect_app.checklists.operations import definition_of
from inspect_app.extensions import db
from inspect_app.inspections.filters import approved_visits_in
from inspect_app.inspections.models import Answer, Inspection, InspectionStatus, SectionScore
from inspect_app.periods import Period
from inspect_app.scoring.ratings import (
    PeriodStats,
    RankedStore,
    StoreRating,
    rank_stores,
    rate_store,
    trend,
)
from inspect_app.stores.models import Region, Staff, Store
from inspect_app.stores.queries import PAGE_SIZE

THOUSAND = Decimal(1000)
MILLION = Decimal(1_000_000)


@dataclass(frozen=True)
class StorePeriodRating:
    """One store's rating for a period, with its ranks in its region and overall."""

    store_id: int
    code: str
    name: str
    region_id: int
    region_name: str
    rating: StoreRating
    rank_in_region: int | None
    rank_overall: int | None
    #: Stores rated in the same region (with at least one inspection), for "3 of 12".
    region_size: int


def milli(column):
    """A points or percent column as integer thousandths (its stored precision), for exact sums."""
    return cast(func.round(column * 1000), BigInteger)


def store_period_stats(
    period: Period, checklist_id: int, store_ids: list[int] | None = None
) -> dict[int, tuple[PeriodStats, int]]:
    """Return store_id -> (its period aggregates, the newest checklist version it was rated with)."""
    percent = milli(Inspection.score_percent)
    query = (
        select(
            Inspection.store_id,
            func.count(),
            func.sum(percent),
            func.sum(percent * percent),
            func.sum(case((Inspection.is_vetoed, 1), else_=0)),
            func.max(ChecklistVersion.number),
        )
        .join(ChecklistVersion, ChecklistVersion.id == Inspection.checklist_version_id)
        .where(
            *approved_visits_in(period),
            ChecklistVersion.checklist_id == checklist_id,
            # An approved visit where nothing applied has no percentage; it rates nothing.
            Inspection.score_percent.is_not(None),
        )
        .group_by(Inspection.store_id)
    )
    if store_ids is not None:
        query = query.where(Inspection.store_id.in_(store_ids))
    version_ids = dict(
        db.session.execute(
            select(ChecklistVersion.number, ChecklistVersion.id).where(
                ChecklistVersion.checklist_id == checklist_id
            )
        ).all()
    )
    out = {}
    for store_id, count, sum_milli, sum_sq, vetoes, number in db.session.execute(query):
        stats = PeriodStats(
            count=count,
            sum_percent=Decimal(int(sum_milli or 0)) / THOUSAND,
            sum_squares=Decimal(int(sum_sq or 0)) / MILLION,
            veto_count=int(vetoes or 0),
        )
        out[store_id] = (stats, version_ids[number])
    return out


def rules_of(version_id: int) -> RatingRules:
    """The rating rules of a checklist version, parsed once per distinct content."""
    version = db.session.get(ChecklistVersion, version_id)
    cache = current_app.extensions.setdefault("rating_rules", {})
    if version.content_hash not in cache:
        cache[version.content_hash] = definition_of(version).rating
    return cache[version.content_hash]


def rate_period(
    period: Period, checklist_id: int, default_rules: RatingRules
) -> list[StorePeriodRating]:
    """Rate every active store for the period, with ranks in its region and overall."""
    stats = store_period_stats(period, checklist_id)
    stores = db.session.execute(
        select(Store.id, Store.code, Store.name, Store.region_id, Region.name)
        .join(Region, Region.id == Store.region_id)
        .where(Store.is_active)
    ).all()
    empty = PeriodStats(0, Decimal(0), Decimal(0), 0)
    ratings = {}
    # One lookup per checklist version, not per store (the session keeps no strong reference).
    rules = {v: rules_of(v) for v in {version_id for _, version_id in stats.values() if version_id}}
    for store_id, *_ in stores:
        store_stats, version_id = stats.get(store_id, (empty, None))
        ratings[store_id] = rate_store(store_stats, rules.get(version_id, default_rules))
    ranks = rank_stores([RankedStore(s[0], s[3], ratings[s[0]]) for s in stores])
    region_sizes: dict[int, int] = {}
    for store_id, _code, _name, region_id, _region in stores:
        if ratings[store_id].count:
            region_sizes[region_id] = region_sizes.get(region_id, 0) + 1
    return [
        StorePeriodRating(
            store_id=store_id,
            code=code,
            name=name,
            region_id=region_id,
            region_name=region_name,
            rating=ratings[store_id],
            rank_in_region=ranks.get(store_id, (None, None))[0],
            rank_overall=ranks.get(store_id, (None, None))[1],
            region_size=region_sizes.get(region_id, 0),
        )
        for store_id, code, name, region_id, region_name in stores
    ]


def store_rank(
    period: Period, checklist_id: int, default_rules: RatingRules, store_id: int
) -> StorePeriodRating | None:
    """The hall's rating and ranks for the period (None for an inactive hall).

    Ranks compare the hall with every active hall on the same checklist, so this rates them all
    (`rate_period`: two queries on the checklist's visits, then the pure ranking rules).
    """
    return next(
        (r for r in rate_period(period, checklist_id, default_rules) if r.store_id == store_id),
        None,
    )


def period_trends(
    period: Period, checklist_id: int, default_rules: RatingRules, rows: list[StorePeriodRating]
) -> dict[int, str]:
    """Store id -> up, down or flat (`scoring.ratings.trend`) against the previous period, for
    the rated stores `rows` (one query for them all)."""
    previous = period.previous()
    before = store_period_stats(previous, checklist_id, [r.store_id for r in rows])
    empty = PeriodStats(0, Decimal(0), Decimal(0), 0)
    # One lookup per checklist version, not per store (as rate_period does).
    rules_by_version = {v: rules_of(v) for v in {v for _, v in before.values() if v}}
    out = {}
    for row in rows:
        stats, version_id = before.get(row.store_id, (empty, None))
        earlier = rate_store(stats, rules_by_version.get(version_id, default_rules))
        out[row.store_id] = trend([(previous.key, earlier), (period.key, row.rating)])
    return out


def store_history(
    store_id: int, checklist_id: int, periods: list[Period], default_rules: RatingRules
) -> list[tuple[Period, StoreRating]]:
    """Rate one store over several periods (oldest first), for its trend."""
    out = []
    empty = PeriodStats(0, Decimal(0), Decimal(0), 0)
    for period in periods:
        stats, version_id = store_period_stats(period, checklist_id, [store_id]).get(
            store_id, (empty, None)
        )
        out.append(
            (period, rate_store(stats, rules_of(version_id) if version_id else default_rules))
        )
    return out


def period_versions(
    period: Period, checklist_id: int, store_ids: list[int] | None = None
) -> dict[int, list[tuple[int, int]]]:
    """Return store_id -> [(version id, version number), ...] of the checklist's versions that
    the store's rated visits in the period were made with, oldest version first.

    The visits are those the ratings count (approved, in the period, with a percentage).
    """
    query = (
        select(Inspection.store_id, ChecklistVersion.id, ChecklistVersion.number)
        .join(ChecklistVersion, ChecklistVersion.id == Inspection.checklist_version_id)
        .where(
            *approved_visits_in(period),
            ChecklistVersion.checklist_id == checklist_id,
            Inspection.score_percent.is_not(None),
        )
        .distinct()
    )
    if store_ids is not None:
        query = query.where(Inspection.store_id.in_(store_ids))
    out: dict[int, list[tuple[int, int]]] = {}
    for store_id, version_id, number in db.session.execute(query):
        out.setdefault(store_id, []).append((version_id, number))
    for pairs in out.values():
        pairs.sort(key=lambda pair: pair[1])
    return out


def section_percents(
    store_id: int, period: Period, checklist_id: int | None = None
) -> dict[str, Decimal | None]:
    """Each section id's percentage over the store's approved visits in the period (points
    pooled), counting only visits made with this checklist when one is given."""
    query = (
        select(
            SectionScore.section_id,
            func.sum(SectionScore.points_earned),
            func.sum(SectionScore.points_possible),
        )
        .join(Inspection, Inspection.id == SectionScore.inspection_id)
        .where(*approved_visits_in(period), Inspection.store_id == store_id)
        .group_by(SectionScore.section_id)
    )
    if checklist_id is not None:
        query = query.join(
            ChecklistVersion, ChecklistVersion.id == Inspection.checklist_version_id
        ).where(ChecklistVersion.checklist_id == checklist_id)
    out = {}
    for section_id, earned, possible in db.session.execute(query):
        possible = Decimal(str(possible or 0))
        out[section_id] = (
            None
            if not possible
            else (100 * Decimal(str(earned)) / possible).quantize(Decimal("0.1"))
        )
    return out


def failed_findings(store_id: int, period: Period, limit: int = 100) -> list[Answer]:
    """The failed items of the store's approved visits in the period (every checklist), newest
    visit first, each with its visit and the visit's checklist version loaded: read an answer
    with that version (`ratings.findings`), never with the version in use today."""
    return list(
        db.session.scalars(
            select(Answer)
            .join(Inspection, Inspection.id == Answer.inspection_id)
            .where(*approved_visits_in(period), Inspection.store_id == store_id, Answer.is_failed)
            .options(
                contains_eager(Answer.inspection)
                .joinedload(Inspection.checklist_version)
                .joinedload(ChecklistVersion.checklist)
            )
            .order_by(Inspection.visit_date.desc(), Answer.id)
            .limit(limit)
        )
    )


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


def approved_inspections(
    store_id: int, period: Period | None = None, checklist_id: int | None = None, limit: int = 50
) -> list[Inspection]:
    """Return the store's approved inspections, newest first: those of the period (by visit
    date) made with the checklist when they are given, else the latest `limit`."""
    query = select(Inspection).where(
        Inspection.store_id == store_id, Inspection.status == InspectionStatus.APPROVED
    )
    if period is not None:
        query = query.where(*approved_visits_in(period))
    if checklist_id is not None:
        version = ChecklistVersion.id == Inspection.checklist_version_id
        query = query.join(ChecklistVersion, version).where(
            ChecklistVersion.checklist_id == checklist_id
        )
    order = (Inspection.visit_date.desc(), Inspection.id.desc())
    return list(db.session.scalars(query.order_by(*order).limit(limit)))
