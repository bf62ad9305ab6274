"""The monthly visit planner: a table test per rule, then properties over generated regions."""

from __future__ import annotations

import calendar
import itertools
import random
import time
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from inspect_app.planning.planner import (
    OFF_PEAK,
    PEAK,
    Inspector,
    Plan,
    PlannedVisit,
    StoreNeed,
    is_balanced,
    plan_month,
)
from inspect_app.planning.problems import PlanProblem, ProblemKind

A, B, C = 101, 102, 103


def visits_by_store(plan: Plan) -> dict[int, list[PlannedVisit]]:
    """Group a plan's visits by store, each store's in window order."""
    grouped: dict[int, list[PlannedVisit]] = {}
    for visit in sorted(plan.visits, key=lambda v: (v.store_id, v.window_start)):
        grouped.setdefault(visit.store_id, []).append(visit)
    return grouped


def loads_of(plan: Plan, inspectors: Sequence[Inspector]) -> dict[int, int]:
    """Count each inspector's visits, zero included."""
    counted = Counter(visit.inspector_id for visit in plan.visits)
    return {i.inspector_id: counted[i.inspector_id] for i in inspectors}


def inspectors_in_order(plan: Plan, store_id: int) -> list[int]:
    """Return the store's inspectors in window order."""
    return [visit.inspector_id for visit in visits_by_store(plan)[store_id]]


def repeated_stores(plan: Plan, stores: Sequence[StoreNeed]) -> set[int]:
    """Return the stores visited by the same inspector twice in a row, last month's included."""
    grouped = visits_by_store(plan)
    repeated = set()
    for need in stores:
        order = [v.inspector_id for v in grouped.get(need.store_id, [])]
        if any(a == b for a, b in zip([need.last_inspector_id, *order], order, strict=False)):
            repeated.add(need.store_id)
    return repeated


REPEATS = {ProblemKind.LONE_INSPECTOR_REPEATS, ProblemKind.CAPACITY_FORCES_REPEATS}


def says(plan: Plan, region_id: int, kinds: set[ProblemKind]) -> bool:
    """Tell whether the plan reports a problem of one of these kinds about the region."""
    return any(p.region_id == region_id and p.kind in kinds for p in plan.problems)


@pytest.mark.parametrize(
    ("year", "month", "visits", "lengths"),
    [
        (2026, 3, 1, [31]),
        (2026, 2, 4, [7, 7, 7, 7]),
        (2024, 2, 3, [9, 10, 10]),
        (2026, 3, 5, [6, 6, 6, 6, 7]),
        (2026, 4, 6, [5, 5, 5, 5, 5, 5]),
        (2026, 12, 31, [1] * 31),
    ],
)
def test_windows_split_the_month_into_near_equal_consecutive_parts(
    year: int, month: int, visits: int, lengths: list[int]
) -> None:
    plan = plan_month(year, month, [StoreNeed(1, 1, visits)], [Inspector(A, 1), Inspector(B, 1)])
    windows = [(v.window_start, v.window_end) for v in visits_by_store(plan)[1]]
    assert windows[0][0] == date(year, month, 1)
    assert windows[-1][1] == date(year, month, calendar.monthrange(year, month)[1])
    for (_, end), (start, _) in itertools.pairwise(windows):
        assert start == end + timedelta(days=1)
    assert sorted((end - start).days + 1 for start, end in windows) == lengths
    assert plan.problems == ()


def test_later_windows_start_on_different_weekdays_across_the_region() -> None:
    # March 2026 has 31 days: two windows of 15 and 16 days start the second on the 16th or 17th.
    stores = [StoreNeed(s, 1, 2) for s in range(1, 9)]
    plan = plan_month(2026, 3, stores, [Inspector(A, 1), Inspector(B, 1)])
    second_starts = Counter(visits_by_store(plan)[s.store_id][1].window_start for s in stores)
    assert second_starts == {date(2026, 3, 16): 4, date(2026, 3, 17): 4}


def test_visits_alternate_peak_and_off_peak() -> None:
    stores = [StoreNeed(1, 1, 2), StoreNeed(2, 1, 3), StoreNeed(3, 1, 1), StoreNeed(4, 1, 1)]
    plan = plan_month(2026, 5, stores, [Inspector(A, 1), Inspector(B, 1)])
    slots = {s: [v.time_slot for v in visits] for s, visits in visits_by_store(plan).items()}
    assert sorted(slots[1]) == [OFF_PEAK, PEAK]
    assert slots[2] in ([PEAK, OFF_PEAK, PEAK], [OFF_PEAK, PEAK, OFF_PEAK])
    # The odd quotas lean to the slot the region is short of, so the region ends up even.
    by_slot = Counter(v.time_slot for v in plan.visits)
    assert abs(by_slot[PEAK] - by_slot[OFF_PEAK]) == 1


def test_two_inspectors_take_turns_starting_after_last_months_inspector() -> None:
    plan = plan_month(
        2026, 6, [StoreNeed(1, 1, 6, last_inspector_id=A)], [Inspector(A, 1), Inspector(B, 1)]
    )
    assert inspectors_in_order(plan, 1) == [B, A, B, A, B, A]
    assert plan.problems == ()


def test_a_lone_inspector_repeats_and_says_so() -> None:
    stores = [StoreNeed(1, 1, 2), StoreNeed(2, 1, 1, last_inspector_id=A), StoreNeed(3, 1, 1)]
    plan = plan_month(2026, 6, stores, [Inspector(A, 1)])
    assert [len(v) for v in visits_by_store(plan).values()] == [2, 1, 1]
    assert plan.problems == (
        PlanProblem(
            ProblemKind.LONE_INSPECTOR_REPEATS, region_id=1, store_ids=(1, 2), inspector_id=A
        ),
    )


def test_a_lone_inspector_without_a_repeat_is_no_problem() -> None:
    plan = plan_month(2026, 6, [StoreNeed(1, 1, 1, last_inspector_id=B)], [Inspector(A, 1)])
    assert inspectors_in_order(plan, 1) == [A]
    assert plan.problems == ()


def test_a_region_without_inspectors_gets_no_visits_and_a_problem() -> None:
    stores = [StoreNeed(1, 1, 2), StoreNeed(2, 2, 1), StoreNeed(3, 2, 2), StoreNeed(4, 3, 0)]
    plan = plan_month(2026, 7, stores, [Inspector(A, 1), Inspector(B, 1)])
    assert set(visits_by_store(plan)) == {1}
    assert plan.problems == (PlanProblem(ProblemKind.NO_INSPECTORS, region_id=2, visits=3),)


def test_capacity_shortfall_cuts_the_largest_quotas_and_plans_what_fits() -> None:
    stores = [StoreNeed(s, 3, 6) for s in range(1, 7)] + [StoreNeed(7, 3, 4)]
    inspectors = [Inspector(A, 3, 10), Inspector(B, 3, 10), Inspector(C, 3, 12)]
    plan = plan_month(2026, 8, stores, inspectors)
    counts = Counter(v.store_id for v in plan.visits)
    assert sum(counts.values()) == 32
    assert sorted(counts.values()) == [4, 4, 4, 5, 5, 5, 5]
    assert counts[7] == 4
    assert loads_of(plan, inspectors) == {A: 10, B: 10, C: 12}
    assert plan.problems == (
        PlanProblem(ProblemKind.OVER_CAPACITY, region_id=3, visits=40, capacity=32),
        PlanProblem(
            ProblemKind.QUOTAS_CUT,
            region_id=3,
            store_ids=(1, 2, 3, 4, 5, 6),
            visits=32,
            most=5,
        ),
    )


def test_capacities_fill_up_and_the_rest_stays_balanced() -> None:
    stores = [StoreNeed(1, 1, 4), StoreNeed(2, 1, 3), StoreNeed(3, 1, 3)]
    inspectors = [Inspector(A, 1, 2), Inspector(B, 1), Inspector(C, 1, 9)]
    plan = plan_month(2026, 9, stores, inspectors)
    assert loads_of(plan, inspectors) == {A: 2, B: 4, C: 4}
    assert plan.problems == ()


def test_capacity_that_leaves_no_way_around_a_repeat_plans_it_and_says_so() -> None:
    inspectors = [Inspector(A, 1), Inspector(B, 1, capacity=1)]
    plan = plan_month(2026, 9, [StoreNeed(1, 1, 6)], inspectors)
    assert loads_of(plan, inspectors) == {A: 5, B: 1}
    assert plan.problems == (
        PlanProblem(ProblemKind.CAPACITY_FORCES_REPEATS, region_id=1, store_ids=(1,)),
    )


def test_no_repeat_wins_over_balance_and_the_spread_is_reported() -> None:
    stores = [StoreNeed(1, 1, 1, last_inspector_id=B), StoreNeed(2, 1, 1, last_inspector_id=B)]
    plan = plan_month(2026, 10, stores, [Inspector(A, 1), Inspector(B, 1)])
    assert [v.inspector_id for v in plan.visits] == [A, A]
    assert plan.problems == (PlanProblem(ProblemKind.UNBALANCED, region_id=1, fewest=0, most=2),)


def test_the_spread_is_kept_as_small_as_the_no_repeat_rule_allows() -> None:
    # Store 1 needs A, B, A or B, A, B: only its last inspector decides which, so A does 2 of
    # store 1's visits; stores 2 and 3 then go to B and C and everyone makes 2 or 1.
    stores = [
        StoreNeed(1, 1, 3, last_inspector_id=B),
        StoreNeed(2, 1, 1, last_inspector_id=A),
        StoreNeed(3, 1, 1, last_inspector_id=A),
    ]
    inspectors = [Inspector(A, 1), Inspector(B, 1), Inspector(C, 1)]
    plan = plan_month(2026, 10, stores, inspectors)
    assert max(loads_of(plan, inspectors).values()) == 2
    assert is_balanced(inspectors, loads_of(plan, inspectors))
    assert plan.problems == ()


def test_bad_entries_become_problems_not_exceptions() -> None:
    stores = [StoreNeed(1, 1, 2), StoreNeed(1, 1, 5), StoreNeed(2, 1, -1)]
    inspectors = [Inspector(A, 1, capacity=-3), Inspector(A, 2), Inspector(B, 1)]
    plan = plan_month(2026, 11, stores, inspectors)
    assert Counter(v.store_id for v in plan.visits) == {1: 2}
    assert {v.inspector_id for v in plan.visits} == {B}
    assert plan.problems == (
        PlanProblem(ProblemKind.DUPLICATE_STORE, store_ids=(1,)),
        PlanProblem(ProblemKind.NEGATIVE_QUOTA, store_ids=(2,), visits=-1),
        PlanProblem(ProblemKind.NEGATIVE_CAPACITY, inspector_id=A, capacity=-3),
        PlanProblem(ProblemKind.DUPLICATE_INSPECTOR, inspector_id=A),
        PlanProblem(ProblemKind.CAPACITY_FORCES_REPEATS, region_id=1, store_ids=(1,)),
    )


def test_more_visits_than_days_shares_days_but_meets_the_quota() -> None:
    plan = plan_month(2026, 2, [StoreNeed(1, 1, 30)], [Inspector(A, 1), Inspector(B, 1)])
    visits = visits_by_store(plan)[1]
    assert len(visits) == 30
    assert all(
        date(2026, 2, 1) <= v.window_start == v.window_end <= date(2026, 2, 28) for v in visits
    )
    assert plan.problems == (
        PlanProblem(
            ProblemKind.MORE_VISITS_THAN_DAYS, region_id=1, store_ids=(1,), visits=30, days=28
        ),
    )


def test_empty_input_is_an_empty_plan() -> None:
    assert plan_month(2026, 1, [], []) == Plan((), ())
    assert plan_month(2026, 1, [StoreNeed(1, 1, 0)], []) == Plan((), ())


def test_a_month_outside_the_calendar_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        plan_month(2026, 13, [], [])


def test_the_seed_only_breaks_ties() -> None:
    stores = [StoreNeed(s, 1, s % 5, last_inspector_id=[None, A, B][s % 3]) for s in range(30)]
    inspectors = [Inspector(A, 1), Inspector(B, 1), Inspector(C, 1)]
    plans = [plan_month(2026, 3, stores, inspectors, seed=seed) for seed in range(5)]
    assert len({plan.visits for plan in plans}) > 1
    for plan in plans:
        assert plan == plan_month(2026, 3, stores, inspectors, seed=plans.index(plan))
        assert Counter(v.store_id for v in plan.visits) == {
            s.store_id: s.visits for s in stores if s.visits
        }
        assert sorted(loads_of(plan, inspectors).values()) == sorted(
            loads_of(plans[0], inspectors).values()
        )
        assert plan.problems == ()


def test_a_national_plan_takes_seconds() -> None:
    rng = random.Random(7)
    inspectors = [Inspector(i, i % 31) for i in range(400)]
    staff = {r: [i.inspector_id for i in inspectors if i.region_id == r] for r in range(31)}
    stores = [
        StoreNeed(s, s % 31, rng.randint(0, 6), rng.choice([None, *staff[s % 31]]))
        for s in range(30_000)
    ]
    started = time.perf_counter()
    plan = plan_month(2026, 3, stores, inspectors)
    assert time.perf_counter() - started < 20
    assert len(plan.visits) == sum(s.visits for s in stores)
    assert not repeated_stores(plan, stores)


# Properties over generated regions ------------------------------------------------------------


@st.composite
def regions_st(
    draw: st.DrawFn,
    capacities: bool = True,
    last_inspectors: bool = True,
    fewest_inspectors: int = 1,
) -> tuple[list[StoreNeed], list[Inspector]]:
    """Draw 1-3 regions: 1-8 inspectors each, stores with quotas 0-6, last inspectors, capacities."""
    stores: list[StoreNeed] = []
    inspectors: list[Inspector] = []
    for region in range(1, draw(st.integers(1, 3)) + 1):
        ids = [100 * region + j for j in range(draw(st.integers(fewest_inspectors, 8)))]
        limit = st.none() | st.integers(0, 12) if capacities else st.none()
        inspectors += [Inspector(i, region, draw(limit)) for i in ids]
        last = st.none() | st.sampled_from([*ids, 999]) if last_inspectors else st.none()
        for s in range(draw(st.integers(0, 8))):
            stores.append(StoreNeed(100 * region + s, region, draw(st.integers(0, 6)), draw(last)))
    return stores, inspectors


months_st = st.tuples(st.integers(2000, 2100), st.integers(1, 12))


def check_rules(
    plan: Plan, year: int, month: int, stores: list[StoreNeed], inspectors: list[Inspector]
) -> None:
    """Assert every rule that holds whatever the input: quota, windows, slots, capacity, reports."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    grouped = visits_by_store(plan)
    region_of = {i.inspector_id: i.region_id for i in inspectors}
    for region in {s.region_id for s in stores}:
        needs = [s for s in stores if s.region_id == region]
        staff = [i for i in inspectors if i.region_id == region]
        wanted = sum(s.visits for s in needs)
        capacity = (
            None if any(i.capacity is None for i in staff) else sum(i.capacity or 0 for i in staff)
        )
        planned = {s.store_id: len(grouped.get(s.store_id, [])) for s in needs}
        if not staff:
            assert sum(planned.values()) == 0
            assert (
                PlanProblem(ProblemKind.NO_INSPECTORS, region_id=region, visits=wanted)
                in plan.problems
            ) is (wanted > 0)
        elif capacity is None or capacity >= wanted:
            assert planned == {s.store_id: s.visits for s in needs}
        else:
            assert sum(planned.values()) == capacity
            assert all(planned[s.store_id] <= s.visits for s in needs)
            assert (
                PlanProblem(
                    ProblemKind.OVER_CAPACITY, region_id=region, visits=wanted, capacity=capacity
                )
                in plan.problems
            )
        loads = loads_of(plan, staff)
        assert all(i.capacity is None or loads[i.inspector_id] <= i.capacity for i in staff)
        assert is_balanced(staff, loads) or says(plan, region, {ProblemKind.UNBALANCED})
        if repeated_stores(plan, needs):
            assert says(plan, region, REPEATS)
            assert len(staff) == 1 or any(i.capacity is not None for i in staff)
        for need in needs:
            visits = grouped.get(need.store_id, [])
            assert all(region_of[v.inspector_id] == region for v in visits)
            assert all(first <= v.window_start <= v.window_end <= last for v in visits)
            for before, after in itertools.pairwise(visits):
                assert after.window_start == before.window_end + timedelta(days=1)
            if visits:
                assert visits[0].window_start == first and visits[-1].window_end == last
                lengths = [(v.window_end - v.window_start).days for v in visits]
                assert max(lengths) - min(lengths) <= 1
            if len(visits) >= 2:
                assert {v.time_slot for v in visits} == {PEAK, OFF_PEAK}


@given(regions_st(fewest_inspectors=0), months_st, st.integers(0, 3))
def test_generated_plans_keep_every_rule(
    regions: tuple[list[StoreNeed], list[Inspector]], year_month: tuple[int, int], seed: int
) -> None:
    stores, inspectors = regions
    plan = plan_month(*year_month, stores, inspectors, seed=seed)
    check_rules(plan, *year_month, stores, inspectors)


@given(regions_st(capacities=False), months_st)
def test_without_capacities_two_inspectors_never_repeat_and_quotas_are_met(
    regions: tuple[list[StoreNeed], list[Inspector]], year_month: tuple[int, int]
) -> None:
    stores, inspectors = regions
    plan = plan_month(*year_month, stores, inspectors)
    for need in stores:
        staff = [i for i in inspectors if i.region_id == need.region_id]
        assert len(visits_by_store(plan).get(need.store_id, [])) == need.visits
        if len(staff) >= 2:
            assert need.store_id not in repeated_stores(plan, [need])
    for region in {i.region_id for i in inspectors}:
        loads = loads_of(plan, [i for i in inspectors if i.region_id == region])
        assert max(loads.values()) - min(loads.values()) <= 1 or says(
            plan, region, {ProblemKind.UNBALANCED}
        )


@given(regions_st(capacities=False, last_inspectors=False), months_st)
def test_without_last_inspectors_loads_are_always_within_one(
    regions: tuple[list[StoreNeed], list[Inspector]], year_month: tuple[int, int]
) -> None:
    stores, inspectors = regions
    plan = plan_month(*year_month, stores, inspectors)
    for region in {i.region_id for i in inspectors}:
        staff = [i for i in inspectors if i.region_id == region]
        loads = loads_of(plan, staff)
        assert max(loads.values()) - min(loads.values()) <= 1
    assert all(p.kind is ProblemKind.LONE_INSPECTOR_REPEATS for p in plan.problems)


def sequences(k: int, ids: list[int], last: int | None) -> list[tuple[int, ...]]:
    """Every order of k visits with no inspector twice in a row, last month's included."""
    return [
        seq
        for seq in itertools.product(ids, repeat=k)
        if all(a != b for a, b in zip((last, *seq), seq, strict=False))
    ]


@given(st.data())
def test_a_balanced_plan_without_repeats_is_found_whenever_one_exists(data: st.DataObject) -> None:
    ids = [A, B, C][: data.draw(st.integers(2, 3))]
    inspectors = [Inspector(i, 1, data.draw(st.none() | st.integers(0, 4))) for i in ids]
    stores = [
        StoreNeed(s, 1, data.draw(st.integers(0, 3)), data.draw(st.none() | st.sampled_from(ids)))
        for s in range(data.draw(st.integers(1, 3)))
    ]
    capacity = [i.capacity for i in inspectors]
    assume(None in capacity or sum(c or 0 for c in capacity) >= sum(s.visits for s in stores))
    no_repeat_loads = []
    for combo in itertools.product(
        *(sequences(s.visits, ids, s.last_inspector_id) for s in stores)
    ):
        counted = Counter(itertools.chain.from_iterable(combo))
        loads = {i.inspector_id: counted[i.inspector_id] for i in inspectors}
        if all(i.capacity is None or loads[i.inspector_id] <= i.capacity for i in inspectors):
            no_repeat_loads.append(loads)
    plan = plan_month(2026, 1, stores, inspectors)
    if no_repeat_loads:
        assert not repeated_stores(plan, stores)
    if any(is_balanced(inspectors, loads) for loads in no_repeat_loads):
        assert is_balanced(inspectors, loads_of(plan, inspectors))
        assert plan.problems == ()


@given(regions_st(), months_st, st.integers(0, 1000), st.randoms(use_true_random=False))
def test_plans_are_deterministic_and_ignore_input_order(
    regions: tuple[list[StoreNeed], list[Inspector]],
    year_month: tuple[int, int],
    seed: int,
    shuffler: random.Random,
) -> None:
    stores, inspectors = regions
    plan = plan_month(*year_month, stores, inspectors, seed=seed)
    assert plan == plan_month(*year_month, list(stores), list(inspectors), seed=seed)
    shuffled_stores, shuffled_inspectors = list(stores), list(inspectors)
    shuffler.shuffle(shuffled_stores)
    shuffler.shuffle(shuffled_inspectors)
    assert plan == plan_month(*year_month, shuffled_stores, shuffled_inspectors, seed=seed)
