"""Free text is stored and shown as typed: comments, text answers and descriptions of a person.

A leading tab, carriage return or line feed survives the page's JSON (autosave, submit, the
outbox) and the form without JavaScript, and is given back in its textarea after a newline,
because HTML drops the first newline after <textarea> (a draft saved and opened again keeps
its leading line break). Only a text that is nothing but whitespace counts as empty.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask_babel import gettext
from markupsafe import escape
from sqlalchemy import select

from inspect_app.checklists.forms import answer_field_name, comment_field_name
from inspect_app.checklists.loader import load_checklist_text
from inspect_app.inspections.attribution import UNIDENTIFIED_CHOICE, describe_message
from inspect_app.inspections.models import Answer, Inspection
from inspect_app.inspections.payload import (
    AnswerPayload,
    VisitPayload,
    description_field_name,
    payload_from_json,
    staff_field_name,
)
from inspect_app.inspections.visit_checks import check_visit
from tests.conftest import csrf_from
from tests.fixtures.review import submit_visit
from tests.fixtures.visits import VISIT_UUID, complete_answers, visit_payload
from tests.inspections.test_nojs_photos import item_block

#: Texts that lose their first character to a careless strip().
TYPED = ["\t制表符开头", "\r回车开头", "\n换行开头", "\r\n回车换行开头\r\n第二行  "]
REMARK = "process.remark"  # the default checklist's free-text item
PERSON_ITEM = "appearance.badge_worn"  # an item about a person
DESCRIPTION = "\n门口迎宾\r\n短发、戴眼镜"
BLANK = " \t\r\n "


def plain_items(definition) -> list[str]:
    """Ids of as many scored, always-shown items as there are TYPED texts."""
    ids = [
        item.id
        for item in definition.items
        if item.item_type.scored and not item.show_if and item.id != PERSON_ITEM
    ]
    return ids[: len(TYPED)]


def stored_answers(db) -> dict[str, Answer]:
    db.session.expire_all()
    return {a.item_id: a for a in db.session.scalars(select(Answer))}


def in_textarea(html: str, text: str, newline: str = "\r\n") -> bool:
    """The text is the textarea's content, after the newline HTML drops there."""
    return f">{newline}{escape(text)}</textarea>" in html


def test_the_json_draft_keeps_comments_a_text_answer_and_a_description_as_typed(db, visit):
    definition = visit.definition
    full = complete_answers(definition)
    comments = dict(zip(plain_items(definition), TYPED, strict=True))
    overrides = {item_id: {**full[item_id], "comment": text} for item_id, text in comments.items()}
    overrides[REMARK] = {"value": TYPED[3]}
    overrides[PERSON_ITEM] = {
        "value": "pass", "unidentified": True, "person_description": DESCRIPTION,
    }  # fmt: skip
    assert visit.draft(visit_payload(definition, **overrides)).status_code == 200

    answers = stored_answers(db)
    assert {item_id: answers[item_id].comment for item_id in comments} == comments
    assert answers[REMARK].value == TYPED[3]
    assert answers[PERSON_ITEM].person_description == DESCRIPTION
    # Opened again, each text is back in its textarea exactly.
    page = visit.client.get(f"/visits/{VISIT_UUID}").text
    for item_id, text in comments.items():
        assert in_textarea(item_block(page, item_id), text), item_id
    assert in_textarea(item_block(page, REMARK), TYPED[3])
    assert in_textarea(item_block(page, PERSON_ITEM), DESCRIPTION, newline="\n")


def test_the_form_without_javascript_keeps_them_as_typed(db, visit):
    definition = visit.definition
    page = visit.client.get(f"/visits/{VISIT_UUID}").text
    comments = dict(zip(plain_items(definition), TYPED, strict=True))
    form = {"csrf_token": csrf_from(page), "action": "save"}
    for item_id, text in comments.items():
        form[comment_field_name(definition.item(item_id))] = text
    form[answer_field_name(definition.item(REMARK))] = TYPED[0]
    person = definition.item(PERSON_ITEM)
    form[answer_field_name(person)] = "pass"
    form[staff_field_name(person)] = UNIDENTIFIED_CHOICE
    form[description_field_name(person)] = DESCRIPTION
    saved = visit.client.post(f"/visits/{VISIT_UUID}", data=form)
    assert saved.status_code == 303, saved.text

    answers = stored_answers(db)
    assert {item_id: answers[item_id].comment for item_id in comments} == comments
    assert answers[REMARK].value == TYPED[0]
    assert answers[PERSON_ITEM].person_description == DESCRIPTION
    page = visit.client.get(f"/visits/{VISIT_UUID}").text
    for item_id, text in comments.items():
        assert in_textarea(item_block(page, item_id), text), item_id
    assert in_textarea(item_block(page, PERSON_ITEM), DESCRIPTION, newline="\n")


def test_the_submitted_visit_shows_the_texts_as_typed(db, visit):
    definition = visit.definition
    full = complete_answers(definition)
    comments = dict(zip(plain_items(definition), TYPED, strict=True))
    overrides = {item_id: {**full[item_id], "comment": text} for item_id, text in comments.items()}
    overrides[REMARK] = {"value": TYPED[0]}
    submit_visit(visit, **overrides)
    uuid = db.session.scalar(select(Inspection.uuid))
    page = visit.client.get(f"/visits/{uuid}/view")
    assert page.status_code == 200
    for text in (*TYPED, TYPED[0]):
        assert str(escape(text)) in page.text
    # Shown as typed on screen too: each comment sits in a paragraph whose style keeps its line
    # breaks and leading tabs (a plain paragraph would collapse them into one space).
    for text in TYPED:
        assert f'<p class="small typed">{escape(text)}</p>' in page.text
    css = visit.client.get("/static/css/app.css").text
    assert re.search(r"\.typed\s*\{[^}]*white-space:\s*pre-wrap", css)


def test_a_retried_submission_with_typed_text_is_recognised_as_a_repeat(db, visit):
    item_id = plain_items(visit.definition)[0]
    full = complete_answers(visit.definition)
    body = submit_visit(visit, **{item_id: {**full[item_id], "comment": TYPED[3]}})
    assert _stored_comment(db, item_id) == TYPED[3]
    again = visit.submit(body)
    assert again.status_code == 200 and again.json["repeated"] is True


def _stored_comment(db, item_id: str) -> str | None:
    return stored_answers(db)[item_id].comment


def test_the_content_hash_of_typed_text_is_what_it_was_when_text_was_trimmed():
    """A submission queued before texts were kept as typed still hashes the same on retry."""

    def payload(comment: str, description: str | None = None) -> VisitPayload:
        answer = AnswerPayload(
            "pass", comment, unidentified=description is not None, person_description=description
        )
        return VisitPayload(visit={"counter_no": "3"}, answers={PERSON_ITEM: answer})

    typed = payload("\t工牌未佩戴\r\n", "\n戴眼镜的保安 ")
    assert typed.canonical_hash() == payload("工牌未佩戴", "戴眼镜的保安").canonical_hash()
    assert typed.canonical_hash() == payload("\t工牌未佩戴\r\n", "\n戴眼镜的保安 ").canonical_hash()
    assert typed.canonical_hash() != payload("工牌已佩戴", "戴眼镜的保安").canonical_hash()


def in_the_pages_language(app, message) -> str:
    """A message as the server words it (the default language); `message` may be a callable."""
    with app.test_request_context():
        return message() if callable(message) else gettext(message)


def test_blank_texts_are_empty(app, db, visit):
    definition = visit.definition
    item_id = plain_items(definition)[0]
    overrides = {
        item_id: {**complete_answers(definition)[item_id], "comment": BLANK},
        REMARK: {"value": BLANK},
        PERSON_ITEM: {"value": "pass", "unidentified": True, "person_description": BLANK},
    }
    assert visit.draft(visit_payload(definition, **overrides)).status_code == 200
    answers = stored_answers(db)
    assert answers[item_id].comment is None
    assert REMARK not in answers or answers[REMARK].value is None
    assert answers[PERSON_ITEM].person_description is None
    # A blank description of an unidentified person is no description: the usual message.
    refused = visit.submit(visit_payload(definition, **overrides))
    assert refused.status_code == 422
    assert refused.json["errors"][PERSON_ITEM] == [in_the_pages_language(app, describe_message)]


REQUIRED_TEXT = """\
key: sample
title: Sample
rating: {star_thresholds: {1: 0, 2: 60, 3: 75, 4: 85, 5: 95}, min_inspections: 1}
sections:
  - id: main
    title: Main
    weight: 1
    items:
      - {id: main.pass, type: pass_fail, text: A, points: 1}
      - {id: main.remark, type: text, text: 备注, required: true}
"""


@pytest.mark.parametrize("raw", [BLANK, "", None])
def test_a_blank_answer_to_a_required_text_item_asks_for_an_answer(app, raw):
    definition = load_checklist_text(REQUIRED_TEXT).definition
    payload = payload_from_json({"answers": {"main.remark": {"value": raw}}}, definition)
    with app.test_request_context():
        checked = check_visit(
            payload,
            definition,
            tz=UTC,
            now=datetime.now(UTC),
            for_submit=True,
            roster=lambda day, numbers: {},
        )
    assert checked.errors["main.remark"] == [in_the_pages_language(app, "Answer this item.")]
    assert (
        checked.answers.get("main.remark") is None or checked.answers["main.remark"].value is None
    )
