"""Plan a month of mystery-shopper visits: which inspector visits which store, when, at what time.

Pure: store needs and inspectors in, a frozen plan out; no Flask, no database. The same input and
seed give the same plan; the seed only breaks ties. Nothing infeasible raises: the plan comes as
close as it can and says what it missed in `Plan.problems`, as data (planning.problems) that the
plan page words in the reader's language. Per region:

- **Quota.** Each store gets exactly `visits` visits, by inspectors of its own region. When the
  capacities fall short, the largest quotas give up visits first and the region is reported.
- **Windows.** k visits get k consecutive, disjoint windows covering the month, their lengths
  within a day of each other; which ones are a day longer is chosen so that, across the region,
  windows start on the weekdays used least so far.
- **Slots.** Visits alternate peak and off-peak in window order, so a store with two or more
  visits gets both; an odd quota leans to the slot the region has fewer of.
- **No repeat.** Consecutive visits of a store, and its first after `last_inspector_id`, have
  different inspectors. Only a lone inspector, or capacities that leave no way around it, make a
  repeat; it is then planned and reported.
- **Balance.** Loads stay within one visit of each other, except that an inspector stops at its
  capacity. Where the no-repeat rule makes that impossible (both stores of a two-inspector region
  last visited by the same one), the rule wins: the largest load is made as small as it can be,
  then the smallest as large, and the spread is reported.

How: stores with the same quota k and last inspector are interchangeable, so a max flow from such
classes to inspectors decides who makes how many of each class's visits. A store's visits can be
ordered with no inspector following itself exactly when nobody has more than ceil(k/2) of them,
or floor(k/2) for the last inspector; those are the flow's edge capacities, so the result is
exact (planning.flow). Counts are dealt evenly to the class's stores, then each store's visits
are ordered.
"""

from __future__ import annotations

import calendar
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import accumulate

from inspect_app.planning.flow import Router, highest
from inspect_app.planning.problems import PlanProblem, ProblemKind

PEAK, OFF_PEAK = "peak", "off_peak"
SLOTS = (PEAK, OFF_PEAK)


@dataclass(frozen=True)
class StoreNeed:
    store_id: int
    region_id: int
    visits: int  # visits this store needs this month (>= 0)
    #: Who made the store's last visit before this month, for the no-repeat rule.
    last_inspector_id: int | None = None


@dataclass(frozen=True)
class Inspector:
    inspector_id: int
    region_id: int
    capacity: int | None = None  # most visits in the month; None = no limit


@dataclass(frozen=True)
class PlannedVisit:
    store_id: int
    inspector_id: int
    window_start: date
    window_end: date  # inclusive
    time_slot: str  # PEAK or OFF_PEAK


@dataclass(frozen=True)
class Plan:
    visits: tuple[PlannedVisit, ...]  # by store, then window
    problems: tuple[PlanProblem, ...]  # what could not be met, in the order it was found


def plan_month(
    year: int,
    month: int,
    stores: Sequence[StoreNeed],
    inspectors: Sequence[Inspector],
    seed: int = 0,
) -> Plan:
    """Plan the month's visits region by region, reporting what cannot be met instead of raising."""
    first = date(year, month, 1)  # a month outside 1..12 is a caller's bug: ValueError
    problems: list[PlanProblem] = []
    needs_by_region: dict[int, list[StoreNeed]] = {}
    for need in _valid_needs(stores, problems):
        needs_by_region.setdefault(need.region_id, []).append(need)
    staff_by_region: dict[int, list[Inspector]] = {}
    for inspector in _valid_inspectors(inspectors, problems):
        staff_by_region.setdefault(inspector.region_id, []).append(inspector)
    visits: list[PlannedVisit] = []
    for region_id in sorted(needs_by_region):
        rng = random.Random(f"{seed}:{region_id}")  # a str seed hashes the same in every process
        staff = staff_by_region.get(region_id, [])
        visits += _plan_region(region_id, needs_by_region[region_id], staff, first, rng, problems)
    visits.sort(key=lambda visit: (visit.store_id, visit.window_start))
    return Plan(tuple(visits), tuple(problems))


def _valid_needs(stores: Sequence[StoreNeed], problems: list[PlanProblem]) -> list[StoreNeed]:
    """Keep each store's first entry with a quota of zero or more, by store id; report the rest."""
    seen: set[int] = set()
    kept: list[StoreNeed] = []
    for need in stores:
        if need.store_id in seen:
            problems.append(PlanProblem(ProblemKind.DUPLICATE_STORE, store_ids=(need.store_id,)))
        elif need.visits < 0:
            problems.append(
                PlanProblem(
                    ProblemKind.NEGATIVE_QUOTA, store_ids=(need.store_id,), visits=need.visits
                )
            )
        else:
            kept.append(need)
        seen.add(need.store_id)
    return sorted(kept, key=lambda need: need.store_id)


def _valid_inspectors(
    inspectors: Sequence[Inspector], problems: list[PlanProblem]
) -> list[Inspector]:
    """Keep each inspector's first entry, a negative capacity read as 0, by id; report the rest."""
    kept: dict[int, Inspector] = {}
    for inspector in inspectors:
        if inspector.inspector_id in kept:
            problems.append(
                PlanProblem(ProblemKind.DUPLICATE_INSPECTOR, inspector_id=inspector.inspector_id)
            )
            continue
        if inspector.capacity is not None and inspector.capacity < 0:
            problems.append(
                PlanProblem(
                    ProblemKind.NEGATIVE_CAPACITY,
                    inspector_id=inspector.inspector_id,
                    capacity=inspector.capacity,
                )
            )
            inspector = replace(inspector, capacity=0)
        kept[inspector.inspector_id] = inspector
    return [kept[key] for key in sorted(kept)]


def _plan_region(
    region_id: int,
    needs: list[StoreNeed],
    staff: list[Inspector],
    first: date,
    rng: random.Random,
    problems: list[PlanProblem],
) -> list[PlannedVisit]:
    """Plan one region's visits; needs are sorted by store id."""
    wanted = sum(need.visits for need in needs)
    if wanted == 0:
        return []
    if not staff:
        problems.append(PlanProblem(ProblemKind.NO_INSPECTORS, region_id=region_id, visits=wanted))
        return []
    counts = _fit_to_capacity(region_id, needs, staff, rng, problems)
    sequences, loads = _assign_inspectors(needs, counts, staff, rng)
    _report_assignment(region_id, needs, staff, sequences, loads, problems)

    days = calendar.monthrange(first.year, first.month)[1]
    weekday_use = [0] * 7
    peak_surplus, toggle = 0, rng.randrange(2)
    visits: list[PlannedVisit] = []
    for need in needs:
        k = counts[need.store_id]
        if k == 0:
            continue
        if k > days:
            problems.append(
                PlanProblem(
                    ProblemKind.MORE_VISITS_THAN_DAYS,
                    region_id=region_id,
                    store_ids=(need.store_id,),
                    visits=k,
                    days=days,
                )
            )
        # An odd quota gives its extra visit to the slot the region is short of.
        phase = toggle if k % 2 == 0 or peak_surplus == 0 else int(peak_surplus > 0)
        peak_surplus += (k % 2) * (1 if phase == 0 else -1)
        toggle ^= 1
        windows = _windows(first, days, k, weekday_use, rng)
        for index, ((start, end), inspector_id) in enumerate(
            zip(windows, sequences[need.store_id], strict=True)
        ):
            slot = SLOTS[(phase + index) % 2]
            visits.append(PlannedVisit(need.store_id, inspector_id, start, end, slot))
    return visits


def _fit_to_capacity(
    region_id: int,
    needs: list[StoreNeed],
    staff: list[Inspector],
    rng: random.Random,
    problems: list[PlanProblem],
) -> dict[int, int]:
    """Return each store's planned count: its quota, or less when capacity runs short."""
    counts = {need.store_id: need.visits for need in needs}
    wanted = sum(counts.values())
    if any(inspector.capacity is None for inspector in staff):
        return counts
    capacity = sum(inspector.capacity or 0 for inspector in staff)
    if capacity >= wanted:
        return counts
    problems.append(
        PlanProblem(
            ProblemKind.OVER_CAPACITY, region_id=region_id, visits=wanted, capacity=capacity
        )
    )
    # Cut the largest quotas first: every store keeps up to `level` visits, a few one more.
    level = highest(
        0, max(counts.values()), lambda t: sum(min(v, t) for v in counts.values()) <= capacity
    )
    longer = [need for need in needs if need.visits > level]
    rng.shuffle(longer)  # the seed picks which of them keep one visit more
    spare = capacity - sum(min(v, level) for v in counts.values())
    for position, need in enumerate(longer):
        counts[need.store_id] = level + (position < spare)
    short = tuple(need.store_id for need in needs if counts[need.store_id] < need.visits)
    if capacity:
        problems.append(
            PlanProblem(
                ProblemKind.QUOTAS_CUT,
                region_id=region_id,
                store_ids=short,
                visits=capacity,
                most=level + (spare > 0),
            )
        )
    return counts


def _assign_inspectors(
    needs: list[StoreNeed], counts: dict[int, int], staff: list[Inspector], rng: random.Random
) -> tuple[dict[int, list[int]], dict[int, int]]:
    """Return each store's inspectors in window order, and each inspector's load."""
    order = list(staff)
    rng.shuffle(order)  # the seed breaks ties between inspectors
    ids = [inspector.inspector_id for inspector in order]
    position = {inspector_id: j for j, inspector_id in enumerate(ids)}
    total = sum(counts.values())
    limits = [total if i.capacity is None else min(i.capacity, total) for i in order]
    classes: dict[tuple[int, int], list[StoreNeed]] = {}
    for need in needs:
        if counts[need.store_id]:
            key = (counts[need.store_id], position.get(need.last_inspector_id, -1))
            classes.setdefault(key, []).append(need)
    flows = Router(list(classes), [len(members) for members in classes.values()], limits).plan()

    sequences: dict[int, list[int]] = {}
    for (_, last), members, row in zip(classes, classes.values(), flows, strict=True):
        members = list(members)
        rng.shuffle(members)  # the seed breaks ties between a class's stores
        # Deal the class's visits slot by slot across its stores, so an inspector's run of
        # f visits lands at most ceil(f / n) times on any one store.
        shares: list[dict[int, int]] = [{} for _ in members]
        dealt = 0
        for j, amount in enumerate(row):
            for _ in range(amount):
                share = shares[dealt % len(members)]
                share[j] = share.get(j, 0) + 1
                dealt += 1
        for need, share in zip(members, shares, strict=True):
            sequences[need.store_id] = [ids[j] for j in _order_visits(share, last)]
    loads = {ids[j]: sum(row[j] for row in flows) for j in range(len(ids))}
    return sequences, loads


def _order_visits(share: dict[int, int], last: int) -> list[int]:
    """Order a store's visits so no inspector follows itself, starting after `last`, if possible."""
    remaining = dict(share)
    previous = last
    order: list[int] = []
    for _ in range(sum(share.values())):
        choices = [j for j, left in remaining.items() if left and j != previous] or [previous]
        previous = max(choices, key=lambda j: (remaining[j], -j))
        remaining[previous] -= 1
        order.append(previous)
    return order


def _report_assignment(
    region_id: int,
    needs: list[StoreNeed],
    staff: list[Inspector],
    sequences: dict[int, list[int]],
    loads: dict[int, int],
    problems: list[PlanProblem],
) -> None:
    """Report planned repeats, and loads more than one visit apart."""
    repeated = []
    for need in needs:
        sequence = sequences.get(need.store_id, [])
        previous = [need.last_inspector_id, *sequence[:-1]]
        if any(a == b for a, b in zip(previous, sequence, strict=False)):
            repeated.append(need.store_id)
    if repeated and len(staff) == 1:
        problems.append(
            PlanProblem(
                ProblemKind.LONE_INSPECTOR_REPEATS,
                region_id=region_id,
                store_ids=tuple(repeated),
                inspector_id=staff[0].inspector_id,
            )
        )
    elif repeated:
        problems.append(
            PlanProblem(
                ProblemKind.CAPACITY_FORCES_REPEATS, region_id=region_id, store_ids=tuple(repeated)
            )
        )
    if not is_balanced(staff, loads):
        problems.append(
            PlanProblem(
                ProblemKind.UNBALANCED,
                region_id=region_id,
                fewest=min(loads.values()),
                most=max(loads.values()),
            )
        )


def is_balanced(staff: Sequence[Inspector], loads: dict[int, int]) -> bool:
    """Tell whether every load is within one visit of the largest, or at its capacity."""
    top = max(loads.values(), default=0)
    return all(
        loads.get(i.inspector_id, 0) >= min(top - 1, top if i.capacity is None else i.capacity)
        for i in staff
    )


def _windows(
    first: date, days: int, k: int, weekday_use: list[int], rng: random.Random
) -> list[tuple[date, date]]:
    """Split the month into k near-equal windows, the later ones starting on little-used weekdays."""
    if k > days:
        return [(first + timedelta(i * days // k),) * 2 for i in range(k)]
    lengths = [(i + 1) * days // k - i * days // k for i in range(k)]
    layouts = sorted({tuple(lengths[s:] + lengths[:s]) for s in range(k)})
    starts = [list(accumulate(layout[:-1], initial=0)) for layout in layouts]
    weekdays = [[(first.weekday() + offset) % 7 for offset in s[1:]] for s in starts]
    tie = rng.randrange(len(layouts))  # the seed breaks ties between equally good layouts
    best = min(
        ((tie + i) % len(layouts) for i in range(len(layouts))),
        key=lambda choice: sum(weekday_use[day] for day in weekdays[choice]),
    )
    for day in weekdays[best]:
        weekday_use[day] += 1
    return [
        (first + timedelta(offset), first + timedelta(offset + length - 1))
        for offset, length in zip(starts[best], layouts[best], strict=True)
    ]
