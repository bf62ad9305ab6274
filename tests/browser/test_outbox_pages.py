"""Issue 11 on the phone: a visit reopened without signal shows what was entered since its page
was kept, visits in progress stay available offline after signing in again, and a page whose
security token went stale renews it and still saves."""

from __future__ import annotations

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
    photo_rows,
    roster,
    sign_in,
    sign_out,
    start_visit,
    visit_row,
)
from tests.browser.test_visit_offline import rows

pytestmark = pytest.mark.browser


def test_a_visit_reopened_without_signal_shows_what_was_entered(live_server, phone, tmp_path: Path):
    base, db, proxy, page = live_server["url"], live_server["db"], live_server["proxy"], phone
    sign_in(page, base)
    page.evaluate("navigator.serviceWorker.ready")
    uuid = start_visit(page, base)  # the phone keeps this page as it is now: empty
    answered = fill_visit(page, tmp_path)
    served, named = roster(page)[:2]
    wait_until(lambda: "服务器" in page.text_content("#save-state"), timeout=15)
    wait_until(lambda: len(answer_rows(db, uuid)) == answered, timeout=10)
    wait_until(lambda: len(photo_rows(db, uuid)) == len(PHOTO_ITEMS), timeout=10)
    page.goto(f"{base}/visits")

    go_offline(page, proxy)
    page.locator(f'a[href="/visits/{uuid}"]').first.tap()
    page.wait_for_url(f"{base}/visits/{uuid}")
    page.wait_for_selector("#save-state:not(:empty)")
    page.locator('#section-tabs button[data-goto="appearance"]').tap()
    finding = page.locator(f'[id="item-{FINDING}"]')
    assert finding.locator(".seg-fail input").is_checked()
    # Who served and whom the finding names come back from the phone's own copy.
    assert finding.locator(".attr-select").input_value() == named
    assert finding.locator(".attr-who").text_content().endswith(named)
    page.locator('#section-tabs button[data-goto="details"]').tap()
    assert served in page.locator(".served-chosen").text_content()
    page.locator('#section-tabs button[data-goto="appearance"]').tap()
    assert page.input_value("#visit_waiting_minutes") == "5"
    checked = page.evaluate(
        "() => document.querySelectorAll('#visit-form input[type=radio]:checked').length"
    )
    assert checked == answered - 3  # all but the two number items and the remark
    for item_id in PHOTO_ITEMS:  # the photos sent since the page was kept are shown too
        thumb = page.locator(f'[id="item-{item_id}"] figure.thumb img')
        assert thumb.count() == 1
        assert thumb.evaluate("img => img.complete && img.naturalWidth > 0")

    # Submitted offline, it is not refused for want of the photos the server already has.
    page.locator(f'[id="item-{FINDING}"] details.comment textarea').fill("工牌未佩戴")
    page.locator("#submit-visit").tap()
    wait_until(lambda: "没有网络" in page.text_content("#save-state"), timeout=10)
    go_online(page, proxy)
    page.wait_for_url(f"{base}/visits", timeout=30_000)
    assert visit_row(db, uuid)["status"] == "submitted"
    answers = answer_rows(db, uuid)
    assert len(answers) == answered
    assert [a[1:] for a in answers if a[0] == FINDING] == [('"fail"', named, "工牌未佩戴")]
    assert {a[2] for a in answers if a[0] == "uniform.clean"} == {served}
    assert [p[0] for p in photo_rows(db, uuid)] == sorted(PHOTO_ITEMS)
    assert page.js_errors == []


def test_a_page_whose_token_went_stale_renews_it_and_saves(live_server, phone, tmp_path: Path):
    base, db, page = live_server["url"], live_server["db"], phone
    sign_in(page, base)
    uuid = start_visit(page, base)
    # The inspector signs out and in again in another tab: this page's token is now stale.
    other = page.context.new_page()
    other.goto(f"{base}/visits")
    sign_out(other, base)
    sign_in(other, base)
    other.close()

    replies = []
    page.on("response", lambda r: replies.append(r.status) if "/draft" in r.url else None)
    page.fill("#visit_waiting_minutes", "7")
    wait_until(lambda: "服务器" in page.text_content("#save-state"), timeout=15)
    assert replies == [403, 200]
    assert rows(db, f"SELECT waiting_minutes FROM inspections WHERE uuid = '{uuid}'") == [(7,)]
    assert page.js_errors == []


def test_a_visit_in_progress_opens_without_signal_after_signing_in_again(
    live_server, phone, tmp_path: Path
):
    base, db, proxy, page = live_server["url"], live_server["db"], live_server["proxy"], phone
    sign_in(page, base)
    page.evaluate("navigator.serviceWorker.ready")
    uuid = start_visit(page, base)
    page.fill("#visit_waiting_minutes", "9")
    wait_until(lambda: "服务器" in page.text_content("#save-state"), timeout=15)
    # Signing out drops the pages kept on the phone; the home page keeps them again.
    sign_out(page, base)
    sign_in(page, base)
    wait_until(lambda: f"/visits/{uuid}" in kept_pages(page), timeout=20)

    go_offline(page, proxy)
    page.locator(f'a[href="/visits/{uuid}"]').first.tap()
    page.wait_for_url(f"{base}/visits/{uuid}")
    page.wait_for_selector("#save-state:not(:empty)")
    assert page.input_value("#visit_waiting_minutes") == "9"
    page.fill("#visit_counter_no", "3号窗口")
    wait_until(lambda: "离线" in page.text_content("#save-state"), timeout=15)
    go_online(page, proxy)
    wait_until(lambda: "服务器" in page.text_content("#save-state"), timeout=20)
    assert rows(
        db, f"SELECT waiting_minutes, counter_no FROM inspections WHERE uuid = '{uuid}'"
    ) == [(9, "3号窗口")]
    assert page.js_errors == []


def test_text_the_server_cannot_store_is_marked_beside_its_item_and_kept(live_server, phone):
    base, db, page = live_server["url"], live_server["db"], phone
    sign_in(page, base)
    uuid = start_visit(page, base)
    page.locator('#section-tabs button[data-goto="appearance"]').tap()
    item = page.locator('.item[data-item="appearance.makeup"]')
    item.locator("details.comment summary").tap()
    # Pasted text with an invisible control character the database cannot hold.
    item.locator("details.comment textarea").evaluate(
        "el => { el.value = 'abc\\u0000def'; el.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    wait_until(lambda: item.locator(".field-error").count() > 0, timeout=15)
    assert "无法保存的字符" in item.locator(".field-error").first.text_content()
    assert "未能保存到服务器" in page.text_content("#save-state")
    assert "answers." not in page.text_content("#save-state")  # words, not a field path
    kept = page.evaluate(
        f"localStorage.getItem('visit:' + document.querySelector('meta[name=inspect-user]').content + ':{uuid}')"
    )
    assert "abc\\u0000def" in kept  # still on the phone, to be corrected
    assert rows(db, "SELECT count(*) FROM answers WHERE comment LIKE 'abc%'") == [(0,)]
    assert page.js_errors == []


def test_an_assignment_started_twice_offline_is_one_visit_and_its_answers_arrive_from_home(
    live_server, phone
):
    base, db, proxy, page = live_server["url"], live_server["db"], live_server["proxy"], phone
    sign_in(page, base)
    forms = page.eval_on_selector_all(
        "form.start-visit[data-offline-url]", "els => els.map(e => e.dataset.offlineUrl)"
    )
    wait_until(lambda: kept_pages(page) >= {"/visits", *forms}, timeout=20)
    go_offline(page, proxy)
    page.locator("form.start-visit button").first.tap()
    page.wait_for_url(lambda url: "/visits/offline/" in url)
    uuid = page.url.split("uuid=")[1]
    page.locator('#section-tabs button[data-goto="appearance"]').tap()
    page.locator('.item[data-item="appearance.hair_men"] .seg-pass').tap()

    # Back to the kept home page, still offline, and the same assignment tapped again.
    page.goto(f"{base}/visits")
    page.locator("form.start-visit button").first.tap()
    page.wait_for_url(lambda url: "/visits/offline/" in url)
    assert page.url.split("uuid=")[1] == uuid  # the same visit, not a second one
    page.locator('#section-tabs button[data-goto="appearance"]').tap()
    assert page.is_checked('.item[data-item="appearance.hair_men"] .seg-pass input')
    page.locator('.item[data-item="appearance.makeup"] .seg-fail').tap()

    # Online again on the home page: the start and the answers typed offline arrive from there,
    # and until they have, the home page says something is waiting.
    page.goto(f"{base}/visits")
    # The banner is drawn once the page has read the phone's outbox (IndexedDB, asynchronous).
    wait_until(lambda: "等待发送" in (page.text_content("#outbox-status") or ""), timeout=10)
    go_online(page, proxy)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(lambda: len(answer_rows(db, uuid)) == 2, timeout=60)
    values = {row[0]: row[1] for row in answer_rows(db, uuid)}
    assert values == {"appearance.hair_men": '"pass"', "appearance.makeup": '"fail"'}
    assert rows(db, "SELECT count(*) FROM inspections WHERE status = 'draft'") == [(1,)]
    wait_until(lambda: page.locator("#outbox-status").is_hidden(), timeout=40)
    assert page.js_errors == []
