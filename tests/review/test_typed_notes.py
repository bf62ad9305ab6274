"""Reviewers' and managers' notes are stored and shown as typed; a blank one is no note.

Return comments, appeal reasons and rulings, corrective-action descriptions and verification
comments keep a leading tab, carriage return or line feed. A note that is only whitespace counts
as empty and gets the usual message; a refused note is given back in its textarea after a
newline, because HTML drops the first newline after <textarea>.
"""

from __future__ import annotations

import io

from flask_babel import gettext
from markupsafe import escape
from sqlalchemy import select

from inspect_app.inspections.models import Answer, Inspection
from inspect_app.review.models import Appeal, AppealStatus, CorrectiveActionItem
from tests.fixtures.review import FAILED_HALL_ITEM, FAILED_STAFF_ITEM, PASSED_ITEM, post
from tests.fixtures.visits import VISIT_UUID, jpeg_bytes

BLANK = " \t\r\n "


def shown(html: str, text: str) -> bool:
    return str(escape(text)) in html


def said(app, message: str, **values) -> str:
    """A message as the pages word it (the default language), escaped as in the HTML."""
    with app.test_request_context():
        return str(escape(gettext(message, **values)))


def _answer(db, item_id: str) -> Answer:
    db.session.expire_all()
    return db.session.scalar(select(Answer).where(Answer.item_id == item_id))


def _appeal(manager, db, item_id: str, reason: str):
    data = {"answer_id": _answer(db, item_id).id, "reason": reason}
    return post(manager, f"/results/{VISIT_UUID}/appeals", data, content_type="multipart/form-data")


def test_a_return_keeps_the_reviewers_comments_as_typed(db, submitted, reviewer):
    overall, beside = "\t请补拍洗手台\r\n并核实工号", "\n积水照片看不清"
    field = "rc__" + FAILED_HALL_ITEM.replace(".", "__")
    returned = post(reviewer, f"/review/{VISIT_UUID}/return", {"comment": overall, field: beside})
    assert returned.status_code == 302
    db.session.expire_all()
    inspection = db.session.scalar(select(Inspection))
    assert inspection.return_comment == overall
    assert inspection.review_comments == {FAILED_HALL_ITEM: beside}
    form = submitted.client.get(f"/visits/{VISIT_UUID}").text
    assert shown(form, overall)
    page = reviewer.get(f"/review/{VISIT_UUID}").text
    assert shown(page, overall) and shown(page, beside)


def test_a_blank_return_comment_is_no_comment(app, db, submitted, reviewer):
    field = "rc__" + FAILED_HALL_ITEM.replace(".", "__")
    refused = post(reviewer, f"/review/{VISIT_UUID}/return", {"comment": BLANK, field: BLANK})
    assert refused.status_code == 303
    page = reviewer.get(f"/review/{VISIT_UUID}").text
    message = "Say what the inspector should correct: an overall comment or one beside an item."
    assert said(app, message) in page
    assert db.session.scalar(select(Inspection)).return_comment is None


def test_an_appeal_and_its_ruling_keep_their_reasons_as_typed(db, approved, reviewer, manager):
    reason, ruling = "\r当时员工在更换工牌\r\n已出示说明", "\t照片清楚显示积水"
    assert _appeal(manager, db, FAILED_HALL_ITEM, reason).status_code == 302
    appeal = db.session.scalar(select(Appeal))
    assert appeal.reason == reason
    assert shown(reviewer.get(f"/review/{VISIT_UUID}").text, reason)
    decided = post(
        reviewer, f"/review/appeals/{appeal.id}", {"decision": "reject", "reason": ruling}
    )
    assert decided.status_code == 302
    db.session.expire_all()
    appeal = db.session.get(Appeal, appeal.id)
    assert appeal.status == AppealStatus.REJECTED and appeal.decision_reason == ruling
    assert shown(reviewer.get(f"/review/{VISIT_UUID}").text, ruling)


def test_blank_appeal_reasons_are_no_reasons(app, db, approved, reviewer, manager):
    refused = _appeal(manager, db, FAILED_HALL_ITEM, BLANK)
    assert refused.status_code == 422
    what = said(app, "the reason for the appeal")
    assert said(app, "Write %(what)s.", what=what) in refused.text
    assert db.session.scalar(select(Appeal)) is None
    assert _appeal(manager, db, FAILED_HALL_ITEM, "工牌在更换").status_code == 302
    appeal = db.session.scalar(select(Appeal))
    blank_ruling = post(
        reviewer, f"/review/appeals/{appeal.id}", {"decision": "reject", "reason": BLANK}
    )
    assert blank_ruling.status_code == 422
    assert said(app, "Write %(what)s.", what=said(app, "the reason")) in blank_ruling.text
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).status == AppealStatus.OPEN


def test_a_refused_appeal_gives_its_reason_back_with_the_leading_line_break(db, approved, manager):
    reason = "\n该项已合格，仍申诉"
    refused = _appeal(manager, db, PASSED_ITEM, reason)  # a passed item cannot be appealed
    assert refused.status_code == 422
    assert f">\n{escape(reason)}</textarea>" in refused.text


def _item(db, item_id: str) -> CorrectiveActionItem:
    db.session.expire_all()
    return db.session.scalar(
        select(CorrectiveActionItem).join(Answer).where(Answer.item_id == item_id)
    )


def test_a_corrective_action_keeps_its_description_and_verification_as_typed(
    app, db, approved, reviewer, manager
):
    item = _item(db, FAILED_HALL_ITEM)
    record, verify = f"/results/actions/items/{item.id}", f"/review/actions/items/{item.id}"
    blank = post(manager, record, {"description": BLANK}, content_type="multipart/form-data")
    assert blank.status_code == 422
    assert said(app, "Write %(what)s.", what=said(app, "what was done")) in blank.text
    description = "\r\n已清理积水\t并安排专人巡检"
    photo = (io.BytesIO(jpeg_bytes(31)), "fixed.jpg")
    done = post(
        manager, record, {"description": description, "photos": [photo]},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert done.status_code == 302
    assert _item(db, FAILED_HALL_ITEM).description == description
    comment = "\n照片看不到洗手台"
    assert (
        post(reviewer, verify, {"decision": "not_verified", "comment": comment}).status_code == 302
    )
    item = _item(db, FAILED_HALL_ITEM)
    assert item.verification_comment == comment
    page = manager.get(f"/results/actions/{item.action_id}").text
    assert shown(page, description) and shown(page, comment)
    assert _answer(db, FAILED_STAFF_ITEM).comment == "工牌未佩戴"  # the inspector's, untouched
