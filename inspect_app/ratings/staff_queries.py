"""Staff results for a period: a thin SQL roll-up per person and hall that feeds the pure rules.

Points are summed as integer thousandths (their stored precision), so the sums are exact on
SQLite and PostgreSQL alike and agree with `scoring.ratings` to the last digit. Ranks are taken
over every result in the regions concerned, whatever part of them a page then shows.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.orm import contains_eager

from inspect_app.extensions import db
from inspect_app.inspections.filters import approved_visits_in
from inspect_app.inspections.models import Answer, Inspection, InspectionStatus
from inspect_app.periods import Period
from inspect_app.ratings.store_queries import THOUSAND, milli, rules_of
from inspect_app.scoring.ratings import StaffRating, StaffTally, rank_staff, rate_staff
from inspect_app.stores.models import Region, Staff, Store


@dataclass(frozen=True)
class StaffRatingRow:
    """One person's result at one hall, with the roster facts that pages and exports show."""

    rating: StaffRating
    employee_no: str
    name: str
    position: str | None
    #: Still on the roster (not left).
    is_active: bool
    store_code: str
    store_name: str
    region_name: str

    @property
    def staff_id(self) -> int:
        return self.rating.tally.staff_id

    @property
    def store_id(self) -> int:
        return self.rating.tally.store_id


#: An answer that counts for its person: attributed, answered, applicable and shown (store_scores
#: stores a hidden item as not applicable; a 工号 named on any other item is kept for the form).
ATTRIBUTED_PERSON_ITEM = (
    Answer.staff_id.is_not(None),
    Answer.is_unidentified.is_(False),
    Answer.is_not_applicable.is_(False),
    Answer.points_possible > 0,
)


def _person_items(period: Period) -> Select:
    """Attributed person-items of the approved visits in the period, joined to their hall."""
    return (
        select(Answer)
        .join(Inspection, Inspection.id == Answer.inspection_id)
        .join(Store, Store.id == Inspection.store_id)
        .where(*approved_visits_in(period), *ATTRIBUTED_PERSON_ITEM)
    )


class TallyRow(NamedTuple):
    """One roll-up row: a person's tally at a hall, with what ranking and pages need."""

    tally: StaffTally
    region_id: int
    #: The newest checklist version among the visits behind it (its rules apply: the sample
    #: size and the veto cap).
    version_id: int
    #: The roster facts of a `StaffRatingRow`, in its field order (工号 … region name).
    roster: tuple


def staff_tallies(period: Period, region_ids: Collection[int] | None = None) -> list[TallyRow]:
    """Sum the period's person-items per person and hall of the visits (these regions only).

    The sums are grouped by ids alone in a subquery and the roster's names joined afterwards:
    grouping a province's 1.5 million answers by text columns too took 7x as long on SQLite
    (bench/bench_export_province.py).
    """
    sums = (
        _person_items(period)
        .with_only_columns(
            Answer.staff_id.label("staff_id"),
            Inspection.store_id.label("store_id"),
            func.count(Answer.inspection_id.distinct()).label("visits"),
            func.count().label("items"),
            func.sum(milli(Answer.points_earned)).label("earned"),
            func.sum(milli(Answer.points_possible)).label("possible"),
            func.sum(case((Answer.is_failed, 1), else_=0)).label("failed"),
            func.sum(case((Answer.is_veto_failed, 1), else_=0)).label("vetoes"),
            func.max(Inspection.checklist_version_id).label("version_id"),
            maintain_column_froms=True,
        )
        .group_by(Answer.staff_id, Inspection.store_id)
    )
    if region_ids is not None:
        sums = sums.where(Store.region_id.in_(list(region_ids)))
    sums = sums.subquery()
    query = (
        select(
            sums,
            Store.region_id,
            # The roster facts, in StaffRatingRow's field order.
            Staff.employee_no,
            Staff.name,
            Staff.position,
            Staff.is_active,
            Store.code,
            Store.name,
            Region.name,
        )
        .join(Staff, Staff.id == sums.c.staff_id)
        .join(Store, Store.id == sums.c.store_id)
        .join(Region, Region.id == Store.region_id)
        .order_by(sums.c.store_id, sums.c.staff_id)
    )
    out = []
    for row in db.session.execute(query):
        (staff_id, store_id, visits, items, earned, possible, failed, vetoes, version_id,
         region_id, *roster) = row  # fmt: skip
        tally = StaffTally(
            staff_id=staff_id,
            store_id=store_id,
            visits=visits,
            person_items=items,
            earned=Decimal(int(earned or 0)) / THOUSAND,
            possible=Decimal(int(possible or 0)) / THOUSAND,
            failed_items=int(failed or 0),
            veto_findings=int(vetoes or 0),
        )
        out.append(TallyRow(tally, region_id, version_id, tuple(roster)))
    return out


def _regions_concerned(
    period: Period, store_ids: Collection[int] | None, staff_id: int | None
) -> list[int] | None:
    """The regions whose results must be ranked to answer for these halls or this person."""
    if store_ids is None and staff_id is None:
        return None
    query = select(Store.region_id).distinct()
    if staff_id is not None:
        halls = _person_items(period).with_only_columns(
            Inspection.store_id, maintain_column_froms=True
        )
        query = query.where(Store.id.in_(halls.where(Answer.staff_id == staff_id)))
    if store_ids is not None:
        query = query.where(Store.id.in_(list(store_ids)))
    return list(db.session.scalars(query))


def staff_period_ratings(
    period: Period,
    *,
    store_ids: Collection[int] | None = None,
    region_ids: Collection[int] | None = None,
    staff_id: int | None = None,
) -> list[StaffRatingRow]:
    """Rate and rank everyone observed in the period; return the rows of these halls, regions or
    person (all when none is given), by region, hall, rank in the hall, then 工号."""
    regions = _regions_concerned(period, store_ids, staff_id)
    if region_ids is not None:
        regions = [r for r in region_ids if regions is None or r in regions]
    tallies = {(t.tally.staff_id, t.tally.store_id): t for t in staff_tallies(period, regions)}
    # One lookup per checklist version, not per person (the session keeps no strong reference).
    rules = {v: rules_of(v) for v in {t.version_id for t in tallies.values()}}
    rated = rank_staff(
        rate_staff(t.tally, t.region_id, rules[t.version_id]) for t in tallies.values()
    )
    halls = None if store_ids is None else set(store_ids)
    rows = []
    for rating in rated:
        if halls is not None and rating.tally.store_id not in halls:
            continue
        if staff_id is not None and rating.tally.staff_id != staff_id:
            continue
        facts = tallies[(rating.tally.staff_id, rating.tally.store_id)]
        rows.append(StaffRatingRow(rating, *facts.roster))
    rows.sort(
        key=lambda row: (
            row.region_name,
            row.store_code,
            row.rating.rank_in_hall is None,
            row.rating.rank_in_hall or 0,
            row.employee_no,
        )
    )
    return rows


def staff_person_items(
    staff_id: int, period: Period, store_ids: Collection[int] | None = None
) -> list[Answer]:
    """The person's person-items in the period (only those at these halls when given), oldest
    visit first, each with its visit and hall loaded: what their figures are made of."""
    query = (
        _person_items(period)
        .where(Answer.staff_id == staff_id)
        .options(contains_eager(Answer.inspection).contains_eager(Inspection.store))
        .order_by(Inspection.visit_date, Inspection.id, Answer.id)
    )
    if store_ids is not None:
        query = query.where(Inspection.store_id.in_(list(store_ids)))
    return list(db.session.scalars(query))


def staff_seen_at(staff_id: int, store_ids: Collection[int]) -> bool:
    """Whether any approved visit to these halls has a person-item attributed to the person."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    *ATTRIBUTED_PERSON_ITEM,
                    Answer.staff_id == staff_id,
                    Answer.inspection_id == Inspection.id,
                    Inspection.status == InspectionStatus.APPROVED,
                    Inspection.store_id.in_(list(store_ids)),
                )
            )
        )
    )
