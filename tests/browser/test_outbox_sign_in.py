"""Issue 11 on the phone: queued work survives an ended sign-in and belongs to the inspector who
made it, also when two inspectors share one phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import wait_until
from tests.browser.live_server import SECOND_INSPECTOR
from tests.browser.phone import (
    go_offline,
    go_online,
    outbox,
    photo_rows,
    sign_in,
    sign_out,
    start_visit,
    take_photo,
    user_id,
)
from tests.browser.test_visit_offline import rows

pytestmark = pytest.mark.browser

ITEM = "hygiene.cleanliness"


def queued_photo(page) -> dict:
    """The one photo record in the outbox, once a try to send it has failed."""
    return wait_until(
        lambda: next((r for r in outbox(page) if r["kind"] == "photo" and r["tries"] >= 1), None),
        timeout=15,
    )


def test_a_photo_queued_when_the_session_ends_arrives_after_signing_in_again(
    live_server, phone, tmp_path: Path
):
    base, db, proxy, page = live_server["url"], live_server["db"], live_server["proxy"], phone
    sign_in(page, base)
    uuid = start_visit(page, base)
    go_offline(page, proxy)
    take_photo(page, tmp_path, ITEM)
    record = queued_photo(page)

    # The session is gone (cookies cleared, 14 days passed) while the photo waits.
    page.context.clear_cookies()
    go_online(page, proxy)
    status = page.locator("#outbox-status")
    wait_until(lambda: "请重新登录" in (status.text_content() or ""), timeout=15)
    assert status.is_visible()
    assert "请重新登录" in page.text_content("#save-state")
    # 401: the photo is kept, not refused, and nothing reached the server.
    [kept] = outbox(page)
    assert (kept["uuid"], kept["state"]) == (record["uuid"], "queued")
    assert page.locator(f'figure[data-photo-uuid="{record["uuid"]}"].failed').count() == 0
    assert photo_rows(db, uuid) == []
    # The banner offers the way back: a sign-in link that returns to this visit.
    link = page.locator("#outbox-status a.signin-link")
    assert link.text_content() == "登录"
    assert link.get_attribute("href") == f"/login?next=%2Fvisits%2F{uuid}"

    sign_in(page, base)
    wait_until(lambda: photo_rows(db, uuid), timeout=20)
    wait_until(lambda: outbox(page) == [], timeout=10)
    assert photo_rows(db, uuid) == [(ITEM, record["uuid"])]
    # The banner is redrawn after the record is deleted from the phone's outbox.
    wait_until(lambda: page.locator("#outbox-status").is_hidden(), timeout=5)
    page.goto(f"{base}/visits/{uuid}")
    assert page.locator(f'.photos figure[data-photo-uuid="{record["uuid"]}"]').count() == 1
    assert page.js_errors == []


def test_two_inspectors_on_one_phone_each_keep_their_own_work(live_server, phone, tmp_path: Path):
    base, db, proxy, page = live_server["url"], live_server["db"], live_server["proxy"], phone
    sign_in(page, base)
    a_id = user_id(page)
    uuid = start_visit(page, base)
    go_offline(page, proxy)
    page.locator('#section-tabs button[data-goto="appearance"]').tap()
    hair = page.locator('.item[data-item="appearance.hair_men"]')
    hair.locator("details.comment summary").tap()
    hair.locator("details.comment textarea").fill("A 的备注：发型不整")
    take_photo(page, tmp_path, ITEM)
    record = queued_photo(page)

    # The signal is back, but A's uploads have not got through yet when A signs out.
    page.context.route(
        f"**/api/visits/{uuid}/**", lambda route: route.abort("internetdisconnected")
    )
    go_online(page, proxy)
    dialogs: list[str] = []
    sign_out(page, base, dialogs)
    page.context.unroute(f"**/api/visits/{uuid}/**")
    assert len(dialogs) == 1 and "1 项未发送" in dialogs[0]

    # B signs in on the same phone: A's photo is neither sent under B nor shown to B.
    to_a_visit = []
    page.on("request", lambda r: to_a_visit.append(r.url) if uuid in r.url else None)
    sign_in(page, base, SECOND_INSPECTOR[0])
    assert page.locator("#outbox-status").is_hidden()
    b_uuid = start_visit(page, base)
    page.evaluate("InspectOutbox.flush()")
    assert page.evaluate("InspectOutbox.all()") == []
    assert page.locator("#outbox-status").is_hidden()
    assert "A 的备注" not in page.content()
    assert page.locator(".photos figure.thumb").count() == 0
    assert to_a_visit == []
    [kept] = outbox(page)
    assert (kept["uuid"], kept["owner"], kept["state"]) == (record["uuid"], a_id, "queued")
    assert photo_rows(db, uuid) == [] and photo_rows(db, b_uuid) == []
    sign_out(page, base, dialogs)
    assert len(dialogs) == 1  # B had nothing unsent: no warning

    # A signs in again: the photo arrives once, and A's note from the phone reaches the server.
    sign_in(page, base)
    wait_until(lambda: photo_rows(db, uuid), timeout=20)
    page.goto(f"{base}/visits/{uuid}")
    assert page.locator("#item-appearance\\.hair_men details.comment textarea").input_value() == (
        "A 的备注：发型不整"
    )
    wait_until(lambda: "服务器" in page.text_content("#save-state"), timeout=15)
    assert page.locator(f'[id="item-{ITEM}"] figure.thumb').count() == 1
    assert page.locator("figure.thumb.pending").count() == 0
    answers = rows(
        db,
        "SELECT item_id, comment FROM answers JOIN inspections ON inspections.id = inspection_id "
        f"WHERE inspections.uuid = '{uuid}'",
    )
    assert answers == [("appearance.hair_men", "A 的备注：发型不整")]
    assert photo_rows(db, uuid) == [(ITEM, record["uuid"])]
    assert outbox(page) == []
    assert rows(
        db,
        f"SELECT count(*) FROM answers JOIN inspections ON inspections.id = inspection_id WHERE inspections.uuid = '{b_uuid}'",
    ) == [(0,)]
    assert page.js_errors == []
