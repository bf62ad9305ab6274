"""Item types: reading answers, scoring them, and the form field that asks for them."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form, RadioField, StringField, TextAreaField
from wtforms.fields.core import UnboundField

from inspect_app.checklists.definition import Item
from inspect_app.checklists.item_types import (
    MAX_TEXT_LENGTH,
    AnswerError,
    ItemScore,
    get_item_type,
    item_type_keys,
)
from inspect_app.checklists.loader import load_checklist_text

PASS_FAIL = Item(
    id="desk.badge",
    section_id="desk",
    type="pass_fail",
    text="工牌佩戴规范",
    text_en="Badge worn properly",
    points=Decimal(3),
    allow_na=True,
)
SCALE = Item(
    id="hall.cleanliness",
    section_id="hall",
    type="scale",
    text="整洁程度",
    text_en="Cleanliness",
    points=Decimal(5),
    config={"max": 4},
)
STARS = Item(
    id="desk.attitude",
    section_id="desk",
    type="stars",
    text="服务态度",
    text_en="Attitude",
    points=Decimal(4),
)
CHOICE = Item(
    id="desk.greeting",
    section_id="desk",
    type="choice",
    text="问候",
    text_en="Greeting",
    points=Decimal(4),
    config={
        "options": [
            {"value": "standard", "text": "标准问候", "text_en": "Standard greeting", "points": 4},
            {"value": "late", "text": "问候不及时", "text_en": None, "points": 2},
            {"value": "none", "text": "未问候", "text_en": "Not greeted", "points": 0},
        ]
    },
)
NUMBER = Item(
    id="hall.waiting_minutes",
    section_id="hall",
    type="number",
    text="等候时长",
    text_en="Waiting time",
    points=Decimal(5),
    config={
        "min": 0,
        "max": 240,
        "bands": [{"upto": 15, "points": 5}, {"upto": 20, "points": 2}],
        "unit": "分钟",
    },
)
TEXT = Item(
    id="hall.remark",
    section_id="hall",
    type="text",
    text="备注",
    text_en="Remarks",
    required=False,
)
SCORED = [PASS_FAIL, SCALE, STARS, CHOICE, NUMBER]
ALL_ITEMS = [*SCORED, TEXT]


def na(item: Item, allowed: bool = True) -> Item:
    return replace(item, allow_na=allowed)


def parse(item: Item, raw: Any) -> Any:
    return item.item_type.parse_answer(item, raw)


#: The default rating rule: an item fails below half its points.
HALF = Decimal("0.5")


def score(item: Item, value: Any, fail_below: Decimal = HALF) -> ItemScore:
    return item.item_type.score(item, value, fail_below=fail_below)


def form_for(item: Item, lang: str = "en", formdata: MultiDict | None = None) -> Form:
    """Bind the item's field in a one-field form, optionally with submitted data."""
    form_class = type("F", (Form,), {"answer": item.item_type.form_field(item, lang)})
    return form_class(formdata=formdata)


def choices(form: Form) -> list[tuple[str, str]]:
    """The (value, label) of each radio button the form's field renders."""
    return [(choice[0], str(choice[1])) for choice in form.answer.iter_choices()]


def choice_values(item: Item) -> list[str]:
    return [value for value, _label in choices(form_for(item))]


def test_every_type_is_registered() -> None:
    assert item_type_keys() == sorted(i.type for i in ALL_ITEMS)
    for item in ALL_ITEMS:
        assert get_item_type(item.type).key == item.type


def test_sample_items_match_what_the_loader_builds() -> None:
    """The items above look like the loader's output for the same YAML."""
    result = load_checklist_text(
        """\
key: sample
title: Sample
rating: {star_thresholds: {1: 0, 2: 60, 3: 75, 4: 85, 5: 95}, min_inspections: 1}
sections:
  - id: hall
    title: Hall
    weight: 1
    items:
      - {id: hall.cleanliness, type: scale, max: 4, points: 5, text: 整洁程度, text_en: Cleanliness}
      - id: hall.waiting_minutes
        type: number
        text: 等候时长
        text_en: Waiting time
        points: 5
        unit: 分钟
        min: 0
        max: 240
        bands: [{upto: 15, points: 5}, {upto: 20, points: 2}]
      - {id: hall.remark, type: text, text: 备注, text_en: Remarks, required: false}
"""
    )
    assert result.errors == []
    assert result.definition.items == (SCALE, NUMBER, TEXT)


# --- parse_answer ----------------------------------------------------------------------

GOOD_ANSWERS = [
    (PASS_FAIL, "pass", "pass"),
    (PASS_FAIL, "fail", "fail"),
    (PASS_FAIL, "na", "na"),
    (PASS_FAIL, "", None),
    (PASS_FAIL, None, None),
    (SCALE, 0, 0),
    (SCALE, 4, 4),
    (SCALE, "3", 3),
    (SCALE, " 2 ", 2),
    (SCALE, "3.0", 3),
    (SCALE, 1.0, 1),
    (SCALE, "", None),
    (na(SCALE), "na", "na"),
    (STARS, 1, 1),
    (STARS, 5, 5),
    (STARS, "4", 4),
    (STARS, None, None),
    (na(STARS), "na", "na"),
    (CHOICE, "standard", "standard"),
    (CHOICE, "none", "none"),
    (CHOICE, "", None),
    (na(CHOICE), "na", "na"),
    (NUMBER, "12", 12),
    (NUMBER, 0, 0),
    (NUMBER, "240", 240),
    (NUMBER, "12.5", 12.5),
    (NUMBER, "12.50", 12.5),
    (NUMBER, 7.25, 7.25),
    (NUMBER, " 15 ", 15),
    (NUMBER, "240.00", 240),
    (NUMBER, "", None),
    (na(NUMBER), "na", "na"),
    # Free text is kept as typed (issue 13); only a blank one is no answer.
    (TEXT, "  Friendly staff  ", "  Friendly staff  "),
    (TEXT, "\tFriendly\r\nstaff", "\tFriendly\r\nstaff"),
    (TEXT, "\r\nFriendly", "\r\nFriendly"),
    (TEXT, "   ", None),
    (TEXT, " \t\r\n ", None),
    (TEXT, "", None),
    (TEXT, None, None),
    (TEXT, "x" * MAX_TEXT_LENGTH, "x" * MAX_TEXT_LENGTH),
    (TEXT, "\n" + "字" * (MAX_TEXT_LENGTH - 1), "\n" + "字" * (MAX_TEXT_LENGTH - 1)),
]


@pytest.mark.parametrize(
    ("item", "raw", "expected"),
    GOOD_ANSWERS,
    ids=[f"{i.type}{'+na' if i.allow_na else ''}-{r!r:.20}" for i, r, _ in GOOD_ANSWERS],
)
def test_parse_answer_accepts(item: Item, raw: Any, expected: Any) -> None:
    value = parse(item, raw)
    assert value == expected
    assert type(value) is type(expected)


NOT_NA = "This item cannot be marked not applicable."
BAD_ANSWERS = [
    (PASS_FAIL, "yes", "Choose pass or fail."),
    (PASS_FAIL, "PASS", "Choose pass or fail."),
    (PASS_FAIL, True, "Choose pass or fail."),
    (PASS_FAIL, 1, "Choose pass or fail."),
    (PASS_FAIL, ["pass"], "Choose pass or fail."),
    (na(PASS_FAIL, False), "na", NOT_NA),
    (SCALE, 5, "Enter a whole number from 0 to 4."),
    (SCALE, -1, "Enter a whole number from 0 to 4."),
    (SCALE, "3.5", "Enter a whole number from 0 to 4."),
    (SCALE, 2.5, "Enter a whole number from 0 to 4."),
    (SCALE, "three", "Enter a whole number from 0 to 4."),
    (SCALE, True, "Enter a whole number from 0 to 4."),
    (SCALE, [3], "Enter a whole number from 0 to 4."),
    (SCALE, "NaN", "Enter a whole number from 0 to 4."),
    (SCALE, "na", NOT_NA),
    (STARS, 0, "Enter a whole number from 1 to 5."),
    (STARS, 6, "Enter a whole number from 1 to 5."),
    (STARS, "4.5", "Enter a whole number from 1 to 5."),
    (STARS, "Infinity", "Enter a whole number from 1 to 5."),
    (STARS, False, "Enter a whole number from 1 to 5."),
    (STARS, "na", NOT_NA),
    (CHOICE, "great", "Choose one of the listed options."),
    (CHOICE, "Standard", "Choose one of the listed options."),
    (CHOICE, 4, "Choose one of the listed options."),
    (CHOICE, ["standard"], "Choose one of the listed options."),
    (CHOICE, {"value": "standard"}, "Choose one of the listed options."),
    (CHOICE, "na", NOT_NA),
    (NUMBER, -1, "Enter a number from 0 to 240."),
    (NUMBER, "240.01", "Enter a number from 0 to 240."),
    (NUMBER, "abc", "Enter a number from 0 to 240."),
    (NUMBER, "1,5", "Enter a number from 0 to 240."),
    (NUMBER, "NaN", "Enter a number from 0 to 240."),
    (NUMBER, "Infinity", "Enter a number from 0 to 240."),
    (NUMBER, True, "Enter a number from 0 to 240."),
    (NUMBER, {"value": 1}, "Enter a number from 0 to 240."),
    (NUMBER, "12.345", "Use at most two decimal places."),
    (NUMBER, 0.125, "Use at most two decimal places."),
    (NUMBER, "na", NOT_NA),
    (TEXT, "x" * (MAX_TEXT_LENGTH + 1), "Keep it under 2000 characters."),
    # Kept as typed, so the spaces count towards the limit.
    (TEXT, "  " + "字" * MAX_TEXT_LENGTH, "Keep it under 2000 characters."),
    (TEXT, 5, "Enter text."),
    (TEXT, ["a"], "Enter text."),
]


@pytest.mark.parametrize(
    ("item", "raw", "message"),
    BAD_ANSWERS,
    ids=[f"{i.type}-{r!r:.20}" for i, r, _ in BAD_ANSWERS],
)
def test_parse_answer_rejects(item: Item, raw: Any, message: str) -> None:
    with pytest.raises(AnswerError) as raised:
        parse(item, raw)
    assert str(raised.value) == message


def test_number_with_a_very_large_range_accepts_a_large_answer() -> None:
    huge = replace(NUMBER, config={**NUMBER.config, "max": 10**30})
    assert parse(huge, "1e29") == 10**29


@pytest.mark.parametrize(
    ("item", "value", "accepted"),
    [
        (PASS_FAIL, "fail", True),
        (PASS_FAIL, "maybe", False),
        (PASS_FAIL, "na", True),
        (na(PASS_FAIL, False), "na", False),
        (SCALE, 2, True),
        (SCALE, 9, False),
        (CHOICE, "late", True),
        (CHOICE, "great", False),
        (NUMBER, 20, True),
        (NUMBER, 500, False),
        (TEXT, "anything", False),
    ],
)
def test_accepts_condition_value(item: Item, value: Any, accepted: bool) -> None:
    assert item.item_type.accepts_condition_value(item, value) is accepted


# --- score -----------------------------------------------------------------------------

SCORES = [
    # item, value, earned, possible, not_applicable, failed (below half its points)
    (PASS_FAIL, "pass", "3", "3", False, False),
    (PASS_FAIL, "fail", "0", "3", False, True),
    (PASS_FAIL, "na", "0", "0", True, False),
    (SCALE, 4, "5", "5", False, False),
    (SCALE, 3, "3.75", "5", False, False),  # partial credit
    (SCALE, 2, "2.5", "5", False, False),  # exactly half is not below half
    (SCALE, 1, "1.25", "5", False, True),
    (SCALE, 0, "0", "5", False, True),
    (na(SCALE), "na", "0", "0", True, False),
    (replace(SCALE, points=Decimal(2), config={"max": 3}), 1, "0.667", "2", False, True),
    (replace(SCALE, points=Decimal(2), config={"max": 3}), 2, "1.333", "2", False, False),
    (replace(SCALE, points=Decimal(2), config={"max": 3}), 3, "2", "2", False, False),
    (STARS, 5, "4", "4", False, False),
    (STARS, 4, "3", "4", False, False),  # 4★: partial credit, not a failure
    (STARS, 3, "2", "4", False, False),
    (STARS, 2, "1", "4", False, True),  # 2★ fails
    (STARS, 1, "0", "4", False, True),
    (na(STARS), "na", "0", "0", True, False),
    (CHOICE, "standard", "4", "4", False, False),
    (CHOICE, "late", "2", "4", False, False),
    (CHOICE, "none", "0", "4", False, True),
    (na(CHOICE), "na", "0", "0", True, False),
    (NUMBER, 0, "5", "5", False, False),
    (NUMBER, 15, "5", "5", False, False),
    (NUMBER, 15.01, "2", "5", False, True),  # 2 of 5 is below half
    (NUMBER, 20, "2", "5", False, True),
    (NUMBER, 20.01, "0", "5", False, True),
    (NUMBER, 240, "0", "5", False, True),
    (na(NUMBER), "na", "0", "0", True, False),
    (TEXT, "Friendly staff", "0", "0", False, False),
]


@pytest.mark.parametrize(
    ("item", "value", "earned", "possible", "not_applicable", "failed"),
    SCORES,
    ids=[f"{row[0].type}-{row[1]!r}" for row in SCORES],
)
def test_score(
    item: Item, value: Any, earned: str, possible: str, not_applicable: bool, failed: bool
) -> None:
    result = score(item, value)
    assert result == ItemScore(Decimal(earned), Decimal(possible), True, not_applicable, failed)


@pytest.mark.parametrize("item", ALL_ITEMS, ids=lambda i: i.type)
def test_unanswered_item_scores_nothing_and_does_not_fail(item: Item) -> None:
    assert score(item, None) == ItemScore(Decimal(0), Decimal(0), False, False, False)


@pytest.mark.parametrize("item", SCORED, ids=lambda i: i.type)
def test_not_applicable_item_is_left_out_of_the_score(item: Item) -> None:
    result = score(na(item), parse(na(item), "na"))
    assert (result.possible, result.not_applicable, result.failed) == (Decimal(0), True, False)


#: Every answer each scored item can take (a sample for number) and whether it is the best.
ANSWERS = {
    "pass_fail": ["pass", "fail"],
    "scale": [0, 1, 2, 3, 4],
    "stars": [1, 2, 3, 4, 5],
    "choice": ["standard", "late", "none"],
    "number": [0, 7.5, 15, 15.5, 19.99, 20, 21, 240],
}
FULL_MARKS = {
    "pass_fail": {"pass"},
    "scale": {4},
    "stars": {5},
    "choice": {"standard"},
    "number": {0, 7.5, 15},
}


SHARES = [Decimal("0.5"), Decimal("0.75"), Decimal(1), Decimal("0.01")]


@pytest.mark.parametrize("fail_below", SHARES, ids=str)
@pytest.mark.parametrize(
    ("item", "value"),
    [(item, value) for item in SCORED for value in ANSWERS[item.type]],
    ids=[f"{item.type}-{value}" for item in SCORED for value in ANSWERS[item.type]],
)
def test_item_fails_below_its_share_and_loses_points_below_full_marks(
    item: Item, value: Any, fail_below: Decimal
) -> None:
    result = score(item, value, fail_below)
    assert result.possible == item.item_type.max_points(item) > 0
    assert result.failed is (result.earned < result.possible * fail_below)
    assert result.lost_points is (result.earned < result.possible)
    assert result.lost_points is (value not in FULL_MARKS[item.type])
    assert result.failed <= result.lost_points  # a failure always loses points
    if fail_below == 1:  # a share of 1: every lost point is a failure
        assert result.failed is result.lost_points


def test_pass_fail_fails_at_zero_whatever_the_share() -> None:
    for share in SHARES:
        assert score(PASS_FAIL, "fail", share).failed
        assert not score(PASS_FAIL, "pass", share).failed


def test_choice_item_without_points_is_worth_its_best_option() -> None:
    no_points = replace(CHOICE, points=Decimal(0))
    assert no_points.item_type.max_points(no_points) == Decimal(4)
    assert score(no_points, "standard").failed is False


def test_form_strings_parse_and_score_like_typed_values() -> None:
    assert score(SCALE, parse(SCALE, "3")) == score(SCALE, 3)
    assert score(STARS, parse(STARS, "5")) == score(STARS, 5)
    assert score(NUMBER, parse(NUMBER, "15.00")) == score(NUMBER, 15)


# --- form_field ------------------------------------------------------------------------

RADIO_CHOICES = [
    (PASS_FAIL, ["pass", "fail"]),
    (SCALE, ["0", "1", "2", "3", "4"]),
    (STARS, ["1", "2", "3", "4", "5"]),
    (CHOICE, ["standard", "late", "none"]),
]
RADIO_IDS = [item.type for item, _values in RADIO_CHOICES]


@pytest.mark.parametrize("allow_na", [False, True], ids=["no-na", "na"])
@pytest.mark.parametrize(("item", "values"), RADIO_CHOICES, ids=RADIO_IDS)
def test_form_field_offers_na_only_when_allowed(
    item: Item, values: list[str], allow_na: bool
) -> None:
    field = item.item_type.form_field(na(item, allow_na), "en")
    assert isinstance(field, UnboundField)
    assert field.field_class is RadioField
    assert choice_values(na(item, allow_na)) == values + (["na"] if allow_na else [])


@pytest.mark.parametrize("allow_na", [False, True], ids=["no-na", "na"])
@pytest.mark.parametrize(("item", "values"), RADIO_CHOICES, ids=RADIO_IDS)
def test_form_accepts_na_only_when_allowed(item: Item, values: list[str], allow_na: bool) -> None:
    form = form_for(na(item, allow_na), formdata=MultiDict({"answer": "na"}))
    assert form.validate() is allow_na
    if allow_na:
        assert parse(na(item, allow_na), form.answer.data) == "na"


SUBMISSIONS = [
    (PASS_FAIL, "pass", True, "pass"),
    (PASS_FAIL, "maybe", False, None),
    (PASS_FAIL, "", True, None),
    (SCALE, "3", True, 3),
    (SCALE, "5", False, None),
    (SCALE, "3.0", False, None),
    (STARS, "5", True, 5),
    (STARS, "0", False, None),
    (CHOICE, "late", True, "late"),
    (CHOICE, "great", False, None),
    (NUMBER, "12.5", True, 12.5),
    (NUMBER, "", True, None),
    (NUMBER, "1" * 21, False, None),
    (TEXT, "Friendly staff", True, "Friendly staff"),
    (TEXT, "x" * MAX_TEXT_LENGTH, True, "x" * MAX_TEXT_LENGTH),
    (TEXT, "x" * (MAX_TEXT_LENGTH + 1), False, None),
]


@pytest.mark.parametrize(
    ("item", "submitted", "valid", "answer"),
    SUBMISSIONS,
    ids=[f"{i.type}-{s:.12}" for i, s, _, _ in SUBMISSIONS],
)
def test_form_validates_submitted_answers(
    item: Item, submitted: str, valid: bool, answer: Any
) -> None:
    form = form_for(item, formdata=MultiDict({"answer": submitted}))
    assert form.validate() is valid
    if valid:
        assert parse(item, form.answer.data) == answer


def test_unanswered_radio_form_is_valid_and_parses_to_none() -> None:
    form = form_for(PASS_FAIL, formdata=MultiDict({}))
    assert form.validate() is True
    assert parse(PASS_FAIL, form.answer.data) is None


@pytest.mark.parametrize(
    ("item", "field_class"),
    [(NUMBER, StringField), (TEXT, TextAreaField)],
    ids=["number", "text"],
)
def test_number_and_text_use_text_inputs(item: Item, field_class: type) -> None:
    field = item.item_type.form_field(item, "en")
    assert isinstance(field, UnboundField)
    assert field.field_class is field_class


def test_number_field_tells_the_browser_its_range() -> None:
    rendered = form_for(NUMBER).answer()
    assert 'inputmode="decimal"' in rendered
    assert 'min="0"' in rendered
    assert 'max="240"' in rendered


@pytest.mark.parametrize(
    ("lang", "label"),
    [("en", "Badge worn properly"), ("en_GB", "Badge worn properly"), ("zh", "工牌佩戴规范")],
)
def test_form_field_label_follows_the_language(lang: str, label: str) -> None:
    assert form_for(PASS_FAIL, lang).answer.label.text == label


def test_form_field_label_falls_back_to_chinese_text() -> None:
    assert form_for(replace(STARS, text_en=None), "en").answer.label.text == "服务态度"


@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        ("en", ["Standard greeting", "问候不及时", "Not greeted"]),
        ("zh_Hans", ["标准问候", "问候不及时", "未问候"]),
    ],
)
def test_choice_option_labels_follow_the_language(lang: str, labels: list[str]) -> None:
    assert [label for _value, label in choices(form_for(CHOICE, lang))] == labels


def test_na_choice_is_labelled() -> None:
    assert dict(choices(form_for(PASS_FAIL)))["na"] == "Not applicable"
