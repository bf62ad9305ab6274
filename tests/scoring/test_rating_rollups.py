"""The SQL roll-up agrees exactly with the pure rating functions, on random data (stores; staff
results in tests/ratings/test_staff_rollup.py)."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspect_app.auth.models import Role
from inspect_app.checklists.operations import definition_of, sync_directory
from inspect_app.inspections.models import Answer, Inspection, InspectionStatus
from inspect_app.periods import month_of
from inspect_app.ratings.store_queries import rate_period
from inspect_app.scoring.ratings import (
    PeriodStats,
    RankedStore,
    rank_stores,
    rate_store,
)
from inspect_app.stores.models import Region, Store
from tests.conftest import DEFAULT_CHECKLIST

MONTH = month_of(date(2026, 3, 1))
percent = st.decimals(min_value=0, max_value=100, places=3, allow_nan=False, allow_infinity=False)
#: (score, vetoed, status, inside the month?)
visit = st.tuples(
    percent, st.booleans(), st.sampled_from(["approved", "approved", "submitted"]), st.booleans()
)


@pytest.fixture
def world(db, make_user, default_checklist_version):
    regions = [Region(code=f"R{n}", name=f"区域{n}") for n in range(3)]
    stores = [Store(code=f"{n:04d}", name=f"营业厅{n}", region=regions[n % 3]) for n in range(7)]
    db.session.add_all(regions + stores)
    inspector = make_user(Role.INSPECTOR, username="insp")
    db.session.commit()
    return {"stores": stores, "inspector": inspector, "version": default_checklist_version}


def _add(db, world, store, version_id, day, value, vetoed, status="approved", answers=()):
    inspection = Inspection(
        uuid=str(uuid.uuid4()), store_id=store.id, checklist_version_id=version_id,
        inspector_id=world["inspector"].id, status=InspectionStatus(status), visit_date=day,
        score_percent=value, is_vetoed=vetoed,
    )  # fmt: skip
    inspection.answers.extend(answers)
    db.session.add(inspection)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.lists(st.lists(visit, max_size=6), min_size=7, max_size=7), seed=st.integers(0, 10_000)
)
def test_sql_rollup_equals_the_pure_rating_of_the_same_inspections(world, db, data, seed):
    db.session.query(Answer).delete()
    db.session.query(Inspection).delete()
    db.session.commit()
    rng = random.Random(seed)
    version = world["version"]
    rules = definition_of(version).rating
    expected: dict[int, list[tuple[Decimal, bool]]] = {}
    for store, visits in zip(world["stores"], data, strict=True):
        for value, vetoed, status, in_month in visits:
            day = (
                MONTH.start + timedelta(days=rng.randint(0, 27))
                if in_month
                else MONTH.start - timedelta(days=rng.randint(1, 40))
            )
            employee_no, earned = f"0{rng.randint(1, 3)}", Decimal(rng.randint(0, 4))
            answer = Answer(
                item_id="appearance.badge_worn", value="x", employee_no=employee_no,
                points_earned=earned, points_possible=Decimal(4), is_failed=earned < 4,
                is_veto_failed=vetoed and earned < 4,
            )  # fmt: skip
            _add(db, world, store, version.id, day, value, vetoed, status, [answer])
            if status == "approved" and in_month:
                expected.setdefault(store.id, []).append((value, vetoed))
    db.session.commit()

    rows = {row.store_id: row for row in rate_period(MONTH, version.checklist_id, rules)}
    pure = {}
    for store in world["stores"]:
        visits = expected.get(store.id, [])
        pure[store.id] = rate_store(
            PeriodStats.from_percents([v for v, _ in visits], [x for _, x in visits]), rules
        )
        assert rows[store.id].rating == pure[store.id]
    ranks = rank_stores([RankedStore(s.id, s.region_id, pure[s.id]) for s in world["stores"]])
    for store in world["stores"]:
        assert (rows[store.id].rank_in_region, rows[store.id].rank_overall) == ranks[store.id]


def test_the_newest_checklist_version_in_the_period_sets_the_rules(world, db, tmp_path):

    stricter = tmp_path / "stricter.yaml"
    stricter.write_text(
        DEFAULT_CHECKLIST.read_text(encoding="utf-8").replace("5: 95", "5: 99"), encoding="utf-8"
    )
    v2 = sync_directory([stricter])[0][0].version
    db.session.commit()
    assert v2.number == 2
    store = world["stores"][0]
    _add(db, world, store, world["version"].id, MONTH.start, Decimal("96"), False)
    _add(db, world, store, v2.id, MONTH.start, Decimal("97"), False)
    db.session.commit()
    old_rules = definition_of(world["version"]).rating
    row = next(r for r in rate_period(MONTH, v2.checklist_id, old_rules) if r.store_id == store.id)
    assert row.rating.mean_percent == Decimal("96.500")
    assert row.rating.stars == 4  # 5 stars under version 1's 95 threshold, 4 under version 2's 99


def test_approved_visits_without_a_percentage_do_not_drag_the_mean(world, db):
    version = world["version"]
    store = world["stores"][1]
    _add(db, world, store, version.id, MONTH.start, Decimal("90"), False)
    _add(db, world, store, version.id, MONTH.start, None, False)
    db.session.commit()
    row = next(
        r
        for r in rate_period(MONTH, version.checklist_id, definition_of(version).rating)
        if r.store_id == store.id
    )
    assert (row.rating.count, row.rating.mean_percent) == (1, Decimal("90.000"))
