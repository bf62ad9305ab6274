"""Inspection scoring: item, section, weighted, veto, per-staff and reasons, tables and properties."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from inspect_app.checklists.definition import ChecklistDefinition, Item
from inspect_app.checklists.loader import load_checklist_file, load_checklist_text
from inspect_app.config import PROJECT_ROOT
from inspect_app.scoring.inspection import (
    AnswerInput,
    InspectionScore,
    Reason,
    StaffResult,
    is_visible,
    score_inspection,
)

DEFAULT_CHECKLIST = PROJECT_ROOT / "checklists" / "business-hall-mystery-shop.yaml"
DEFAULT = load_checklist_file(DEFAULT_CHECKLIST).definition
assert DEFAULT is not None
ITEMS = {item.id: item for item in DEFAULT.items}


def small(*sections: str, max_percent: str = "0") -> ChecklistDefinition:
    """Load a checklist made of `sections`, each from `section()`."""
    text = (
        "key: small\ntitle: Small\nrating:\n"
        "  star_thresholds: {1: 0, 2: 60, 3: 75, 4: 85, 5: 95}\n"
        f"  min_inspections: 1\n  veto: {{max_percent: {max_percent}, max_stars: 1}}\n"
        "sections:\n" + "".join(sections)
    )
    result = load_checklist_text(text, "small.yaml")
    assert result.errors == []
    assert result.definition is not None
    return result.definition


def section(section_id: str, weight: str, *items: str, staff: bool = False) -> str:
    """Return a section in YAML; each item is a flow mapping without its `text`."""
    head = f"  - id: {section_id}\n    title: {section_id}\n    weight: {weight}\n"
    body = "".join(f"      - {{text: T, {item}}}\n" for item in items)
    return f"{head}    staff: {str(staff).lower()}\n    items:\n{body}"


def answers(values: dict[str, Any], employee_no: str | None = None) -> dict[str, AnswerInput]:
    return {item_id: AnswerInput(value, employee_no) for item_id, value in values.items()}


def best_value(item: Item) -> Any:
    """Return the answer that earns an item's full points (None for text)."""
    return {
        "pass_fail": "pass",
        "scale": item.config.get("max"),
        "stars": 5,
        "choice": max(item.config.get("options", [{}]), key=lambda o: o.get("points", 0)).get(
            "value"
        ),
        "number": item.config.get("min"),
    }.get(item.type)


ALL_BEST = {item.id: best_value(item) for item in DEFAULT.items}
TEN_POINTS = small(
    section(
        "main",
        "1",
        "id: main.a, type: pass_fail, points: 2",
        "id: main.b, type: pass_fail, points: 3",
        "id: main.c, type: pass_fail, points: 5",
    )
)


def pct(score: InspectionScore, section_id: str) -> Decimal | None:
    return next(s.percent for s in score.sections if s.section_id == section_id)


# --- tables ----------------------------------------------------------------------------


def test_all_best_answers_give_100_on_the_default_checklist() -> None:
    score = score_inspection(DEFAULT, answers(ALL_BEST))
    assert score.percent == score.weighted_percent == Decimal("100.000")
    # 182 points minus devices.fault_handling (2), hidden because the devices work.
    assert score.earned == score.possible == Decimal(180)
    assert not score.is_vetoed
    assert score.reasons == ()
    assert all(s.percent == 100 for s in score.sections)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"main.a": "pass", "main.b": "pass", "main.c": "pass"}, "100.000"),
        ({"main.a": "fail", "main.b": "pass", "main.c": "pass"}, "80.000"),
        ({"main.a": "pass", "main.b": "fail", "main.c": "pass"}, "70.000"),
        ({"main.a": "fail", "main.b": "fail", "main.c": "fail"}, "0.000"),
        ({"main.a": "na", "main.b": "pass", "main.c": "fail"}, "37.500"),
        ({"main.a": "fail"}, "0.000"),
        ({"main.b": "pass"}, "100.000"),
        ({"main.a": "na", "main.b": "na", "main.c": "na"}, None),
        ({}, None),
    ],
)
def test_section_percent_is_over_answered_applicable_points(values, expected) -> None:
    score = score_inspection(TEN_POINTS, answers(values))
    expected = None if expected is None else Decimal(expected)
    assert pct(score, "main") == expected
    assert score.percent == expected


TWO = "id: {0}.one, type: pass_fail, points: 1", "id: {0}.two, type: pass_fail, points: 1"


@pytest.mark.parametrize(
    ("weight_a", "weight_b", "a", "b", "expected"),
    [
        ("1", "1", ("pass", "pass"), ("pass", "fail"), "75.000"),
        ("3", "1", ("pass", "pass"), ("pass", "fail"), "87.500"),
        ("1", "3", ("pass", "pass"), ("pass", "fail"), "62.500"),
        ("60", "40", ("pass", "pass"), ("fail", "fail"), "60.000"),
        ("1", "2", ("pass", "pass"), ("fail", "fail"), "33.333"),
        ("2", "1", ("pass", "pass"), ("fail", "fail"), "66.667"),
        ("0.5", "0.25", ("pass", "fail"), ("pass", "pass"), "66.667"),
        ("1", "1", ("pass", "pass"), ("na", "na"), "100.000"),  # all-NA section skipped
        ("1", "9", ("fail", "fail"), (None, None), "0.000"),  # unanswered section skipped
        ("1", "1", ("na", "na"), (None, None), None),
    ],
)
def test_weighted_mean_over_sections_with_a_percent(weight_a, weight_b, a, b, expected) -> None:
    definition = small(
        section("a", weight_a, *(t.format("a") for t in TWO)),
        section("b", weight_b, *(t.format("b") for t in TWO)),
    )
    values = {"a.one": a[0], "a.two": a[1], "b.one": b[0], "b.two": b[1]}
    score = score_inspection(definition, answers(values))
    assert score.weighted_percent == (None if expected is None else Decimal(expected))


def test_weighted_percent_rounds_half_up() -> None:
    definition = small(
        section("a", "1", *(t.format("a") for t in TWO)),
        section("b", "1", *(t.format("b") for t in TWO), "id: b.three, type: pass_fail, points: 1"),
    )
    values = {"a.one": "pass", "a.two": "fail", "b.one": "pass", "b.two": "fail", "b.three": "fail"}
    score = score_inspection(definition, answers(values))
    assert [s.percent for s in score.sections] == [Decimal("50.000"), Decimal("33.333")]
    assert score.percent == Decimal("41.667")  # 41.6665 half-up, not half-even


@pytest.mark.parametrize(
    ("changes", "expected", "possible"),
    [
        ({}, "100.000", 180),
        ({f"appearance.{k}": "fail" for k in ("hair_men", "hair_women", "makeup")}, "96.000", 180),
        ({i.id: "na" for i in DEFAULT.sections[0].items}, "100.000", 165),
        ({"devices.self_service": "fail", "devices.fault_handling": None}, "98.125", 180),
        ({"devices.self_service": "fail", "devices.fault_handling": "pass"}, "98.333", 182),
        ({"devices.self_service": "pass", "devices.fault_handling": "fail"}, "100.000", 180),
        ({"devices.self_service": "na", "devices.fault_handling": "fail"}, "100.000", 177),
        ({"devices.self_service": None, "devices.fault_handling": "fail"}, "100.000", 177),
        ({"process.id_check": "na", "process.agreement": "fail"}, "100.000", 172),
        ({"process.waiting_minutes": 18}, "98.438", 180),
    ],
)
def test_default_checklist_table(changes, expected, possible) -> None:
    score = score_inspection(DEFAULT, answers({**ALL_BEST, **changes}))
    assert score.weighted_percent == Decimal(expected)
    assert score.possible == possible


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ({"devices.self_service": "pass", "devices.fault_handling": "fail"}, False),
        ({"devices.self_service": "fail", "devices.fault_handling": "fail"}, True),
        ({"devices.self_service": "na", "devices.fault_handling": "pass"}, False),
        ({"devices.fault_handling": "pass"}, False),
    ],
)
def test_conditional_item_counts_only_when_its_condition_is_met(stored, shown) -> None:
    score = score_inspection(DEFAULT, answers(stored))
    result = score.items["devices.fault_handling"]
    assert is_visible(ITEMS["devices.fault_handling"], answers(stored), DEFAULT) is shown
    assert result.hidden is not shown
    assert result.not_applicable is not shown
    assert result.possible == (2 if shown else 0)
    assert result.failed is (shown and stored["devices.fault_handling"] == "fail")


CHAIN = small(
    section(
        "main",
        "1",
        "id: main.a, type: pass_fail, points: 1",
        "id: main.b, type: pass_fail, points: 1, show_if: {item: main.a, equals: fail}",
        "id: main.z, type: pass_fail, points: 1",
    ),
    section(
        "next",
        "1",
        "id: next.c, type: stars, points: 4, show_if: {item: main.b, in: [fail]}",
        "id: next.d, type: pass_fail, points: 1, show_if: {item: next.c, in: [1, 2]}",
    ),
)


@pytest.mark.parametrize(
    ("a", "b", "c", "shown"),
    [
        ("fail", "fail", 1, {"main.b", "next.c", "next.d"}),
        ("fail", "fail", 5, {"main.b", "next.c"}),
        ("fail", "pass", 1, {"main.b"}),
        ("pass", "fail", 1, set()),  # b's stored fail does not count: b is hidden
        (None, "fail", 1, set()),
        ("na", "fail", 1, set()),
        ("fail", None, 1, {"main.b"}),
        ("fail", "fail", None, {"main.b", "next.c"}),
    ],
)
def test_conditions_chain_through_hidden_items(a, b, c, shown) -> None:
    stored = answers({"main.a": a, "main.b": b, "next.c": c, "next.d": "fail", "main.z": "pass"})
    score = score_inspection(CHAIN, stored)
    conditional = {"main.b", "next.c", "next.d"}
    assert {i for i in conditional if not score.items[i].hidden} == shown
    assert {i.id for i in CHAIN.items if is_visible(i, stored, CHAIN)} == shown | {
        "main.a",
        "main.z",
    }


VETO_SECTION = section(
    "main",
    "1",
    "id: main.v, type: pass_fail, points: 5, veto: true",
    "id: main.a, type: pass_fail, points: 5",
)


@pytest.mark.parametrize(
    ("max_percent", "v", "a", "weighted", "percent", "vetoed"),
    [
        ("0", "fail", "pass", "50", "0", True),
        ("0", "pass", "pass", "100", "100", False),
        ("0", "na", "pass", "100", "100", False),
        ("0", "pass", "fail", "50", "50", False),
        ("40", "fail", "pass", "50", "40", True),
        ("60", "fail", "pass", "50", "50", True),
        ("12.5", "fail", "pass", "50", "12.5", True),
        ("40", "fail", "fail", "0", "0", True),
        ("100", "fail", "pass", "50", "50", True),
    ],
)
def test_failed_veto_item_caps_the_percent(max_percent, v, a, weighted, percent, vetoed) -> None:
    definition = small(VETO_SECTION, max_percent=max_percent)
    score = score_inspection(definition, answers({"main.v": v, "main.a": a}))
    assert score.weighted_percent == Decimal(weighted)
    assert score.percent == Decimal(percent)
    assert score.is_vetoed is vetoed
    assert [r.item_id for r in score.reasons if r.kind == "veto"] == (["main.v"] if vetoed else [])


def test_hidden_veto_item_does_not_veto_and_failed_stars_veto_does() -> None:
    definition = small(
        section(
            "main",
            "1",
            "id: main.gate, type: pass_fail, points: 1",
            "id: main.v, type: pass_fail, points: 5, veto: true, show_if: {item: main.gate, equals: fail}",
            "id: main.s, type: stars, points: 4, veto: true",
        )
    )
    hidden = score_inspection(definition, answers({"main.gate": "pass", "main.v": "fail"}))
    assert not hidden.is_vetoed
    assert hidden.percent == 100
    # 4★ earns 3 of 4 points: partial credit, not a failure, so no veto.
    four_stars = score_inspection(definition, answers({"main.s": 4}))
    assert not four_stars.is_vetoed
    assert four_stars.items["main.s"].lost_points and not four_stars.items["main.s"].failed
    # 2★ earns 1 of 4, below half: a failed veto item.
    two_stars = score_inspection(definition, answers({"main.s": 2}))
    assert two_stars.is_vetoed
    assert two_stars.items["main.s"].veto_failed


def test_default_checklist_veto_zeroes_the_percent() -> None:
    score = score_inspection(DEFAULT, answers({**ALL_BEST, "process.id_check": "fail"}))
    assert score.weighted_percent == Decimal("97.396")  # process 43/48 = 89.583, weight 25
    assert score.percent == 0
    assert score.is_vetoed
    assert score.reasons == (
        Reason("process.id_check", "process", Decimal(5), "lost_points"),
        Reason("process.id_check", "process", Decimal(0), "veto"),
    )


def test_reasons_sort_by_loss_then_checklist_order() -> None:
    definition = small(
        section(
            "main",
            "1",
            "id: main.a, type: pass_fail, points: 2",
            "id: main.c, type: scale, max: 4, points: 3",
            "id: main.ok, type: pass_fail, points: 9",
        ),
        section(
            "next",
            "1",
            "id: next.b, type: pass_fail, points: 5",
            "id: next.d, type: pass_fail, points: 2",
            "id: next.v, type: pass_fail, points: 1, veto: true",
        ),
    )
    values = {
        "main.a": "fail",
        "main.c": 2,
        "main.ok": "pass",
        "next.b": "fail",
        "next.d": "fail",
        "next.v": "fail",
    }
    score = score_inspection(definition, answers(values))
    assert [(r.item_id, r.lost, r.kind, r.failed) for r in score.reasons] == [
        ("next.b", Decimal(5), "lost_points", True),
        ("main.a", Decimal(2), "lost_points", True),
        ("next.d", Decimal(2), "lost_points", True),
        ("main.c", Decimal("1.5"), "lost_points", False),  # 2 of 4: half its points, not failed
        ("next.v", Decimal(1), "lost_points", True),
        ("next.v", Decimal(0), "veto", True),
    ]


def test_staff_results_group_by_trimmed_employee_number_named_on_items() -> None:
    definition = small(
        section(
            "svc",
            "1",
            "id: svc.s1, type: pass_fail, points: 2",
            "id: svc.s2, type: pass_fail, points: 3, veto: true",
            "id: svc.s3, type: stars, points: 4",
            "id: svc.note, type: text",
            "id: svc.room, type: pass_fail, points: 1, staff: false",
            "id: svc.h, type: pass_fail, points: 1, show_if: {item: svc.s1, equals: fail}",
            "id: svc.na, type: pass_fail, points: 1",
            "id: svc.blank, type: pass_fail, points: 1",
            "id: svc.none, type: pass_fail, points: 1",
            "id: svc.unanswered, type: pass_fail, points: 1",
            staff=True,
        )
    )
    stored = {
        "svc.s1": AnswerInput("pass", "00123"),
        "svc.s2": AnswerInput("fail", " 00123 "),
        "svc.s3": AnswerInput(4, "123"),
        "svc.note": AnswerInput("rude", "00123"),
        "svc.room": AnswerInput("fail", "00123"),
        "svc.h": AnswerInput("fail", "00123"),
        "svc.na": AnswerInput("na", "00123"),
        "svc.blank": AnswerInput("fail", "  "),
        "svc.none": AnswerInput("fail"),
        "svc.unanswered": AnswerInput(None, "00123"),
    }
    score = score_inspection(definition, stored)
    assert score.staff == (
        StaffResult("00123", 2, Decimal(2), Decimal(5), failures=1, veto_findings=1),
        # 4★ is 3 of 4 points: counted as observed, lost a point, not a failure.
        StaffResult("123", 1, Decimal(3), Decimal(4), failures=0, veto_findings=0),
    )
    assert score.items["svc.s2"].employee_no == "00123"
    assert score.items["svc.room"].employee_no is None
    # Nobody served and nobody named: person-items the submission refuses.
    assert score.items["svc.blank"].unattributed and score.items["svc.none"].unattributed
    assert not score.items["svc.na"].person_item and not score.items["svc.na"].unattributed


def test_no_answers_score_nothing_and_unknown_ids_are_ignored() -> None:
    score = score_inspection(DEFAULT, answers({"nope.item": "pass"}))
    assert (score.earned, score.possible) == (0, 0)
    assert score.percent is None
    assert score.weighted_percent is None
    assert all(s.percent is None for s in score.sections)
    assert (score.reasons, score.staff, score.is_vetoed) == ((), (), False)
    assert list(score.items) == [i.id for i in DEFAULT.items]


# --- properties over random answers to the default checklist ---------------------------

EMPLOYEE_NOS = st.sampled_from([None, "", "  ", "00123", " 00123 ", "123", "A7"])


def values_for(item: Item) -> st.SearchStrategy[Any]:
    """Return a strategy of valid canonical, non-na answers for the item."""
    parse = item.item_type.parse_answer
    if item.type == "pass_fail":
        return st.sampled_from(["pass", "fail"])
    if item.type == "scale":
        return st.integers(0, item.config["max"])
    if item.type == "stars":
        return st.integers(1, 5)
    if item.type == "choice":
        return st.sampled_from([o["value"] for o in item.config["options"]])
    if item.type == "number":
        low, high = (int(Decimal(str(item.config[k])) * 100) for k in ("min", "max"))
        return st.integers(low, high).map(lambda n: parse(item, str(Decimal(n).scaleb(-2))))
    return st.sampled_from(["备注", "fine"])


def answer_for(item: Item) -> st.SearchStrategy[AnswerInput]:
    choices = [st.none(), values_for(item)] + ([st.just("na")] if item.allow_na else [])
    unidentified = st.sampled_from([False, False, False, True])
    return st.builds(AnswerInput, st.one_of(choices), EMPLOYEE_NOS, unidentified)


RANDOM_ANSWERS = st.fixed_dictionaries({item.id: answer_for(item) for item in DEFAULT.items})


def dependents(item_id: str) -> set[str]:
    """Return the ids of the items whose show_if chain goes through `item_id`."""
    found: set[str] = set()
    for item in DEFAULT.items:
        current = item
        while current.show_if is not None:
            if current.show_if.item_id == item_id:
                found.add(item.id)
                break
            current = ITEMS[current.show_if.item_id]
    return found


def applicable(score: InspectionScore) -> list[str]:
    return [
        i
        for i, r in score.items.items()
        if r.answered and not r.not_applicable and ITEMS[i].item_type.scored
    ]


@given(RANDOM_ANSWERS)
def test_percent_is_between_0_and_100(stored) -> None:
    score = score_inspection(DEFAULT, stored)
    for percent in [score.percent, score.weighted_percent, *(s.percent for s in score.sections)]:
        assert percent is None or 0 <= percent <= 100
        assert percent is None or percent == percent.quantize(Decimal("0.001"))
    assert (score.percent is None) is (score.weighted_percent is None) is (score.possible == 0)


@given(RANDOM_ANSWERS, st.data())
def test_marking_an_item_na_changes_only_it_and_its_dependents(stored, data) -> None:
    before = score_inspection(DEFAULT, stored)
    candidates = [i for i in applicable(before) if ITEMS[i].allow_na]
    assume(candidates)
    item_id = data.draw(st.sampled_from(candidates))
    after = score_inspection(DEFAULT, {**stored, item_id: replace(stored[item_id], value="na")})
    assert after.items[item_id].not_applicable
    assert after.possible == before.possible - before.items[item_id].possible - sum(
        before.items[d].possible for d in dependents(item_id)
    )
    for other in set(ITEMS) - {item_id} - dependents(item_id):
        b, a = before.items[other], after.items[other]
        assert (a.earned, a.possible) == (b.earned, b.possible)
    assert all(after.items[d].hidden for d in dependents(item_id))


@given(RANDOM_ANSWERS, st.data())
def test_turning_a_fail_into_a_pass_never_lowers_the_percent(stored, data) -> None:
    before = score_inspection(DEFAULT, stored)
    fails = [
        i for i in applicable(before) if ITEMS[i].type == "pass_fail" and before.items[i].failed
    ]
    assume(fails)
    item_id = data.draw(st.sampled_from(fails))
    after = score_inspection(DEFAULT, {**stored, item_id: replace(stored[item_id], value="pass")})
    assert after.weighted_percent >= before.weighted_percent
    assert after.percent >= before.percent


@given(RANDOM_ANSWERS, st.data())
def test_a_better_answer_never_lowers_the_percent(stored, data) -> None:
    """Raise a scale or stars value, or move a number or choice to a value earning as much."""
    before = score_inspection(DEFAULT, stored)
    graded = [
        i for i in applicable(before) if ITEMS[i].type in {"scale", "stars", "number", "choice"}
    ]
    assume(graded)
    item = ITEMS[data.draw(st.sampled_from(graded))]
    old = stored[item.id].value
    new = data.draw(values_for(item))
    if item.type in {"scale", "stars"}:
        assume(new >= old)
        assert item.item_type.earned(item, new) >= item.item_type.earned(item, old)
    else:
        # The default checklist's bands give fewer points for more minutes, so compare points.
        assume(item.item_type.earned(item, new) >= item.item_type.earned(item, old))
    after = score_inspection(DEFAULT, {**stored, item.id: replace(stored[item.id], value=new)})
    assert after.weighted_percent >= before.weighted_percent
    assert after.percent >= before.percent


@given(RANDOM_ANSWERS, st.sampled_from([i.id for i in DEFAULT.items if i.veto]))
def test_a_failed_veto_item_always_vetoes(stored, veto_id) -> None:
    assert ITEMS[veto_id].show_if is None  # so that answering it "fail" shows it
    score = score_inspection(DEFAULT, {**stored, veto_id: AnswerInput("fail")})
    assert score.is_vetoed
    assert score.percent <= DEFAULT.rating.veto_max_percent
    assert Reason(veto_id, ITEMS[veto_id].section_id, Decimal(0), "veto") in score.reasons


@given(RANDOM_ANSWERS)
def test_not_applicable_items_leave_the_denominator(stored) -> None:
    score = score_inspection(DEFAULT, stored)
    for item_id, result in score.items.items():
        item = ITEMS[item_id]
        counted = result.answered and not result.not_applicable
        assert result.possible == (item.item_type.max_points(item) if counted else 0)
        assert result.hidden <= result.not_applicable
        assert result.failed <= counted
    assert score.possible == sum(r.possible for r in score.items.values())
    assert score.earned == sum(r.earned for r in score.items.values())
    assert score.is_vetoed is any(r.veto_failed for r in score.items.values())


SERVED_LISTS = st.lists(EMPLOYEE_NOS.filter(lambda n: n is not None), max_size=3)


@given(RANDOM_ANSWERS, SERVED_LISTS)
def test_staff_sums_equal_the_attributed_items(stored, served) -> None:
    """Each person-item counts for the 工号 named on it, else the first who served."""
    score = score_inspection(DEFAULT, stored, served)
    default = next((n.strip() for n in served if n.strip()), None)
    attributed: dict[str, list[str]] = {}
    for item_id in applicable(score):
        named = (stored[item_id].employee_no or "").strip()
        employee_no = None if stored[item_id].unidentified else (named or default)
        if ITEMS[item_id].staff and employee_no:
            attributed.setdefault(employee_no, []).append(item_id)
    assert [s.employee_no for s in score.staff] == sorted(attributed)
    for staff in score.staff:
        results = [score.items[i] for i in attributed[staff.employee_no]]
        assert staff.observations == len(results)
        assert staff.earned == sum(r.earned for r in results)
        assert staff.possible == sum(r.possible for r in results)
        assert staff.failures == sum(r.failed for r in results)
        assert staff.veto_findings == sum(r.veto_failed for r in results)


@given(RANDOM_ANSWERS)
def test_reasons_explain_every_lost_point(stored) -> None:
    score = score_inspection(DEFAULT, stored)
    assert sum(r.lost for r in score.reasons) == score.possible - score.earned
    kinds = [r.kind for r in score.reasons]
    assert kinds == sorted(kinds, key=lambda k: k == "veto")
    losses = [r.lost for r in score.reasons if r.kind == "lost_points"]
    assert losses == sorted(losses, reverse=True)
    assert all(loss > 0 for loss in losses)
    veto_ids = [r.item_id for r in score.reasons if r.kind == "veto"]
    assert veto_ids == [i for i, r in score.items.items() if r.veto_failed]
