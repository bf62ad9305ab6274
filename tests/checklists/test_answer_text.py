"""Answers in the checklist's words and points as a person writes them (pure, no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inspect_app.checklists.answer_text import answer_in_words, answer_with_points, points_text
from inspect_app.checklists.loader import load_checklist_file
from tests.conftest import DEFAULT_CHECKLIST

DEFINITION = load_checklist_file(DEFAULT_CHECKLIST).definition
D = Decimal


@pytest.mark.parametrize(
    ("value", "text"),
    [(D("30.000"), "30"), (D("12.500"), "12.5"), (D("0.000"), "0"), (None, "0"), (D("100"), "100")],
)
def test_points_have_no_trailing_zeros(value, text):
    assert points_text(value) == text


@pytest.mark.parametrize(
    ("item_id", "value", "earned", "possible", "english", "chinese"),
    [
        ("appearance.badge_worn", "fail", "0.000", "3.000", "Fail · 0 of 3 points",
         "不合格 · 得 0 分（满分 3）"),
        ("appearance.badge_worn", "pass", "3.000", "3.000", "Pass · 3 of 3 points",
         "合格 · 得 3 分（满分 3）"),
        ("phrasing.greeting", "late_or_nonstandard", "2.000", "4.000",
         "Greeted late (only after the customer came close or spoke) or with non-standard "
         "wording · 2 of 4 points",
         "问候不及时（客户走近或开口后才问候）或用语不规范 · 得 2 分（满分 4）"),
        ("behaviour.attitude", 4, "3.750", "5.000", "4★ · 3.75 of 5 points",
         "4★ · 得 3.75 分（满分 5）"),
        ("process.waiting_minutes", 17, "2.000", "5.000", "17 min · 2 of 5 points",
         "17 分钟 · 得 2 分（满分 5）"),
        ("appearance.badge_worn", "na", "0", "0", "Not applicable", "不适用"),
        ("appearance.badge_worn", None, "0", "0", "Not answered", "未作答"),
    ],
)  # fmt: skip
def test_answers_read_as_the_checklist_words_them(
    app, item_id, value, earned, possible, english, chinese
):
    item = DEFINITION.item(item_id)
    # Without a request (a worker, a pure test) the words are the checklist's English ones.
    assert answer_with_points(item, value, D(earned), D(possible), "en") == english
    with app.test_request_context():  # the default UI is Chinese
        assert answer_with_points(item, value, D(earned), D(possible), "zh_CN") == chinese


def test_a_remark_and_an_unknown_item_carry_no_points():
    remark = next(item for item in DEFINITION.items if item.type == "text")
    assert answer_with_points(remark, "整体良好", D("0.000"), D("0.000"), "en") == "整体良好"
    assert answer_in_words(None, "fail", "en") == "fail"  # an item no longer in the checklist


def test_scale_answers_read_as_a_share_of_the_top():
    item = DEFINITION.item("hygiene.cleanliness")
    assert answer_in_words(item, 3, "en") == f"3 / {item.config['max']}"
