"""Staff results: tallies per person and hall, the score, the sample size and the ranks."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspect_app.checklists.definition import RatingRules
from inspect_app.scoring.ratings import (
    PersonItem,
    StaffRating,
    StaffTally,
    rank_staff,
    rate_staff,
    shown_percent,
    tally_staff,
)

D = Decimal
HUNDRED = D(100)


def rules(min_items: int = 10, veto_max_percent: str = "0") -> RatingRules:
    """The checklist's rating rules that staff results use: sample size and veto cap."""
    return RatingRules(
        star_thresholds=(D(0), D(60), D(75), D(85), D(95)),
        min_inspections=2,
        veto_max_percent=D(veto_max_percent),
        veto_max_stars=1,
        staff_min_items=min_items,
    )


RULES = rules()


def item(visit: int, hall: int, staff: int | None, earned: str, possible: str, failed=False,
         veto=False) -> PersonItem:  # fmt: skip
    return PersonItem(visit, hall, staff, D(earned), D(possible), failed, veto)


def tally(staff: int, hall: int, earned: str, possible: str, items: int = 10,
          vetoes: int = 0) -> StaffTally:  # fmt: skip
    return StaffTally(staff, hall, 1, items, D(earned), D(possible), vetoes, vetoes)


def test_a_tally_counts_distinct_visits_and_sums_points_per_person_and_hall():
    tallies = tally_staff(
        [
            item(1, 10, 7, "2", "2"),
            item(1, 10, 7, "0", "3", failed=True),
            item(2, 10, 7, "0", "5", failed=True, veto=True),
            item(3, 20, 7, "4", "4"),  # the same person at another hall: its own row
            item(3, 20, None, "0", "2", failed=True),  # not identified: nobody's
        ]
    )
    assert tallies == {
        (7, 10): StaffTally(7, 10, visits=2, person_items=3, earned=D(2), possible=D(10),
                            failed_items=2, veto_findings=1),
        (7, 20): StaffTally(7, 20, visits=1, person_items=1, earned=D(4), possible=D(4),
                            failed_items=0, veto_findings=0),
    }  # fmt: skip


def test_nobody_observed_gives_no_result_at_all():
    assert tally_staff([]) == {}
    assert tally_staff([item(1, 10, None, "0", "3", failed=True)]) == {}


@pytest.mark.parametrize(
    ("earned", "possible", "percent", "shown"),
    [
        ("7", "9", "77.778", "77.8"),
        ("2", "3", "66.667", "66.7"),
        ("4", "4", "100.000", "100.0"),
        ("0", "4", "0.000", "0.0"),
        ("13.33", "20", "66.650", "66.7"),  # shown half-up, not half-even
        ("0", "0", None, None),  # nothing possible: no score, no division by zero
    ],
)
def test_the_score_is_earned_over_possible(earned, possible, percent, shown):
    rating = rate_staff(tally(1, 1, earned, possible), region_id=1, rules=RULES)
    assert rating.percent == (None if percent is None else D(percent))
    assert shown_percent(rating.percent) == (None if shown is None else D(shown))


@pytest.mark.parametrize(("items", "enough"), [(9, False), (10, True), (25, True)])
def test_enough_from_the_checklists_minimum_of_person_items(items, enough):
    assert rate_staff(tally(1, 1, "5", "10", items), 1, RULES).is_enough is enough


def test_inconsistent_figures_are_refused():
    with pytest.raises(ValueError):
        rate_staff(StaffTally(1, 1, 1, 2, D(5), D(4), 0, 0), 1, RULES)  # earned above possible
    with pytest.raises(ValueError):
        rate_staff(StaffTally(1, 1, 1, 2, D(1), D(4), 1, 2), 1, RULES)  # more vetoes than failures


def test_ranks_are_competition_ranks_in_the_hall_and_the_region_and_skip_small_samples():
    rated = [
        rate_staff(tally(1, 10, "96", "100"), 1, RULES),
        rate_staff(tally(2, 10, "88", "100"), 1, RULES),
        rate_staff(tally(3, 10, "88", "100"), 1, RULES),
        rate_staff(tally(4, 11, "87", "100"), 1, RULES),
        rate_staff(tally(5, 10, "99", "100", items=3), 1, RULES),  # too few: listed, not ranked
        rate_staff(tally(6, 12, "50", "100"), 2, RULES),  # another region
    ]
    ranks = {
        r.tally.staff_id: (r.rank_in_hall, r.ranked_in_hall, r.rank_in_region, r.ranked_in_region)
        for r in rank_staff(rated)
    }
    assert ranks == {
        1: (1, 3, 1, 4),
        2: (2, 3, 2, 4),
        3: (2, 3, 2, 4),
        4: (1, 1, 4, 4),
        5: (None, 0, None, 0),
        6: (1, 1, 1, 1),
    }


def test_a_person_appears_once_per_hall_when_ranked():
    row = rate_staff(tally(1, 10, "5", "10"), 1, RULES)
    with pytest.raises(ValueError):
        rank_staff([row, row])


@st.composite
def person_items(draw) -> PersonItem:
    """A person-item; a failed one is sometimes a veto item (a veto is always a failure)."""
    failed = draw(st.booleans())
    return item(
        visit=draw(st.integers(1, 6)),
        hall=draw(st.integers(1, 3)),
        staff=draw(st.one_of(st.none(), st.integers(1, 5))),
        earned=draw(st.sampled_from(["0", "1", "2.5", "3"])),
        possible="3",
        failed=failed,
        veto=failed and draw(st.integers(0, 4)) == 0,
    )


@given(
    st.lists(person_items(), max_size=40),
    st.integers(1, 12),
    st.sampled_from(["0", "0", "40", "100"]),
)
def test_tallies_add_up_to_every_identified_item_and_ranks_are_consistent(items, min_items, cap):
    tallies = tally_staff(items)
    identified = [i for i in items if i.staff_id is not None]
    assert sum(t.person_items for t in tallies.values()) == len(identified)
    assert sum((t.earned for t in tallies.values()), D(0)) == sum(
        (i.earned for i in identified), D(0)
    )
    assert sum(t.failed_items for t in tallies.values()) == sum(i.failed for i in identified)
    for t in tallies.values():
        assert 1 <= t.visits <= t.person_items
    assert sum(t.veto_findings for t in tallies.values()) == sum(i.veto_failed for i in identified)
    rated = rank_staff(rate_staff(t, region_id=t.store_id % 2, rules=rules(min_items, cap))
                       for t in tallies.values())  # fmt: skip
    for r in rated:
        assert r.percent is not None and D(0) <= r.percent <= D(100)
        before = r.percent_before_cap
        exact = HUNDRED * r.tally.earned / r.tally.possible
        assert before == exact.quantize(D("0.001"), rounding=ROUND_HALF_UP)
        # The veto cap: min(score, cap) with a veto finding; the score itself without one.
        assert r.percent == (min(before, D(cap)) if r.tally.veto_findings else before)
        assert r.is_capped_by_veto is (r.percent < before)
        assert r.is_enough is (r.tally.person_items >= min_items)
        if not r.is_enough:
            assert (r.rank_in_hall, r.rank_in_region) == (None, None)
            continue
        assert r.rank_in_hall is not None and r.rank_in_region is not None
        assert 1 <= r.rank_in_hall <= r.rank_in_region <= r.ranked_in_region
        better = [o for o in rated if o.is_ranked and o.region_id == r.region_id
                  and o.percent > r.percent]  # fmt: skip
        assert r.rank_in_region == len(better) + 1


def test_a_rating_keeps_its_tally():
    t = tally(3, 4, "6", "8")
    assert rate_staff(t, 9, RULES) == StaffRating(t, 9, D("75.000"), D("75.000"), 10, True)


def test_a_veto_finding_caps_the_score_and_keeps_the_score_before_the_cap():
    # The trial: 谢婷, 37 of 40 points (92.5 %) with one veto finding.
    capped = rate_staff(tally(1, 1, "37", "40", vetoes=1), 1, RULES)
    assert (capped.percent, capped.percent_before_cap) == (D("0.000"), D("92.500"))
    assert capped.is_capped_by_veto and capped.is_enough and capped.is_ranked
    # The checklist's cap applies, whatever it is; a score already below it stays as it is.
    at_half = rate_staff(tally(1, 1, "37", "40", vetoes=1), 1, rules(veto_max_percent="50"))
    assert (at_half.percent, at_half.percent_before_cap) == (D("50.000"), D("92.500"))
    below = rate_staff(tally(1, 1, "16", "40", vetoes=1), 1, rules(veto_max_percent="50"))
    assert (below.percent, below.percent_before_cap) == (D("40.000"), D("40.000"))
    assert not below.is_capped_by_veto
    # No veto finding: nothing capped, even with failed items.
    failed = rate_staff(StaffTally(1, 1, 1, 10, D(37), D(40), 2, 0), 1, RULES)
    assert failed.percent == failed.percent_before_cap == D("92.500")
    assert not failed.is_capped_by_veto


def test_a_capped_result_ranks_by_its_capped_score_in_the_hall_and_the_region():
    rated = {
        r.tally.staff_id: r
        for r in rank_staff(
            [
                rate_staff(tally(1, 10, "38", "40"), 1, RULES),  # 95 %
                rate_staff(tally(2, 10, "37", "40", vetoes=1), 1, RULES),  # 92.5 %, a veto
                rate_staff(tally(3, 10, "32", "40"), 1, RULES),  # 80 %
                rate_staff(tally(4, 11, "34", "40"), 1, RULES),  # 85 %, same region
            ]
        )
    }
    hall = {n: (r.rank_in_hall, r.ranked_in_hall) for n, r in rated.items() if n != 4}
    assert hall == {1: (1, 3), 3: (2, 3), 2: (3, 3)}
    assert [rated[n].rank_in_region for n in (1, 4, 3, 2)] == [1, 2, 3, 4]
