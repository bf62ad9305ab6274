"""The checklist form built from a definition through the item-type registry."""

from __future__ import annotations

from pathlib import Path

from werkzeug.datastructures import MultiDict

from inspect_app.checklists.forms import (
    answer_field_name,
    answer_form_class,
    comment_field_name,
)
from inspect_app.checklists.loader import load_checklist_file
from tests.conftest import DEFAULT_CHECKLIST


def _definition():
    return load_checklist_file(Path(DEFAULT_CHECKLIST)).definition


def test_every_item_gets_an_answer_and_a_comment_field():
    definition = _definition()
    form = answer_form_class(definition, "zh_CN")()
    for item in definition.items:
        assert answer_field_name(item) in form._fields
        assert comment_field_name(item) in form._fields
    assert form[answer_field_name(definition.items[0])].label.text == definition.items[0].text


def test_english_labels_come_from_text_en():
    definition = _definition()
    form = answer_form_class(definition, "en")()
    item = definition.items[0]
    assert form[answer_field_name(item)].label.text == item.text_en


def test_valid_answers_pass_and_invalid_ones_are_flagged_per_item():
    definition = _definition()
    by_type = {item.type: item for item in definition.items}
    good = {
        answer_field_name(by_type["pass_fail"]): "fail",
        answer_field_name(by_type["scale"]): "3",
        answer_field_name(by_type["stars"]): "5",
        answer_field_name(by_type["choice"]): by_type["choice"].config["options"][0]["value"],
        comment_field_name(by_type["pass_fail"]): "工牌戴在右胸",
    }
    assert answer_form_class(definition, "zh_CN")(MultiDict(good)).validate()
    bad = {
        **good,
        answer_field_name(by_type["stars"]): "6",
        comment_field_name(by_type["pass_fail"]): "长" * 2001,
    }
    form = answer_form_class(definition, "zh_CN")(MultiDict(bad))
    assert not form.validate()
    assert set(form.errors) == {
        answer_field_name(by_type["stars"]),
        comment_field_name(by_type["pass_fail"]),
    }


def test_not_applicable_is_offered_only_where_the_checklist_allows_it():
    definition = _definition()
    form = answer_form_class(definition, "zh_CN")()
    for item in definition.items:
        field = form[answer_field_name(item)]
        values = [choice.value for choice in getattr(field, "choices", None) or []]
        if item.type in {"pass_fail", "scale", "stars", "choice"}:
            assert ("na" in values) == item.allow_na, item.id
