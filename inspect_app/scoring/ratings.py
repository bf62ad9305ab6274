"""Rate stores and staff for a period from their approved inspections; rank them; show trends.

Pure functions: aggregate figures (one SQL row per store, or per person and hall) and the
checklist's `RatingRules` in, frozen results out. No Flask, no database, Decimal arithmetic only,
in a fixed 28-digit context so a caller's decimal context cannot change the figures.
docs/ratings.md gives the rules in prose; in short:

Stores:

- **Mean.** The mean of the stored inspection percentages, rounded half-up to 0.001. Stars come
  from this rounded mean, so the stars always agree with the figure shown.
- **Veto cap.** A vetoed inspection in the period caps the stars at `rules.veto_max_stars`;
  `stars_before_cap` keeps what the mean earned.
- **Enough.** `enough_inspections` is false below `rules.min_inspections`.
- **Interval.** A 90% Student t confidence interval of the mean, clipped to 0..100. The rating is
  uncertain with fewer than two inspections or when the interval's ends earn different stars.
- **Ranking.** Stars, then mean, both descending; equal stars and mean share a rank (1224).

Staff (one result per person *and hall*: a finding stays with the hall of its visit):

- **Person-items.** The findings counted are the person-items of approved visits (staff items
  answered, applicable, shown and scored) attributed to the person (`PersonItem.staff_id`: named
  on the item, else the visit's first served staff member). Unidentified person-items count for
  the hall but for nobody; a person with no person-item in the period has no result at all.
- **Figures.** visits = distinct visits with at least one of the person's person-items; earned,
  possible = sums of points; failed items = person-items that failed (below the item's failure
  share, `fail_below`); veto findings = failed veto items.
- **Score.** 100 x earned / possible, rounded half-up to 0.001 (shown to one decimal, half-up);
  None when nothing was possible, never a division by zero.
- **Veto cap.** With one or more veto findings the score is capped at `rules.veto_max_percent`
  (0 by default), as an inspection's is; `percent_before_cap` keeps the uncapped figure.
- **Enough.** `is_enough` when person-items >= `rules.staff_min_items` (10 by default).
- **Which rules.** Those of the newest checklist version behind the result.
- **Ranks.** Only results with enough person-items and a score are ranked: by the (capped)
  score descending, in the hall and in the hall's region, equal scores sharing a rank (1224).
  Too small a sample is listed but not ranked.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Any

from inspect_app.checklists.definition import RatingRules
from inspect_app.scoring.inspection import quantize_percent

#: Percentages are shown to one decimal.
SHOWN_QUANT = Decimal("0.1")
ZERO = Decimal(0)
HUNDRED = Decimal(100)
#: A change of the mean by at least this many points between periods is a trend up or down.
TREND_MIN_CHANGE = Decimal(1)
UP, DOWN, FLAT, UNKNOWN = "up", "down", "flat", "unknown"

#: Two-sided 90% Student t quantiles (t_0.95) by degrees of freedom. Between tabulated values
#: the largest tabulated df not above the asked one is used (the wider interval); beyond 120, 1.645.
# fmt: off
_T_90 = {df: Decimal(value) for df, value in {
    1: "6.314", 2: "2.920", 3: "2.353", 4: "2.132", 5: "2.015", 6: "1.943",
    7: "1.895", 8: "1.860", 9: "1.833", 10: "1.812", 11: "1.796", 12: "1.782",
    13: "1.771", 14: "1.761", 15: "1.753", 16: "1.746", 17: "1.740", 18: "1.734",
    19: "1.729", 20: "1.725", 21: "1.721", 22: "1.717", 23: "1.714", 24: "1.711",
    25: "1.708", 26: "1.706", 27: "1.703", 28: "1.701", 29: "1.699", 30: "1.697",
    40: "1.684", 60: "1.671", 120: "1.658",
}.items()}
# fmt: on
_T_90_BEYOND = Decimal("1.645")


@dataclass(frozen=True)
class PeriodStats:
    """One store's approved inspections in a period, as one SQL aggregate row gives them."""

    #: Approved inspections in the period.
    count: int
    #: Sum of their stored (veto-capped) score_percent.
    sum_percent: Decimal
    #: Sum of score_percent squared, so that SQL can aggregate the variance.
    sum_squares: Decimal
    #: How many of them were vetoed.
    veto_count: int

    @classmethod
    def from_percents(cls, percents: Iterable[Decimal], vetoed: Iterable[bool]) -> PeriodStats:
        """Aggregate inspection percentages and veto flags given in the same order."""
        pairs = list(zip(percents, vetoed, strict=True))
        with localcontext(Context(prec=28)):
            return cls(
                count=len(pairs),
                sum_percent=sum((p for p, _ in pairs), ZERO),
                sum_squares=sum((p * p for p, _ in pairs), ZERO),
                veto_count=sum(1 for _, v in pairs if v),
            )


@dataclass(frozen=True)
class StoreRating:
    """A store's rating for one period."""

    count: int
    #: None when the period has no approved inspection (and so are stars and the interval).
    mean_percent: Decimal | None
    #: After the veto cap.
    stars: int | None
    stars_before_cap: int | None
    veto_count: int
    #: The veto cap lowered the stars (a veto with stars already at or below the cap is not).
    is_capped_by_veto: bool
    #: count >= rules.min_inspections.
    enough_inspections: bool
    #: 90% confidence interval of the mean, clipped to 0..100; None with fewer than two.
    ci_low: Decimal | None
    ci_high: Decimal | None
    #: Fewer than two inspections, or the interval's ends earn different stars (before the cap).
    is_uncertain: bool


@dataclass(frozen=True)
class RankedStore:
    """One store's rating with the ids that ranking needs."""

    store_id: int
    region_id: int
    rating: StoreRating


def shown_percent(value: Decimal | float | int | None) -> Decimal | None:
    """Round a stored percentage half-up to the one decimal pages show (66.650 -> 66.7).

    A float is read as the decimal it prints as (85.35 -> 85.4), never as its binary value."""
    if value is None:
        return None
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return number.quantize(SHOWN_QUANT, rounding=ROUND_HALF_UP)


def t_critical_90(df: int) -> Decimal:
    """Return the two-sided 90% Student t quantile for `df` degrees of freedom (df >= 1)."""
    if df < 1:
        raise ValueError(f"degrees of freedom must be at least 1, not {df}")
    if df > max(_T_90):
        return _T_90_BEYOND
    return _T_90[max(tabulated for tabulated in _T_90 if tabulated <= df)]


def rate_store(stats: PeriodStats, rules: RatingRules) -> StoreRating:
    """Rate one store's period from its approved inspections' aggregate figures."""
    if stats.count < 0 or not 0 <= stats.veto_count <= stats.count:
        raise ValueError(f"inconsistent period figures: {stats}")
    enough = stats.count >= rules.min_inspections
    if stats.count == 0:
        return StoreRating(0, None, None, None, 0, False, enough, None, None, True)
    with localcontext(Context(prec=28)):
        mean = quantize_percent(stats.sum_percent / stats.count)
        before_cap = rules.stars_for(mean)
        stars = min(before_cap, rules.veto_max_stars) if stats.veto_count else before_cap
        low, high = _confidence_interval(stats)
    uncertain = low is None or high is None or rules.stars_for(low) != rules.stars_for(high)
    return StoreRating(
        count=stats.count,
        mean_percent=mean,
        stars=stars,
        stars_before_cap=before_cap,
        veto_count=stats.veto_count,
        is_capped_by_veto=stars < before_cap,
        enough_inspections=enough,
        ci_low=low,
        ci_high=high,
        is_uncertain=uncertain,
    )


def _confidence_interval(stats: PeriodStats) -> tuple[Decimal | None, Decimal | None]:
    n = stats.count
    if n < 2:
        return None, None
    mean = stats.sum_percent / n
    # Rounding in the sums can leave a tiny negative for identical percentages.
    variance = max((stats.sum_squares - stats.sum_percent**2 / n) / (n - 1), ZERO)
    half_width = t_critical_90(n - 1) * (variance / n).sqrt()
    low = quantize_percent(max(mean - half_width, ZERO))
    high = quantize_percent(min(mean + half_width, HUNDRED))
    return low, high


def rank_stores(rows: Sequence[RankedStore]) -> dict[int, tuple[int | None, int | None]]:
    """Return store_id -> (rank in region, overall rank); stores without inspections get None."""
    ids = [row.store_id for row in rows]
    if len(set(ids)) != len(ids):
        raise ValueError("each store may appear only once")
    ranks: dict[int, tuple[int | None, int | None]] = {row.store_id: (None, None) for row in rows}
    rated = [row for row in rows if row.rating.count > 0]
    overall = _competition_ranks(rated, _rank_key, _store_id)
    by_region: dict[int, list[RankedStore]] = {}
    for row in rated:
        by_region.setdefault(row.region_id, []).append(row)
    for region_rows in by_region.values():
        for store_id, rank in _competition_ranks(region_rows, _rank_key, _store_id).items():
            ranks[store_id] = (rank, overall[store_id])
    return ranks


def _rank_key(row: RankedStore) -> tuple[int, Decimal]:
    # Only rows with inspections are ranked, and those always have stars and a mean.
    return row.rating.stars or 0, row.rating.mean_percent or ZERO


def _store_id(row: RankedStore) -> int:
    return row.store_id


def _competition_ranks(
    rows: Sequence[Any], key: Callable[[Any], Any], ident: Callable[[Any], Hashable]
) -> dict[Any, int]:
    """Competition ranks (1224) by `key`, highest first: equal keys share a rank; by `ident`."""
    ranks: dict[Any, int] = {}
    previous, rank = None, 0
    for position, row in enumerate(sorted(rows, key=key, reverse=True), start=1):
        if position == 1 or key(row) != previous:
            rank, previous = position, key(row)
        ranks[ident(row)] = rank
    return ranks


def trend(points: Sequence[tuple[str, StoreRating]]) -> str:
    """Compare the last two rated periods (oldest first): "up", "down", "flat" or "unknown"."""
    means = [r.mean_percent for _, r in points if r.count > 0 and r.mean_percent is not None]
    if len(means) < 2:
        return UNKNOWN
    change = means[-1] - means[-2]
    if change >= TREND_MIN_CHANGE:
        return UP
    if change <= -TREND_MIN_CHANGE:
        return DOWN
    return FLAT


@dataclass(frozen=True)
class PersonItem:
    """One person-item of an approved visit: the finding that staff figures count."""

    inspection_id: int
    #: The hall of the visit (not the person's hall today).
    store_id: int
    #: Who it is attributed to; None when the person was not identified.
    staff_id: int | None
    earned: Decimal
    possible: Decimal
    failed: bool
    veto_failed: bool


@dataclass(frozen=True)
class StaffTally:
    """One person's person-items at one hall in a period, summed (one SQL roll-up row)."""

    staff_id: int
    store_id: int
    #: Distinct visits with at least one of the person's person-items.
    visits: int
    person_items: int
    earned: Decimal
    possible: Decimal
    failed_items: int
    veto_findings: int


@dataclass(frozen=True)
class StaffRating:
    """One person's result at one hall for a period, with its ranks."""

    tally: StaffTally
    #: The region of the hall of the visits.
    region_id: int
    #: The score: 100 x earned / possible rounded half-up to 0.001, capped at the rules'
    #: `veto_max_percent` when there is a veto finding; None when nothing was possible.
    percent: Decimal | None
    #: The score before the veto cap (equal to `percent` without a veto finding).
    percent_before_cap: Decimal | None
    #: The sample size rule applied (`staff_min_items` of the checklist version).
    min_items: int
    #: person_items >= min_items.
    is_enough: bool
    #: Competition ranks by percent; None when not ranked (sample too small, or no percent).
    rank_in_hall: int | None = None
    rank_in_region: int | None = None
    #: How many results were ranked in the hall and in the region, for "2 of 7".
    ranked_in_hall: int = 0
    ranked_in_region: int = 0

    @property
    def is_ranked(self) -> bool:
        """Whether ranking applies: enough person-items and a percentage."""
        return self.is_enough and self.percent is not None

    @property
    def is_capped_by_veto(self) -> bool:
        """Whether the veto cap lowered the score (a veto with the score already at or below
        the cap is not)."""
        return self.percent != self.percent_before_cap


def tally_staff(items: Iterable[PersonItem]) -> dict[tuple[int, int], StaffTally]:
    """Sum person-items per (staff id, hall of the visit); unidentified ones count for nobody."""
    grouped: dict[tuple[int, int], list[PersonItem]] = {}
    for item in items:
        if item.staff_id is not None:
            grouped.setdefault((item.staff_id, item.store_id), []).append(item)
    with localcontext(Context(prec=28)):
        return {
            (staff_id, store_id): StaffTally(
                staff_id=staff_id,
                store_id=store_id,
                visits=len({i.inspection_id for i in found}),
                person_items=len(found),
                earned=sum((i.earned for i in found), ZERO),
                possible=sum((i.possible for i in found), ZERO),
                failed_items=sum(1 for i in found if i.failed),
                veto_findings=sum(1 for i in found if i.veto_failed),
            )
            for (staff_id, store_id), found in sorted(grouped.items())
        }


def rate_staff(tally: StaffTally, region_id: int, rules: RatingRules) -> StaffRating:
    """Turn one person's tally at one hall into a score, veto-capped, and the sample-size verdict
    (unranked), under the rules of the newest checklist version behind it."""
    if (
        not 0 <= tally.failed_items <= tally.person_items
        or tally.veto_findings > tally.failed_items
    ):
        raise ValueError(f"inconsistent staff figures: {tally}")
    if not 0 <= tally.visits <= tally.person_items or not ZERO <= tally.earned <= tally.possible:
        raise ValueError(f"inconsistent staff figures: {tally}")
    with localcontext(Context(prec=28)):
        before_cap = (
            quantize_percent(HUNDRED * tally.earned / tally.possible) if tally.possible else None
        )
        percent = before_cap
        if tally.veto_findings and before_cap is not None:
            percent = min(before_cap, quantize_percent(rules.veto_max_percent))
    return StaffRating(
        tally=tally,
        region_id=region_id,
        percent=percent,
        percent_before_cap=before_cap,
        min_items=rules.staff_min_items,
        is_enough=tally.person_items >= rules.staff_min_items,
    )


def rank_staff(ratings: Iterable[StaffRating]) -> list[StaffRating]:
    """Rank results in their hall and their region (1224 by percent); return them in order given.

    Results with too few person-items or no percentage are returned unranked.
    """
    rows = list(ratings)
    keys = [(r.tally.staff_id, r.tally.store_id) for r in rows]
    if len(set(keys)) != len(keys):
        raise ValueError("each person may appear once per hall")
    ranked = [r for r in rows if r.is_ranked]
    in_hall = _ranks_within(ranked, lambda r: r.tally.store_id)
    in_region = _ranks_within(ranked, lambda r: r.region_id)
    out = []
    for row in rows:
        key = (row.tally.staff_id, row.tally.store_id)
        if key not in in_hall:
            out.append(row)
            continue
        out.append(
            replace(
                row,
                rank_in_hall=in_hall[key][0],
                ranked_in_hall=in_hall[key][1],
                rank_in_region=in_region[key][0],
                ranked_in_region=in_region[key][1],
            )
        )
    return out


def _ranks_within(
    rows: Sequence[StaffRating], group_of: Callable[[StaffRating], int]
) -> dict[tuple[int, int], tuple[int, int]]:
    """(staff id, store id) -> (competition rank by percent in its group, the group's size)."""
    groups: dict[int, list[StaffRating]] = {}
    for row in rows:
        groups.setdefault(group_of(row), []).append(row)
    out: dict[tuple[int, int], tuple[int, int]] = {}
    for members in groups.values():
        # Only ranked results come here, and those always have a percentage.
        ranks = _competition_ranks(
            members, lambda r: r.percent, lambda r: (r.tally.staff_id, r.tally.store_id)
        )
        out.update((key, (rank, len(members))) for key, rank in ranks.items())
    return out
