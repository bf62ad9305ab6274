"""Issue 11 on the phone: a replayed submit after a review, a visit started and filled without
signal, and a queued submission the server refuses. Each ends with every answer and photo on the
server exactly once and the inspector told what state their work is in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.conftest import wait_until
from tests.browser.phone import (
    FINDING,
    PHOTO_ITEMS,
    answer_rows,
    fill_visit,
    go_offline,
    go_online,
    kept_pages,
    outbox,
    photo_rows,
    put_records,
    roster,
    sign_in,
    start_visit,
    user_id,
    visit_row,
)
from tests.browser.test_visit_offline import rows

pytestmark = pytest.mark.browser


def test_a_replayed_submit_after_the_reviewer_returned_the_visit_changes_nothing(
    live_server, phone, tmp_path: Path
):
    base, db, page = live_server["url"], live_server["db"], phone
    sign_in(page, base)
    uuid = start_visit(page, base)
    answered = fill_visit(page, tmp_path)
    sent = []

    def keep(route) -> None:  # what the phone sent, and the server's first reply
        reply = route.fetch()
        sent.append(
            (route.request.headers["idempotency-key"], route.request.post_data, reply.json())
        )
        route.fulfill(response=reply)

    page.route("**/api/visits/*/submit", keep)
    page.locator("#submit-visit").tap()
    page.wait_for_url(f"{base}/visits", timeout=30_000)
    page.unroute("**/api/visits/*/submit")
    assert len(sent) == 1
    attempt, body, first_reply = sent[0]
    assert first_reply["status"] == "submitted" and first_reply["repeated"] is False

    # The reviewer returns the visit with a comment, on another device.
    desk = page.context.browser.new_context()
    try:
        review = desk.new_page()
        sign_in(review, base, "reviewer")
        review.goto(f"{base}/review/{uuid}")
        review.fill('#return-form textarea[name="comment"]', "请补拍价目表")
        review.locator("#return-form button").click()
        review.wait_for_url(f"{base}/review")
    finally:
        desk.close()
    assert visit_row(db, uuid)["status"] == "returned"

    # The phone never heard the first reply: its outbox sends the identical submit again.
    put_records(
        page,
        [
            {
                "kind": "submit",
                "visit": uuid,
                "url": f"/api/visits/{uuid}/submit",
                "payload": json.loads(body),
                "owner": user_id(page),
                "attempt": attempt,
                "created": 0,
                "state": "queued",
                "tries": 0,
                "nextAt": 0,
            }
        ],
    )
    with page.expect_response(lambda r: r.url.endswith("/submit")) as replay:
        page.reload()
    assert replay.value.status == 200
    assert replay.value.headers.get("idempotent-replayed") == "true"
    assert replay.value.json() == first_reply
    wait_until(lambda: outbox(page) == [], timeout=10)

    # Nothing was re-applied: the visit is still returned, with the reviewer's comment.
    visit = visit_row(db, uuid)
    assert (visit["status"], visit["return_comment"]) == ("returned", "请补拍价目表")
    events = rows(
        db,
        "SELECT action FROM audit_events WHERE action LIKE 'inspection.%submit' "
        f"AND inspection_id = {visit['id']}",
    )
    assert events == [("inspection.submit",)]
    assert len(answer_rows(db, uuid)) == answered
    assert [p[0] for p in photo_rows(db, uuid)] == sorted(PHOTO_ITEMS)
    # The inspector sees the returned visit and the reviewer's comment.
    page.locator(f'a[href="/visits/{uuid}"]').click()
    returned = page.locator("#return-notes")
    assert "质检退回意见" in returned.text_content()  # the list of what the reviewer asked
    assert "请补拍价目表" in returned.text_content()
    assert page.js_errors == []


def test_a_visit_started_and_filled_without_signal_arrives_once(live_server, phone, tmp_path: Path):
    base, db, proxy, page = live_server["url"], live_server["db"], live_server["proxy"], phone
    sign_in(page, base)
    page.evaluate("navigator.serviceWorker.ready")
    forms = page.eval_on_selector_all("form.start-visit", "fs => fs.map(f => f.dataset.offlineUrl)")
    # Opening the home page online kept it and today's empty forms on the phone.
    wait_until(lambda: kept_pages(page) >= {"/visits", *forms}, timeout=20)
    before = rows(db, "SELECT count(*) FROM inspections")[0][0]

    go_offline(page, proxy)
    page.locator("form.start-visit button").first.tap()
    page.wait_for_url(lambda url: "/visits/offline/" in url)
    uuid = page.url.split("uuid=")[1]
    page.wait_for_selector("#save-state:not(:empty)")
    assert page.locator("#visit-form").is_visible()  # the kept form, not the browser's error page
    assert "服务器" not in page.text_content("#save-state")  # the server does not know it yet
    answered = fill_visit(page, tmp_path)
    served, named = roster(page)[:2]
    page.locator("#submit-visit").tap()
    wait_until(lambda: "没有网络" in page.text_content("#save-state"), timeout=10)
    kinds = sorted(r["kind"] for r in outbox(page))
    assert kinds == ["photo", "photo", "start", "submit"]
    assert rows(db, "SELECT count(*) FROM inspections")[0][0] == before

    go_online(page, proxy)
    page.wait_for_url(f"{base}/visits", timeout=40_000)
    assert "暗访已提交" in page.text_content(".page")
    assert outbox(page) == []
    assert rows(db, "SELECT count(*) FROM inspections")[0][0] == before + 1
    assert visit_row(db, uuid)["status"] == "submitted"  # under the phone's own UUID
    answers = answer_rows(db, uuid)
    assert len(answers) == answered
    assert [a for a in answers if a[0] == FINDING] == [
        (FINDING, '"fail"', named, "工牌未佩戴在左胸")
    ]
    assert {a[2] for a in answers if a[0] == "uniform.clean"} == {served}
    assert [p[0] for p in photo_rows(db, uuid)] == sorted(PHOTO_ITEMS)
    events = rows(
        db,
        "SELECT action FROM audit_events WHERE action = 'inspection.submit' "
        f"AND inspection_id = {visit_row(db, uuid)['id']}",
    )
    assert events == [("inspection.submit",)]
    assert page.js_errors == []


def test_a_queued_submission_the_server_refuses_is_flagged_with_its_reasons(
    live_server, phone, tmp_path: Path
):
    base, db, proxy, page = live_server["url"], live_server["db"], live_server["proxy"], phone
    sign_in(page, base)
    uuid = start_visit(page, base)
    go_offline(page, proxy)
    # The page kept on the phone still lists someone who has since moved to another hall (the
    # demo's fourth hall's first person): the phone takes it, the server's roster check not.
    moved = "0004001"
    answered = fill_visit(page, tmp_path, employee_no=moved)
    served = roster(page)[0]
    page.locator("#submit-visit").tap()
    wait_until(lambda: "没有网络" in page.text_content("#save-state"), timeout=10)
    assert "submit" in [r["kind"] for r in outbox(page)]

    go_online(page, proxy)
    finding = page.locator(f'.item[data-item="{FINDING}"]')
    wait_until(lambda: "has-error" in (finding.get_attribute("class") or ""), timeout=30)
    assert moved in finding.locator(".field-error").first.text_content()
    assert "服务器未接受" in page.text_content("#save-state")
    visit = visit_row(db, uuid)
    assert visit["status"] == "draft" and visit["refused_at"] is not None
    assert list(visit["errors"]) == [FINDING]

    # The home page flags the visit with the reasons.
    page.goto(f"{base}/visits")
    flagged = page.locator("li.refused-visit")
    assert flagged.count() == 1
    assert "未提交" in flagged.text_content()
    assert "工牌" in flagged.text_content() and moved in flagged.text_content()
    assert page.locator("#outbox-refused li.refused-record").count() == 1

    # Reopened, the form shows the errors beside the items again.
    flagged.locator("a").first.click()
    page.wait_for_url(f"{base}/visits/{uuid}")
    wait_until(lambda: "has-error" in (finding.get_attribute("class") or ""), timeout=10)
    # Everything else is on the server once; the refused 工号 is not stored: the finding
    # stays with who served until the inspector names someone on the roster.
    answers = answer_rows(db, uuid)
    assert len(answers) == answered
    assert [a[:3] for a in answers if a[0] == FINDING] == [(FINDING, '"fail"', served)]
    assert [p[0] for p in photo_rows(db, uuid)] == sorted(PHOTO_ITEMS)
    assert page.js_errors == []
