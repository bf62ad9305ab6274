"""Attribution of person-items (served staff, named, not identified) and failure thresholds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspect_app.checklists.definition import ChecklistDefinition
from inspect_app.scoring.inspection import AnswerInput, InspectionScore, score_inspection
from tests.scoring.test_inspection_scoring import (
    DEFAULT,
    ITEMS,
    RANDOM_ANSWERS,
    section,
    small,
)

#: Staff items of every scored type, a hall item and a text note about the person.
PEOPLE = small(
    section(
        "svc",
        "1",
        "id: svc.greet, type: pass_fail, points: 2",
        "id: svc.attitude, type: stars, points: 4",
        "id: svc.tidy, type: scale, max: 4, points: 4",
        "id: svc.phrase, type: choice, options: [{value: std, text: S, points: 4}, {value: late, text: L, points: 1}]",
        "id: svc.handling, type: number, points: 4, min: 0, max: 60, bands: [{upto: 5, points: 4}, {upto: 10, points: 1}]",
        "id: svc.strict, type: stars, points: 5, fail_below: 0.9",
        "id: svc.note, type: text, required: false",
        staff=True,
    ),
    section("hall", "1", "id: hall.clean, type: pass_fail, points: 3"),
)


def score(values: dict[str, Any], served=(), **per_item: AnswerInput) -> InspectionScore:
    stored = {item_id: AnswerInput(value) for item_id, value in values.items()}
    return score_inspection(PEOPLE, {**stored, **per_item}, list(served))


# --- attribution -------------------------------------------------------------------------


def test_every_person_item_defaults_to_the_first_served_staff_member_passed_or_failed() -> None:
    result = score(
        {"svc.greet": "pass", "svc.attitude": 2, "svc.tidy": 4, "hall.clean": "fail"},
        served=["0001001", "0001002"],
    )
    for item_id in ("svc.greet", "svc.attitude", "svc.tidy"):
        assert result.items[item_id].person_item
        assert result.items[item_id].employee_no == "0001001"
    assert result.items["hall.clean"].employee_no is None  # a hall item is about nobody
    assert [(s.employee_no, s.observations, s.failures) for s in result.staff] == [
        ("0001001", 3, 1)
    ]


def test_a_person_named_on_an_item_overrides_the_served_default() -> None:
    result = score(
        {"svc.greet": "pass", "svc.tidy": 4},
        served=["0001001"],
        **{"svc.attitude": AnswerInput(1, " 0001003 ")},
    )
    assert result.items["svc.attitude"].employee_no == "0001003"
    assert result.items["svc.greet"].employee_no == "0001001"
    staff = {s.employee_no: s for s in result.staff}
    assert staff["0001003"].observations == 1 and staff["0001003"].failures == 1
    assert staff["0001001"].observations == 2 and staff["0001001"].failures == 0


def test_an_unidentified_person_counts_for_the_hall_but_for_nobody() -> None:
    result = score(
        {"svc.greet": "pass"},
        served=["0001001"],
        **{"svc.attitude": AnswerInput(1, None, unidentified=True)},
    )
    item = result.items["svc.attitude"]
    assert item.person_item and item.unidentified and item.employee_no is None
    assert not item.unattributed
    assert [s.employee_no for s in result.staff] == ["0001001"]
    assert result.staff[0].observations == 1
    assert (result.earned, result.possible) == (Decimal(2), Decimal(6))  # still in the score


def test_without_anyone_served_or_named_an_answered_person_item_is_unattributed() -> None:
    result = score({"svc.greet": "pass", "svc.attitude": 4, "svc.note": "好", "hall.clean": "fail"})
    assert result.items["svc.greet"].unattributed
    assert result.items["svc.attitude"].unattributed
    assert not result.items["svc.note"].unattributed  # text: not a scored observation
    assert not result.items["hall.clean"].unattributed
    assert not result.items["svc.tidy"].unattributed  # unanswered
    assert result.staff == ()


@pytest.mark.parametrize("served", [["", "  "], []])
def test_blank_served_numbers_are_nobody(served) -> None:
    result = score({"svc.greet": "pass"}, served=served)
    assert result.items["svc.greet"].unattributed


def test_not_applicable_and_hidden_items_are_not_person_items() -> None:
    definition = small(
        section(
            "svc",
            "1",
            "id: svc.a, type: pass_fail, points: 1, na: true",
            "id: svc.b, type: pass_fail, points: 1, show_if: {item: svc.a, equals: fail}",
            staff=True,
        )
    )
    result = score_inspection(
        definition, {"svc.a": AnswerInput("na"), "svc.b": AnswerInput("fail", "9")}, ["1"]
    )
    assert not result.items["svc.a"].person_item and result.items["svc.a"].employee_no is None
    assert not result.items["svc.b"].person_item and result.items["svc.b"].employee_no is None
    assert result.staff == ()


# --- failure thresholds ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item_id", "value", "failed", "lost"),
    [
        ("svc.greet", "pass", False, False),
        ("svc.greet", "fail", True, True),  # pass/fail fails at 0
        ("svc.attitude", 5, False, False),
        ("svc.attitude", 4, False, True),  # 4★ = 3 of 4: partial credit
        ("svc.attitude", 3, False, True),  # 3★ = 2 of 4: exactly half, not below
        ("svc.attitude", 2, True, True),  # 2★ = 1 of 4: failed
        ("svc.attitude", 1, True, True),
        ("svc.tidy", 3, False, True),  # 3 of 4 on a scale
        ("svc.tidy", 1, True, True),
        ("svc.phrase", "late", True, True),  # 1 of 4
        ("svc.handling", 7, True, True),  # 1 of 4 points: below half
        ("svc.handling", 3, False, False),
        ("svc.strict", 5, False, False),
        ("svc.strict", 4, True, True),  # 3.75 of 5 is below this item's own 0.9
    ],
)
def test_an_item_fails_below_its_share_and_partial_credit_only_loses_points(
    item_id, value, failed, lost
) -> None:
    result = score({item_id: value}, served=["1"]).items[item_id]
    assert result.failed is failed
    assert result.lost_points is lost
    reasons = [r for r in score({item_id: value}, served=["1"]).reasons if r.item_id == item_id]
    assert [(r.kind, r.failed) for r in reasons] == ([("lost_points", failed)] if lost else [])


def test_the_checklists_own_threshold_applies_to_items_without_one() -> None:
    strict = small(
        section("svc", "1", "id: svc.s, type: stars, points: 4", staff=True),
    )
    strict = ChecklistDefinition.from_dict(
        {**strict.to_dict(), "rating": {**strict.to_dict()["rating"], "fail_below": 0.8}}
    )
    assert strict.rating.fail_below == Decimal("0.8")
    assert score_inspection(strict, {"svc.s": AnswerInput(4)}).items["svc.s"].failed
    assert (
        not score_inspection(PEOPLE, {"svc.attitude": AnswerInput(4)}).items["svc.attitude"].failed
    )


def test_default_checklist_partial_credit_is_not_a_failure() -> None:
    """The issue's cases: 4★ attitude, 3 of 4 cleanliness, a 17-minute wait."""
    values = {"behaviour.attitude": 4, "hygiene.cleanliness": 3, "process.waiting_minutes": 17}
    result = score_inspection(DEFAULT, {k: AnswerInput(v) for k, v in values.items()}, ["1"])
    for item_id in values:
        assert result.items[item_id].lost_points and not result.items[item_id].failed, item_id


# --- the sums add up ---------------------------------------------------------------------

SERVED = st.lists(st.sampled_from(["", " 0001001 ", "0001002", "A7"]), max_size=3)


def _sums(results) -> tuple:
    results = list(results)
    return (
        len(results),
        sum((r.earned for r in results), Decimal(0)),
        sum((r.possible for r in results), Decimal(0)),
        sum(r.failed for r in results),
        sum(r.veto_failed for r in results),
    )


@given(RANDOM_ANSWERS, SERVED)
def test_staff_sums_plus_unidentified_items_equal_all_person_items(stored, served) -> None:
    result = score_inspection(DEFAULT, stored, served)
    person_items = [r for r in result.items.values() if r.person_item]
    assert all(ITEMS[r.item_id].staff for r in person_items)
    staff = (
        sum(s.observations for s in result.staff),
        sum((s.earned for s in result.staff), Decimal(0)),
        sum((s.possible for s in result.staff), Decimal(0)),
        sum(s.failures for s in result.staff),
        sum(s.veto_findings for s in result.staff),
    )
    unidentified = _sums(r for r in person_items if r.unidentified)
    unattributed = _sums(r for r in person_items if r.unattributed)
    everyone = _sums(person_items)
    assert tuple(a + b + c for a, b, c in zip(staff, unidentified, unattributed, strict=True)) == (
        everyone
    )
    # With someone served, nothing is left unattributed: staff plus unidentified is everything.
    if any(n.strip() for n in served):
        assert unattributed == _sums([])
        assert tuple(a + b for a, b in zip(staff, unidentified, strict=True)) == everyone
    # Each person-item is in exactly one of the three.
    for r in person_items:
        assert (r.employee_no is not None) + r.unidentified + r.unattributed == 1
