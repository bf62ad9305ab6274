"""A returned visit: the reviewer's comments reach the inspector beside each item, listed at the
top of the form, and stay in the visit's history after it is resubmitted."""

from __future__ import annotations

import lxml.html
from sqlalchemy import select

from inspect_app.checklists import field_names
from inspect_app.inspections.models import Inspection, InspectionStatus
from tests.fixtures.review import FAILED_HALL_ITEM, FAILED_STAFF_ITEM, PASSED_ITEM, post
from tests.fixtures.visits import VISIT_UUID

OVERALL = "请补充照片后重新提交"
HALL_COMMENT = "积水照片看不清，请重拍"
PASSED_COMMENT = "工服一项请说明依据"


def _return(reviewer, overall: str, per_item: dict[str, str] | None = None):
    data = {
        "comment": overall,
        **{field_names.encode("rc", k): v for k, v in (per_item or {}).items()},
    }
    response = post(reviewer, f"/review/{VISIT_UUID}/return", data)
    assert response.status_code == 302, response.text


def _page(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    return lxml.html.fromstring(response.text)


def _item_text(doc, item_id: str) -> str:
    return doc.get_element_by_id(f"item-{item_id}").text_content()


def _status(db) -> InspectionStatus:
    db.session.expire_all()
    return db.session.scalar(select(Inspection.status).where(Inspection.uuid == VISIT_UUID))


def test_each_comment_shows_beside_its_item_and_the_top_lists_the_items_with_links(
    submitted, reviewer
):
    _return(reviewer, OVERALL, {FAILED_HALL_ITEM: HALL_COMMENT, PASSED_ITEM: PASSED_COMMENT})
    doc = _page(submitted.client, f"/visits/{VISIT_UUID}")
    assert HALL_COMMENT in _item_text(doc, FAILED_HALL_ITEM)
    assert PASSED_COMMENT in _item_text(doc, PASSED_ITEM)
    untouched = _item_text(doc, FAILED_STAFF_ITEM)
    assert HALL_COMMENT not in untouched and PASSED_COMMENT not in untouched
    top = doc.get_element_by_id("return-notes")
    assert OVERALL in top.text_content()
    links = top.xpath(".//a")
    # In checklist order (uniform before hygiene), each naming its item and jumping to it.
    assert [a.get("href") for a in links] == [f"#item-{PASSED_ITEM}", f"#item-{FAILED_HALL_ITEM}"]
    assert [a.get("data-goto-item") for a in links] == [PASSED_ITEM, FAILED_HALL_ITEM]
    for a in links:
        assert doc.get_element_by_id(a.get("href")[1:]) is not None
        assert a.text_content().strip()  # the item's text, not its id
        assert "." not in a.text_content()
    assert HALL_COMMENT in top.text_content() and PASSED_COMMENT in top.text_content()
    # The list is inside the form (the phone's script opens the item's section from it) and
    # comes before the first section.
    form = doc.get_element_by_id("visit-form")
    assert top in form.iter()
    order = [e.get("id") for e in form.iter() if e.get("id") in ("return-notes", "sec-details")]
    assert order == ["return-notes", "sec-details"]


def test_only_an_overall_comment_shows_no_item_list(submitted, reviewer):
    _return(reviewer, OVERALL)
    doc = _page(submitted.client, f"/visits/{VISIT_UUID}")
    top = doc.get_element_by_id("return-notes")
    assert OVERALL in top.text_content() and not top.xpath(".//a")
    assert not doc.find_class("return-comment")


def test_a_draft_has_no_return_notes(visit):
    doc = _page(visit.client, f"/visits/{VISIT_UUID}")
    assert doc.get_element_by_id("return-notes", None) is None


def test_each_returns_comments_stay_in_the_history_after_resubmission(db, submitted, reviewer):
    _return(reviewer, OVERALL, {FAILED_HALL_ITEM: HALL_COMMENT})
    assert submitted.submit(submitted.payload).status_code == 200
    _return(reviewer, "第二次退回", {PASSED_ITEM: PASSED_COMMENT})
    # The form shows the current return's comments only.
    form = _page(submitted.client, f"/visits/{VISIT_UUID}")
    assert HALL_COMMENT not in form.get_element_by_id("return-notes").text_content()
    assert HALL_COMMENT not in _item_text(form, FAILED_HALL_ITEM)
    assert PASSED_COMMENT in _item_text(form, PASSED_ITEM)
    assert submitted.submit(submitted.payload).status_code == 200
    assert _status(db) == InspectionStatus.SUBMITTED

    history = _page(reviewer, f"/review/{VISIT_UUID}").get_element_by_id("history")
    text = history.text_content()
    for words in (OVERALL, HALL_COMMENT, "第二次退回", PASSED_COMMENT):
        assert words in text
    # Which comments were given in which return: each under its own entry, in order.
    entries = [li.text_content() for li in history.xpath(".//li") if "退回" in li.text_content()]
    assert len(entries) == 2
    assert HALL_COMMENT in entries[0] and PASSED_COMMENT not in entries[0]
    assert PASSED_COMMENT in entries[1] and HALL_COMMENT not in entries[1]

    # The inspector, whose form is closed again, still reads both returns on the visit's page.
    returns = _page(submitted.client, f"/visits/{VISIT_UUID}/view").get_element_by_id("returns")
    for words in (OVERALL, HALL_COMMENT, "第二次退回", PASSED_COMMENT):
        assert words in returns.text_content()
