"""The reviewer and the store see who served and whom each finding counts for, by name and 工号;
the store never sees the inspector, nor what the inspector wrote about an unidentified person."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from inspect_app.auth.models import User
from inspect_app.inspections.models import Inspection
from inspect_app.review.models import CorrectiveAction
from tests.conftest import post_form
from tests.fixtures.review import (
    COLLEAGUE,
    FAILED_HALL_ITEM,
    FAILED_STAFF_ITEM,
    PASSED_ITEM,
    SERVED,
    post,
)
from tests.fixtures.visits import PHOTO_ALWAYS, VISIT_UUID, jpeg_bytes, visit_payload
from tests.review.test_attribution import _answer, _resolve

#: The inspector's name, and a description of an unidentified person that gives it away.
INSPECTOR_NAME = "陈立"
GIVES_AWAY = f"为{INSPECTOR_NAME}开门的保安，戴眼镜"


def english(client) -> None:
    """Show the client's pages in English (strings added by this change are not translated)."""
    post_form(client, "/language", {"lang": "en", "next": "/"})


def served_block(html: str) -> str:
    return html.split('id="served-by">', 1)[1].split("</p>", 1)[0]


def item_row(html: str, item_id: str) -> str:
    start = html.index(f'<li id="item-{item_id}"')
    return html[start : html.index("</li>", start)]


def text_of(html: str) -> str:
    """The HTML's visible text, tags dropped and spaces run together."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def submit(visit, served_by: list[str], **answers) -> None:
    for n, item_id in enumerate((*PHOTO_ALWAYS, FAILED_HALL_ITEM)):
        assert visit.photo(str(uuid.uuid4()), item_id, jpeg_bytes(10 + n)).status_code == 201
    payload = visit_payload(visit.definition, served_by=served_by, **answers)
    response = visit.submit(payload)
    assert response.status_code == 200, response.json


@pytest.fixture
def served_two(db, hall_staff, visit):
    """Submitted: served by 李娜 (COLLEAGUE) first, then 员工0 (SERVED); the badge finding is
    named on 员工0, the restroom is a hall finding."""
    submit(
        visit,
        [COLLEAGUE, SERVED],
        **{
            FAILED_STAFF_ITEM: {"value": "fail", "employee_no": SERVED, "comment": "工牌未佩戴"},
            FAILED_HALL_ITEM: {"value": "fail", "comment": "洗手台有积水"},
        },
    )
    return visit


@pytest.fixture
def gives_away(db, hall_staff, visit):
    """Submitted by 陈立, whose description of an unidentified person names himself."""
    inspector = db.session.scalar(select(User).where(User.id == visit.client.user.id))
    inspector.display_name = INSPECTOR_NAME
    db.session.commit()
    submit(
        visit,
        [SERVED],
        **{
            FAILED_STAFF_ITEM: {
                "value": "fail",
                "unidentified": True,
                "person_description": GIVES_AWAY,
            },
            FAILED_HALL_ITEM: {"value": "fail", "comment": "洗手台有积水"},
        },
    )
    return visit


def test_the_review_page_lists_who_served_in_order_and_whom_each_item_counts_for(
    db, served_two, reviewer
):
    english(reviewer)
    page = reviewer.get(f"/review/{VISIT_UUID}").text
    served = text_of(served_block(page))
    assert served.startswith("Staff who served:")
    # In the order chosen, names with their 工号, the first marked as the default.
    assert served.index("李娜 00002 default") < served.index("员工0 00001")
    assert served.count("default") == 1
    # A passed person-item counts for the first who served; the named finding for 员工0.
    assert "Attributed to: 李娜 00002" in text_of(item_row(page, PASSED_ITEM))
    assert "Attributed to: 员工0 00001" in text_of(item_row(page, FAILED_STAFF_ITEM))
    # A hall item is about nobody.
    assert "Attributed to" not in item_row(page, FAILED_HALL_ITEM)


def test_the_default_is_marked_in_the_chinese_ui(db, served_two, reviewer):
    served = text_of(served_block(reviewer.get(f"/review/{VISIT_UUID}").text))
    assert "李娜 00002 默认" in served and "员工0 00001" in served


def test_the_manager_sees_who_served_and_the_names_on_the_results_page(
    db, served_two, reviewer, manager
):
    assert post(reviewer, f"/review/{VISIT_UUID}/approve").status_code == 302
    english(manager)
    page = manager.get(f"/results/{VISIT_UUID}").text
    served = text_of(served_block(page))
    assert served.index("李娜 00002 default") < served.index("员工0 00001")
    assert "Attributed to: 员工0 00001" in text_of(item_row(page, FAILED_STAFF_ITEM))
    assert "Attributed to: 李娜 00002" in text_of(item_row(page, PASSED_ITEM))


def test_the_manager_never_sees_the_inspector_nor_the_description(
    app, db, gives_away, reviewer, manager
):
    english(reviewer)
    review_page = reviewer.get(f"/review/{VISIT_UUID}").text
    # The reviewer reads both: the inspector's name and what they wrote.
    assert INSPECTOR_NAME in review_page
    assert GIVES_AWAY in item_row(review_page, FAILED_STAFF_ITEM)
    assert GIVES_AWAY in review_page.split('id="unidentified"', 1)[1]
    assert _resolve(reviewer, _answer(db).id, "unidentified").status_code == 302
    resolved = text_of(item_row(reviewer.get(f"/review/{VISIT_UUID}").text, FAILED_STAFF_ITEM))
    assert "Attributed to: Not identified (confirmed)" in resolved and GIVES_AWAY in resolved
    assert post(reviewer, f"/review/{VISIT_UUID}/approve").status_code == 302

    english(manager)
    action = db.session.scalar(select(CorrectiveAction))
    pages = {
        "results": manager.get(f"/results/{VISIT_UUID}").text,
        "action": manager.get(f"/results/actions/{action.id}").text,
        "actions": manager.get("/actions").text,
    }
    for name, html in pages.items():
        assert INSPECTOR_NAME not in html, name
        assert GIVES_AWAY not in html, name
    row = text_of(item_row(pages["results"], FAILED_STAFF_ITEM))
    assert "Attributed to: Not identified (confirmed)" in row
    assert "Inspector’s description" not in pages["results"]
    assert "Attributed to: Not identified (confirmed)" in text_of(pages["action"])


def test_a_resolved_finding_shows_the_persons_name(app, db, gives_away, reviewer):
    english(reviewer)
    named = _resolve(reviewer, _answer(db).id, "name", COLLEAGUE)
    assert named.status_code == 302
    page = reviewer.get(named.headers["Location"]).text
    assert "The finding is attributed to 李娜 (00002)." in page
    assert "Attributed to: 李娜 00002" in text_of(item_row(page, FAILED_STAFF_ITEM))


def test_answers_are_words_with_points_on_the_action_page(db, served_two, reviewer, manager):
    """The default (Chinese) UI: 不合格 · 得 0 分（满分 3）, never fail · 0.000/3.000."""
    assert post(reviewer, f"/review/{VISIT_UUID}/approve").status_code == 302
    action = db.session.scalar(select(CorrectiveAction))
    page = manager.get(f"/results/actions/{action.id}").text
    badge = page[page.index(f'id="ai-{action.items[0].id}"') :]
    assert "不合格 · 得 0 分（满分 3）" in badge
    assert "0.000" not in page and "fail ·" not in page
    assert '员工0 <span class="code">00001</span>' in page  # the named person, by name


def test_answers_are_words_on_the_review_page_and_its_unidentified_block(
    app,
    db,
    hall_staff,
    visit,
    reviewer,
):
    submit(
        visit,
        [SERVED],
        **{
            "phrasing.greeting": {
                "value": "late_or_nonstandard",
                "unidentified": True,
                "person_description": "门口引导员",
            },
            FAILED_HALL_ITEM: {"value": "fail", "comment": "洗手台有积水"},
        },
    )
    page = reviewer.get(f"/review/{VISIT_UUID}").text
    block = page.split('id="unidentified"', 1)[1].split("</section>", 1)[0]
    assert "问候不及时（客户走近或开口后才问候）或用语不规范 · 得 2 分（满分 4）" in block
    assert "late_or_nonstandard" not in page and ".000" not in page
    assert "合格 · 得 3 分（满分 3）" in item_row(page, FAILED_STAFF_ITEM)


def test_approve_is_shown_disabled_with_the_reason_while_a_finding_is_unidentified(
    app, db, gives_away, reviewer
):
    english(reviewer)
    page = reviewer.get(f"/review/{VISIT_UUID}").text
    form = page.split('class="approve-form"', 1)[1].split("</form>", 1)[0]
    assert re.search(r'<button type="submit" class="primary" disabled', form)
    reason = "Approve once the findings with an unidentified staff member are resolved (1 left)."
    assert reason in form and 'href="#unidentified"' in form
    # The queue marks the visit.
    assert "Staff to confirm (1)" in reviewer.get("/review").text
    # The server still refuses a forged approval.
    refused = post(reviewer, f"/review/{VISIT_UUID}/approve", follow_redirects=True)
    assert "1 findings still have an unidentified staff member: resolve them first." in (
        refused.text
    )

    assert _resolve(reviewer, _answer(db).id, "name", COLLEAGUE).status_code == 302
    page = reviewer.get(f"/review/{VISIT_UUID}").text
    form = page.split('class="approve-form"', 1)[1].split("</form>", 1)[0]
    assert " disabled" not in form and reason not in form
    assert "Staff to confirm" not in reviewer.get("/review").text
    assert post(reviewer, f"/review/{VISIT_UUID}/approve").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Inspection)).status == "approved"


def test_the_queue_marks_only_visits_with_unresolved_findings(db, served_two, reviewer):
    english(reviewer)
    queue = reviewer.get("/review").text
    assert VISIT_UUID in queue and "Staff to confirm" not in queue
