"""Rate stores and staff for a period from their approved inspections; rank stores; show trends.

Pure functions: aggregate figures (one SQL row per store or per 工号) and the checklist's
`RatingRules` in, frozen results out. No Flask, no database, Decimal arithmetic only, in a fixed
28-digit context so a caller's decimal context cannot change the figures. docs/ratings.md gives
the rules in prose; in short:

- **Mean.** The mean of the stored inspection percentages, rounded half-up to 0.001. Stars come
  from this rounded mean, so the stars always agree with the figure shown.
- **Veto cap.** A vetoed inspection in the period caps the stars at `rules.veto_max_stars`;
  `stars_before_cap` keeps what the mean earned.
- **Enough.** `enough_inspections` is false below `rules.min_inspections`.
- **Interval.** A 90% Student t confidence interval of the mean, clipped to 0..100. The rating is
  uncertain with fewer than two inspections or when the interval's ends earn different stars.
- **Ranking.** Stars, then mean, both descending; equal stars and mean share a rank (1224).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from inspect_app.checklists.definition import RatingRules

PERCENT_QUANT = Decimal("0.001")
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


@dataclass(frozen=True)
class StaffStats:
    """One employee number's findings in a period, as one SQL aggregate row gives them."""

    employee_no: str
    observations: int
    earned: Decimal
    possible: Decimal
    failures: int
    veto_findings: int


@dataclass(frozen=True)
class StaffRating:
    """One employee number's result for a period."""

    employee_no: str
    observations: int
    earned: Decimal
    possible: Decimal
    #: 100 x earned / possible, or None when nothing was possible.
    percent: Decimal | None
    failures: int
    veto_findings: int


def quantize_percent(value: Decimal) -> Decimal:
    """Round a percentage half-up to 0.001."""
    return value.quantize(PERCENT_QUANT, rounding=ROUND_HALF_UP)


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
    overall = _competition_ranks(rated)
    by_region: dict[int, list[RankedStore]] = {}
    for row in rated:
        by_region.setdefault(row.region_id, []).append(row)
    for region_rows in by_region.values():
        for store_id, rank in _competition_ranks(region_rows).items():
            ranks[store_id] = (rank, overall[store_id])
    return ranks


def _rank_key(row: RankedStore) -> tuple[int, Decimal]:
    # Only rows with inspections are ranked, and those always have stars and a mean.
    return row.rating.stars or 0, row.rating.mean_percent or ZERO


def _competition_ranks(rows: Sequence[RankedStore]) -> dict[int, int]:
    ordered = sorted(rows, key=_rank_key, reverse=True)
    ranks: dict[int, int] = {}
    previous: tuple[int, Decimal] | None = None
    rank = 0
    for position, row in enumerate(ordered, start=1):
        key = _rank_key(row)
        if key != previous:
            rank, previous = position, key
        ranks[row.store_id] = rank
    return ranks


def rate_staff(stats: StaffStats) -> StaffRating:
    """Turn one employee number's aggregate findings into a percentage."""
    with localcontext(Context(prec=28)):
        percent = (
            quantize_percent(HUNDRED * stats.earned / stats.possible) if stats.possible else None
        )
    return StaffRating(
        employee_no=stats.employee_no,
        observations=stats.observations,
        earned=stats.earned,
        possible=stats.possible,
        percent=percent,
        failures=stats.failures,
        veto_findings=stats.veto_findings,
    )


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
