"""Store ratings and ranking: properties over generated inspection percentages and rules."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from inspect_app.checklists.definition import RatingRules
from inspect_app.scoring.ratings import (
    PeriodStats,
    RankedStore,
    StoreRating,
    rank_stores,
    rate_store,
)

#: Stored inspection percentages: Numeric(6, 3) from 0 to 100.
percents_st = st.integers(0, 100_000).map(lambda thousandths: Decimal(thousandths).scaleb(-3))
percent_lists = st.lists(percents_st, min_size=1, max_size=30)


@st.composite
def rules_st(draw: st.DrawFn) -> RatingRules:
    """Draw valid rating rules: increasing thresholds from 0, any minimum and veto cap."""
    upper = draw(st.lists(st.integers(1, 100_000), min_size=4, max_size=4, unique=True))
    thresholds = (Decimal(0), *(Decimal(t).scaleb(-3) for t in sorted(upper)))
    return RatingRules(
        star_thresholds=thresholds,
        min_inspections=draw(st.integers(1, 10)),
        veto_max_percent=draw(percents_st),
        veto_max_stars=draw(st.integers(1, 5)),
    )


def rate(percents: list[Decimal], rules: RatingRules, vetoed: list[bool] | None = None):
    """Rate a period of these percentages, none vetoed unless `vetoed` says so."""
    flags = vetoed if vetoed is not None else [False] * len(percents)
    return rate_store(PeriodStats.from_percents(percents, flags), rules)


@given(percent_lists, rules_st(), st.data())
def test_mean_lies_within_the_inputs_and_stars_within_one_to_five(
    percents: list[Decimal], rules: RatingRules, data: st.DataObject
) -> None:
    vetoed = data.draw(st.lists(st.booleans(), min_size=len(percents), max_size=len(percents)))
    rating = rate(percents, rules, vetoed)
    assert rating.mean_percent is not None
    assert min(percents) <= rating.mean_percent <= max(percents)
    assert rating.stars is not None and 1 <= rating.stars <= 5
    assert rating.stars_before_cap is not None and 1 <= rating.stars_before_cap <= 5
    assert rating.stars <= rating.stars_before_cap
    assert rating.enough_inspections is (len(percents) >= rules.min_inspections)


@given(percent_lists, rules_st())
def test_interval_holds_the_mean_inside_zero_to_hundred(
    percents: list[Decimal], rules: RatingRules
) -> None:
    rating = rate(percents, rules)
    if len(percents) < 2:
        assert rating.ci_low is None and rating.ci_high is None and rating.is_uncertain
        return
    assert rating.ci_low is not None and rating.ci_high is not None
    assert rating.mean_percent is not None
    assert Decimal(0) <= rating.ci_low <= rating.mean_percent <= rating.ci_high <= Decimal(100)
    bands_differ = rules.stars_for(rating.ci_low) != rules.stars_for(rating.ci_high)
    assert rating.is_uncertain is bands_differ


@given(percent_lists, rules_st(), st.data())
def test_a_veto_never_raises_the_stars(
    percents: list[Decimal], rules: RatingRules, data: st.DataObject
) -> None:
    vetoed = data.draw(st.lists(st.booleans(), min_size=len(percents), max_size=len(percents)))
    index = data.draw(st.integers(0, len(percents) - 1))
    before = rate(percents, rules, vetoed)
    # The same inspection found vetoed: flagged, and its percentage capped as scoring does.
    more_vetoed = [*vetoed[:index], True, *vetoed[index + 1 :]]
    capped = [
        *percents[:index],
        min(percents[index], rules.veto_max_percent),
        *percents[index + 1 :],
    ]
    for after in (rate(percents, rules, more_vetoed), rate(capped, rules, more_vetoed)):
        assert after.stars is not None and before.stars is not None
        assert after.stars <= before.stars


@given(percent_lists, rules_st(), st.data())
def test_raising_every_percent_never_lowers_the_stars(
    percents: list[Decimal], rules: RatingRules, data: st.DataObject
) -> None:
    raises = data.draw(st.lists(percents_st, min_size=len(percents), max_size=len(percents)))
    higher = [min(p + r, Decimal(100)) for p, r in zip(percents, raises, strict=True)]
    before, after = rate(percents, rules), rate(higher, rules)
    assert before.stars is not None and after.stars is not None
    assert after.stars >= before.stars


@given(st.lists(percents_st, min_size=2, max_size=20), rules_st(), st.integers(2, 4))
def test_more_inspections_with_the_same_values_never_widen_the_interval(
    percents: list[Decimal], rules: RatingRules, copies: int
) -> None:
    before, after = rate(percents, rules), rate(percents * copies, rules)
    assert before.mean_percent == after.mean_percent
    assert before.ci_low is not None and before.ci_high is not None
    assert after.ci_low is not None and after.ci_high is not None
    assert before.ci_low <= after.ci_low and after.ci_high <= before.ci_high


@given(percent_lists, rules_st(), st.data())
def test_rating_ignores_the_order_of_inspections(
    percents: list[Decimal], rules: RatingRules, data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(percents))
    assert rate(shuffled, rules) == rate(percents, rules)


ratings_st = st.builds(
    lambda percents, rules: rate(percents, rules),
    st.lists(percents_st, max_size=3),
    st.just(RatingRules(tuple(Decimal(t) for t in (0, 60, 75, 85, 95)), 2, Decimal(0), 1)),
)


@given(st.lists(st.tuples(st.integers(1, 3), ratings_st), max_size=12))
def test_ranks_are_competition_ranks_and_never_better_overall_than_in_region(
    stores: list[tuple[int, StoreRating]],
) -> None:
    rows = [RankedStore(i, region, rating) for i, (region, rating) in enumerate(stores)]
    ranks = rank_stores(rows)
    assert set(ranks) == {row.store_id for row in rows}
    rated = [row for row in rows if row.rating.count > 0]
    for row in rows:
        in_region, overall = ranks[row.store_id]
        if row.rating.count == 0:
            assert (in_region, overall) == (None, None)
            continue
        assert in_region is not None and overall is not None
        assert 1 <= in_region <= overall
        better = [other for other in rated if rank_key(other) > rank_key(row)]
        assert overall == len(better) + 1


def rank_key(row: RankedStore) -> tuple[int, Decimal]:
    """Return what ranking compares: stars, then mean."""
    return row.rating.stars or 0, row.rating.mean_percent or Decimal(0)
