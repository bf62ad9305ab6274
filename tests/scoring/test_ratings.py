"""Store ratings, ranking and trend: table tests (properties are in the next file; staff results
in test_ratings_staff.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inspect_app.checklists.definition import RatingRules
from inspect_app.scoring.ratings import (
    PeriodStats,
    RankedStore,
    StoreRating,
    rank_stores,
    rate_store,
    t_critical_90,
    trend,
)


def rules(min_inspections: int = 2, veto_max_stars: int = 1) -> RatingRules:
    """Return the default checklist's rules: 0/60/75/85/95, veto caps at the given stars."""
    thresholds = tuple(Decimal(t) for t in (0, 60, 75, 85, 95))
    return RatingRules(thresholds, min_inspections, Decimal(0), veto_max_stars)


def rate(*percents: str, vetoed: tuple[int, ...] = (), **rule_args: int) -> StoreRating:
    """Rate a period of inspections with these percentages; `vetoed` gives indexes."""
    flags = [index in vetoed for index in range(len(percents))]
    stats = PeriodStats.from_percents([Decimal(p) for p in percents], flags)
    return rate_store(stats, rules(**rule_args))


def d(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def test_from_percents_sums_percents_squares_and_vetoes() -> None:
    stats = PeriodStats.from_percents(
        iter([Decimal("80.5"), Decimal(0), Decimal(90)]), iter([False, True, False])
    )
    assert stats == PeriodStats(3, Decimal("170.5"), Decimal("14580.25"), 1)


def test_from_percents_refuses_lists_of_different_lengths() -> None:
    with pytest.raises(ValueError):
        PeriodStats.from_percents([Decimal(80)], [False, True])


def test_no_inspections_has_no_mean_stars_or_interval() -> None:
    assert rate() == StoreRating(
        count=0,
        mean_percent=None,
        stars=None,
        stars_before_cap=None,
        veto_count=0,
        is_capped_by_veto=False,
        enough_inspections=False,
        ci_low=None,
        ci_high=None,
        is_uncertain=True,
    )


@pytest.mark.parametrize(
    ("percents", "vetoed", "rule_args", "mean", "stars", "before_cap", "capped", "enough"),
    [
        # One inspection: a mean and stars, never enough for min 2, always uncertain.
        (("88",), (), {}, "88.000", 4, 4, False, False),
        # min_inspections decides "enough", nothing else.
        (("88", "90"), (), {}, "89.000", 4, 4, False, True),
        (("88", "90"), (), {"min_inspections": 3}, "89.000", 4, 4, False, False),
        (("88", "90", "89"), (), {"min_inspections": 3}, "89.000", 4, 4, False, True),
        # Stars come from the mean rounded half-up to 0.001: 94.9995 shows and rates as 95.
        (("94.999", "95"), (), {}, "95.000", 5, 5, False, True),
        (("94.998", "95"), (), {}, "94.999", 4, 4, False, True),
        # A veto caps the stars and keeps what the mean earned.
        (("0", "100", "100", "100"), (0,), {}, "75.000", 1, 3, True, True),
        (("96", "97"), (1,), {"veto_max_stars": 3}, "96.500", 3, 5, True, True),
        # A veto with stars already at or below the cap does not count as capping.
        (("0", "50"), (0,), {}, "25.000", 1, 1, False, True),
        (("70", "80"), (0,), {"veto_max_stars": 3}, "75.000", 3, 3, False, True),
    ],
)
def test_rate_store_table(
    percents: tuple[str, ...],
    vetoed: tuple[int, ...],
    rule_args: dict[str, int],
    mean: str,
    stars: int,
    before_cap: int,
    capped: bool,
    enough: bool,
) -> None:
    rating = rate(*percents, vetoed=vetoed, **rule_args)
    assert rating.count == len(percents)
    assert rating.veto_count == len(vetoed)
    assert rating.mean_percent == Decimal(mean)
    assert (rating.stars, rating.stars_before_cap) == (stars, before_cap)
    assert rating.is_capped_by_veto is capped
    assert rating.enough_inspections is enough


def test_one_inspection_is_uncertain_without_an_interval() -> None:
    rating = rate("100")
    assert (rating.ci_low, rating.ci_high, rating.is_uncertain) == (None, None, True)


@pytest.mark.parametrize(
    ("percents", "low", "high", "uncertain"),
    [
        # mean 85, s = 7.071, t(1) = 6.314: 85 +- 31.57, clipped at 100; spans 1..5 stars.
        (("80", "90"), "53.430", "100.000", True),
        # mean 5: clipped at 0; the whole interval earns 1 star, so it is certain.
        (("0", "10"), "0.000", "36.570", False),
        # mean 89, s^2 = 4/3, t(3) = 2.353: 89 +- 1.3585, inside the 4-star band 85..95.
        (("88", "90", "88", "90"), "87.641", "90.359", False),
        # The same interval shifted over the 95 threshold.
        (("94", "96", "94", "96"), "93.641", "96.359", True),
        # Identical percentages: no spread, a point interval.
        (("90", "90", "90"), "90.000", "90.000", False),
        # The whole range, clipped at both ends.
        (("0", "100"), "0.000", "100.000", True),
    ],
)
def test_confidence_interval_table(
    percents: tuple[str, ...], low: str, high: str, uncertain: bool
) -> None:
    rating = rate(*percents)
    assert (rating.ci_low, rating.ci_high) == (Decimal(low), Decimal(high))
    assert rating.is_uncertain is uncertain


def test_uncertainty_is_judged_before_the_veto_cap() -> None:
    rating = rate("88", "90", "88", "90", vetoed=(0,))
    assert rating.stars == 1
    assert rating.is_uncertain is False


@pytest.mark.parametrize(
    ("df", "value"),
    [
        (1, "6.314"),
        (5, "2.015"),
        (30, "1.697"),
        (31, "1.697"),
        (39, "1.697"),
        (40, "1.684"),
        (45, "1.684"),
        (60, "1.671"),
        (119, "1.671"),
        (120, "1.658"),
        (121, "1.645"),
        (200, "1.645"),
    ],
)
def test_t_critical_90_table(df: int, value: str) -> None:
    assert t_critical_90(df) == Decimal(value)


@pytest.mark.parametrize("df", [0, -1])
def test_t_critical_90_needs_one_degree_of_freedom(df: int) -> None:
    with pytest.raises(ValueError):
        t_critical_90(df)


@pytest.mark.parametrize(
    "stats",
    [PeriodStats(-1, Decimal(0), Decimal(0), 0), PeriodStats(1, Decimal(90), Decimal(8100), 2)],
)
def test_rate_store_refuses_inconsistent_figures(stats: PeriodStats) -> None:
    with pytest.raises(ValueError):
        rate_store(stats, rules())


def store(store_id: int, region_id: int, *percents: str, vetoed: tuple[int, ...] = ()):
    return RankedStore(store_id, region_id, rate(*percents, vetoed=vetoed, veto_max_stars=3))


def test_rank_stores_shares_ranks_within_and_across_regions() -> None:
    rows = [
        store(1, 10, "96"),
        store(2, 10, "88"),
        store(3, 10, "87", "89"),  # same stars and mean as store 2: a shared rank
        store(4, 10, "87"),
        store(5, 20, "96"),
        store(6, 20),  # no inspections: not ranked
        store(7, 20, "99", "99", vetoed=(0,)),  # capped at 3 stars, ranks below 4-star 87
        store(8, 20, "75"),  # 3 stars like store 7, lower mean
    ]
    assert rank_stores(rows) == {
        1: (1, 1),
        2: (2, 3),
        3: (2, 3),
        4: (4, 5),
        5: (1, 1),
        6: (None, None),
        7: (2, 6),
        8: (3, 7),
    }


def test_rank_stores_orders_by_stars_before_mean() -> None:
    rows = [store(1, 1, "99", vetoed=(0,)), store(2, 1, "85")]
    assert rank_stores(rows) == {2: (1, 1), 1: (2, 2)}


def test_rank_stores_with_nothing_rated() -> None:
    assert rank_stores([]) == {}
    assert rank_stores([store(1, 1), store(2, 2)]) == {1: (None, None), 2: (None, None)}


def test_rank_stores_refuses_a_store_twice() -> None:
    with pytest.raises(ValueError):
        rank_stores([store(1, 1, "90"), store(1, 2, "80")])


def period(label: str, *percents: str) -> tuple[str, StoreRating]:
    return label, rate(*percents)


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ([], "unknown"),
        ([period("2024-01", "80")], "unknown"),
        ([period("2024-01"), period("2024-02", "80"), period("2024-03")], "unknown"),
        ([period("2024-01", "80"), period("2024-02", "81")], "up"),
        ([period("2024-01", "80"), period("2024-02", "80.999")], "flat"),
        ([period("2024-01", "80"), period("2024-02", "79.001")], "flat"),
        ([period("2024-01", "80"), period("2024-02", "79")], "down"),
        # Only the last two periods with inspections count; empty periods are skipped.
        ([period("2024-01", "60"), period("2024-02", "80"), period("2024-03", "70")], "down"),
        ([period("2024-01", "80"), period("2024-02"), period("2024-03", "85")], "up"),
        ([period("2024-01", "70"), period("2024-02", "80"), period("2024-03")], "up"),
    ],
)
def test_trend(points: list[tuple[str, StoreRating]], expected: str) -> None:
    assert trend(points) == expected
