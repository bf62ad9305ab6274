"""Issue 11 on the phone: an incomplete visit is shown what it lacks instead of being queued,
and a record the server cannot take never holds up the records behind it."""

from __future__ import annotations

import base64
import uuid as uuid_module
from pathlib import Path

import pytest

from tests.browser.conftest import wait_until
from tests.browser.phone import (
    FINDING,
    PHOTO_ITEMS,
    answer_rows,
    choose_served,
    fill_visit,
    go_offline,
    go_online,
    name_on_item,
    outbox,
    photo_rows,
    put_records,
    roster,
    sign_in,
    start_visit,
    take_photo,
    user_id,
    visit_row,
)
from tests.fixtures.visits import jpeg_bytes

pytestmark = pytest.mark.browser


def errors_beside(page, item_id: str) -> list[str]:
    """The messages shown beside one item."""
    item = page.locator(f'[id="item-{item_id}"]')
    if "has-error" not in (item.get_attribute("class") or ""):
        return []
    return item.locator(".field-error").all_text_contents()


def test_an_incomplete_visit_is_not_queued_and_shows_what_it_lacks(
    live_server, phone, tmp_path: Path
):
    base, db, page = live_server["url"], live_server["db"], phone
    sign_in(page, base)
    uuid = start_visit(page, base)
    # Nobody chosen as having served and nobody named on the items: every item about a person
    # is attributed to no one. And no photo where one is always needed.
    answered = fill_visit(page, tmp_path, employee_no="", photos=False, served=False)
    messages = page.evaluate(
        "() => JSON.parse(document.getElementById('visit-messages').textContent)"
    )
    person_items = page.eval_on_selector_all(
        ".item[data-item]:not([hidden]) .attribution", "els => els.length"
    )
    # Before submitting, the form already lists them and badges the failed finding.
    summary = page.locator("#submit-summary .summary-unattributed li")
    assert summary.count() == person_items
    badge = page.locator(f'[id="item-{FINDING}"] .outcome-failed')
    assert badge.evaluate("el => !el.hidden")  # shown when its section is open
    assert (
        page.locator('#submit-summary .summary-failed a[data-goto-item="' + FINDING + '"]').count()
        == 1
    )
    page.locator("#submit-visit").tap()
    missing = person_items + len(PHOTO_ITEMS)
    wait_until(lambda: f"还有 {missing} 项需要补全" in page.text_content("#save-state"), timeout=10)
    assert errors_beside(page, FINDING) == [messages["attribute"]]
    for item_id in PHOTO_ITEMS:
        assert errors_beside(page, item_id) == ["请为此项拍照。"]
    assert page.locator(f'[id="item-{FINDING}"]').is_visible()  # its section is opened
    assert page.locator("#submit-visit").is_enabled()
    assert [r for r in outbox(page) if r["kind"] == "submit"] == []
    wait_until(
        lambda: "服务器" in page.text_content("#save-state"), timeout=15
    )  # the draft is kept
    assert visit_row(db, uuid)["status"] == "draft"

    # Completed, the same visit goes through, once.
    [served] = choose_served(page)
    named = roster(page)[1]
    name_on_item(page, FINDING, named)
    assert page.locator("#submit-summary .summary-unattributed").is_hidden()
    for n, item_id in enumerate(PHOTO_ITEMS):
        take_photo(page, tmp_path, item_id, n)
    page.locator("#submit-visit").tap()
    page.wait_for_url(f"{base}/visits", timeout=30_000)
    assert visit_row(db, uuid)["status"] == "submitted"
    answers = answer_rows(db, uuid)
    assert len(answers) == answered
    assert [a[2] for a in answers if a[0] == FINDING] == [named]
    assert {a[2] for a in answers if a[0] == "uniform.clean"} == {served}
    assert [p[0] for p in photo_rows(db, uuid)] == sorted(PHOTO_ITEMS)
    assert page.js_errors == []


def test_records_the_server_cannot_take_do_not_hold_up_the_rest(live_server, phone, tmp_path: Path):
    base, db, proxy, page = live_server["url"], live_server["db"], live_server["proxy"], phone
    sign_in(page, base)
    other = start_visit(page, base)
    page.goto(f"{base}/visits")
    uuid = start_visit(page, base)
    me = user_id(page)
    missing_visit, stray_photo = str(uuid_module.uuid4()), str(uuid_module.uuid4())
    go_offline(page, proxy)
    # First in the queue: a photo for a visit the server does not have (404, kept) and a
    # submission whose body the server cannot read (400, refused).
    common = {"owner": me, "created": 0, "state": "queued", "tries": 0, "nextAt": 0}
    put_records(
        page,
        [
            {
                **common,
                "kind": "photo",
                "visit": missing_visit,
                "url": f"/api/visits/{missing_visit}/photos",
                "uuid": stray_photo,
                "item": PHOTO_ITEMS[0],
                "blobBase64": base64.b64encode(jpeg_bytes(7, size=(400, 300))).decode(),
                "name": "photo.jpg",
                "capturedAt": None,
                "attempt": str(uuid_module.uuid4()),
            },
            {
                **common,
                "kind": "submit",
                "visit": other,
                "url": f"/api/visits/{other}/submit",
                "payload": {"visit": {}, "answers": {"no.such.item": {"value": "pass"}}},
                "attempt": str(uuid_module.uuid4()),
            },
        ],
    )
    # Then a real photo for the real visit, behind them.
    take_photo(page, tmp_path, PHOTO_ITEMS[1])
    real = wait_until(
        lambda: next((r for r in outbox(page) if r["visit"] == uuid), None), timeout=10
    )
    go_online(page, proxy)

    wait_until(lambda: photo_rows(db, uuid), timeout=20)
    assert photo_rows(db, uuid) == [(PHOTO_ITEMS[1], real["uuid"])]
    thumb = page.locator(f'figure[data-photo-uuid="{real["uuid"]}"]')
    wait_until(lambda: "pending" not in thumb.get_attribute("class"), timeout=10)
    refused = page.locator("#outbox-refused li.refused-record")
    wait_until(lambda: refused.count() == 1, timeout=15)
    assert refused.get_attribute("data-kind") == "submit"
    assert "no.such.item" in refused.text_content()
    # The kept record is not blamed on the signal; the refused one is counted apart.
    status = page.text_content("#outbox-status")
    assert "本机有 1 项等待发送：服务器暂未接收" in status and "有 1 项被服务器拒绝" in status
    records = {r["kind"]: r for r in outbox(page)}
    assert set(records) == {"photo", "submit"}
    assert records["photo"]["uuid"] == stray_photo and records["photo"]["state"] == "queued"
    assert records["photo"]["last"]["status"] == 404 and records["photo"]["tries"] >= 1
    assert records["submit"]["state"] == "refused" and records["submit"]["last"]["status"] == 400
    assert visit_row(db, other)["status"] == "draft"
    assert photo_rows(db, other) == []
    # Dismissed by the inspector, the refused record goes; the kept one stays.
    refused.locator("button.dismiss").tap()
    wait_until(lambda: [r["kind"] for r in outbox(page)] == ["photo"], timeout=10)
    assert page.js_errors == []
