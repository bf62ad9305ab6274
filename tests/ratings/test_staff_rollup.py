"""The staff roll-up in SQL agrees with the pure rules, person and hall by person and hall."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspect_app.checklists.loader import load_checklist_file
from inspect_app.inspections.models import Answer, Inspection, InspectionStatus, ServedStaff
from inspect_app.ratings.staff_queries import (
    staff_period_ratings,
    staff_person_items,
    staff_tallies,
)
from inspect_app.scoring.inspection import AnswerInput, score_inspection
from inspect_app.scoring.ratings import PersonItem, rank_staff, rate_staff, tally_staff
from tests.conftest import DEFAULT_CHECKLIST
from tests.fixtures.staff_results import MONTH, add_visit, full_marks

#: How one item's person is given: the visit's served staff, a named 工号 (index), or unknown.
attribution = st.one_of(st.just("served"), st.just("unidentified"), st.integers(0, 3))
#: The default checklist's person-items (staff items that are scored).
STAFF_ITEMS = [
    item.id
    for item in load_checklist_file(DEFAULT_CHECKLIST).definition.items
    if item.staff and item.item_type.scored
]
STATUSES = [InspectionStatus.APPROVED, InspectionStatus.APPROVED, InspectionStatus.SUBMITTED]


def answer_for(item, draw_index: int):
    """An answer of every kind the item's type takes, picked by an index."""
    if item.type == "pass_fail":
        return ["pass", "fail", "pass", "na" if item.allow_na else "pass"][draw_index % 4]
    if item.type == "stars":
        return draw_index % 5 + 1
    if item.type == "choice":
        options = item.config["options"]
        return options[draw_index % len(options)]["value"]
    if item.type == "number":
        return [3, 8, 17, 60][draw_index % 4]
    return full_marks(item.id)


@st.composite
def visits(draw, staff_items: list[str]):
    """(hall, status, in the month?, served indexes, {item: (answer index, attribution)})."""
    count = draw(st.integers(1, 6))
    out = []
    for _ in range(count):
        items = draw(st.lists(st.sampled_from(staff_items), min_size=1, max_size=12, unique=True))
        out.append(
            (
                draw(st.integers(0, 2)),
                draw(st.sampled_from(STATUSES)),
                draw(st.booleans()) or draw(st.booleans()),
                draw(st.lists(st.integers(0, 3), max_size=2, unique=True)),
                {item: (draw(st.integers(0, 7)), draw(attribution)) for item in items},
            )
        )
    return out


def _clear(db) -> None:
    db.session.rollback()  # after a failed example, start clean
    db.session.query(ServedStaff).delete()
    db.session.query(Answer).delete()
    db.session.query(Inspection).delete()
    db.session.commit()


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(generated=visits(STAFF_ITEMS))
def test_staff_sums_plus_unidentified_equal_each_halls_person_items(staff_world, db, generated):
    _clear(db)
    people = list(staff_world.staff.values())
    by_no = {p.employee_no: p.id for p in people}
    expected_items: list[PersonItem] = []
    hall_sums: dict[int, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0), 0])
    unidentified_sums: dict[int, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0), 0])
    for number, (hall_index, status, in_month, served_indexes, items) in enumerate(generated):
        hall = staff_world.halls[hall_index]
        # A person moved between halls is just as likely to serve at any hall.
        served = [people[i] for i in served_indexes]
        answers, named, unidentified = {}, {}, set()
        for item_id, (answer_index, how) in items.items():
            answers[item_id] = answer_for(staff_world.definition.item(item_id), answer_index)
            if how == "unidentified" or (how == "served" and not served):
                unidentified.add(item_id)
            elif isinstance(how, int):
                named[item_id] = people[how]
        day = MONTH.start + timedelta(days=number * 4) if in_month else MONTH.start - timedelta(1)
        inspection = add_visit(
            db, staff_world, hall, day, answers,
            served=served, named=named, unidentified=unidentified, status=status,
        )  # fmt: skip
        if status != InspectionStatus.APPROVED or not in_month:
            continue
        # The pure rules, from what was generated (not from what store_scores wrote).
        score = score_inspection(
            staff_world.definition,
            {
                item_id: AnswerInput(
                    value,
                    named[item_id].employee_no if item_id in named else None,
                    item_id in unidentified,
                )
                for item_id, value in answers.items()
            },
            [p.employee_no for p in served],
        )
        for result in score.items.values():
            if not result.person_item:
                continue
            sums = hall_sums[hall.id]
            sums[0] += 1
            sums[1] += result.earned
            sums[2] += result.possible
            sums[3] += result.failed
            if result.unidentified:
                for index, value in enumerate((1, result.earned, result.possible, result.failed)):
                    unidentified_sums[hall.id][index] += value
            expected_items.append(
                PersonItem(
                    inspection_id=inspection.id,
                    store_id=hall.id,
                    staff_id=None if result.unidentified else by_no[result.employee_no],
                    earned=result.earned,
                    possible=result.possible,
                    failed=result.failed,
                    veto_failed=result.veto_failed,
                )
            )

    rolled_up = {(r.tally.staff_id, r.tally.store_id): r.tally for r in staff_tallies(MONTH)}
    assert rolled_up == tally_staff(expected_items)

    for hall in staff_world.halls:
        staff_sums = [0, Decimal(0), Decimal(0), 0]
        for tally in rolled_up.values():
            if tally.store_id == hall.id:
                for index, value in enumerate(
                    (tally.person_items, tally.earned, tally.possible, tally.failed_items)
                ):
                    staff_sums[index] += value
        together = [a + b for a, b in zip(staff_sums, unidentified_sums[hall.id], strict=True)]
        assert together == hall_sums[hall.id]

    region_of = {hall.id: hall.region_id for hall in staff_world.halls}
    # The checklist's rules: 10 person-items to rank, a veto finding caps the score at 0.
    pure = rank_staff(
        rate_staff(tally, region_of[tally.store_id], staff_world.definition.rating)
        for tally in tally_staff(expected_items).values()
    )
    rows = {(r.staff_id, r.store_id): r.rating for r in staff_period_ratings(MONTH)}
    assert rows == {(r.tally.staff_id, r.tally.store_id): r for r in pure}
    for rating in rows.values():
        if rating.tally.veto_findings:
            assert rating.percent == 0 and rating.percent_before_cap is not None
        else:
            assert rating.percent == rating.percent_before_cap

    # Each person's trace holds exactly the items their figures are made of.
    for (staff_id, store_id), tally in rolled_up.items():
        traced = [
            a for a in staff_person_items(staff_id, MONTH, [store_id]) if a.staff_id == staff_id
        ]
        assert len(traced) == tally.person_items
        assert sum((a.points_earned for a in traced), Decimal(0)) == tally.earned
        assert len({a.inspection_id for a in traced}) == tally.visits
