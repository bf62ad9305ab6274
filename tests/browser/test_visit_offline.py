"""An inspector fills the whole default checklist on a phone, loses the network, and loses nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from inspect_app.demo import DEMO_PASSWORDS
from tests.browser.conftest import wait_until
from tests.fixtures.visits import jpeg_bytes

pytestmark = pytest.mark.browser


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", "inspector")
    page.fill("#password", DEMO_PASSWORDS["inspector"][1])
    page.click("button.primary")
    page.wait_for_url(f"{base}/visits")


def answer_item(page, item, named: str = "") -> None:
    """Answer one item as a careful inspector would: full marks, one finding naming `named`."""
    item_id, kind = item.get_attribute("data-item"), item.get_attribute("data-type")
    if item_id == "appearance.badge_worn":
        item.locator(".seg-fail").tap()
        item.locator(".attr-change").tap()  # someone other than who served
        item.locator(".attr-select").select_option(named)
        item.locator("details.comment summary").tap()
        item.locator("details.comment textarea").fill("工牌未佩戴在左胸")
    elif kind == "pass_fail":
        item.locator(".seg-pass").tap()
    elif kind == "scale":
        top = json.loads(item.get_attribute("data-config"))["max"]
        item.locator(f".seg-{top}").tap()
    elif kind == "stars":
        item.locator(".seg-5").tap()
    elif kind == "choice":
        options = json.loads(item.get_attribute("data-config"))["options"]
        best = max(options, key=lambda o: o["points"])["value"]
        item.locator(f".seg-{best}").tap()
    elif kind == "number":
        item.locator("input.number").fill("3")
    else:
        item.locator("textarea").first.fill("整体服务良好")


def fill_section(page, section_id: str, named: str = "") -> None:
    page.locator(f'#section-tabs button[data-goto="{section_id}"]').tap()
    section = page.locator(f'section[data-section="{section_id}"]')
    for index in range(section.locator(".item[data-item]").count()):
        item = section.locator(".item[data-item]").nth(index)
        if item.is_visible():  # conditional items appear as their condition is met
            answer_item(page, item, named)


def rows(db_url: str, sql: str) -> list:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).all()
    finally:
        engine.dispose()


def test_fill_everything_lose_the_network_submit_and_nothing_is_lost(
    live_server, phone, tmp_path: Path
):
    base, proxy, db = live_server["url"], live_server["proxy"], live_server["db"]
    page = phone
    sign_in(page, base)
    page.locator("form.start-visit button").first.tap()
    page.wait_for_url(f"{base}/visits/*")
    visit_url = page.url
    page.evaluate("navigator.serviceWorker.ready")  # the offline copy is in place

    page.fill("#visit_arrived_at", "2026-01-05T10:00")
    page.fill("#visit_waiting_minutes", "5")
    # Who served: the first on the hall's roster; the finding names the second.
    numbers = page.eval_on_selector_all(".served-option", "els => els.map(e => e.dataset.no)")
    served, named = numbers[:2]
    page.locator(f'.served-option[data-no="{served}"]').tap()
    sections = page.eval_on_selector_all(
        "section.checklist-section[data-weight]", "els => els.map(e => e.dataset.section)"
    )
    half = len(sections) // 2
    for section_id in sections[:half]:
        fill_section(page, section_id, named)

    # Reload mid-way: everything typed so far is still there.
    page.reload()
    page.wait_for_selector("#save-state:not(:empty)")
    page.locator('#section-tabs button[data-goto="appearance"]').tap()
    assert page.is_checked("#item-appearance\\.badge_worn .seg-fail input")
    assert page.input_value("#item-appearance\\.badge_worn .attr-select") == named
    assert page.locator(".served-chosen li").all_text_contents()[0].find(served) >= 0
    assert page.input_value("#visit_waiting_minutes") == "5"
    wait_until(lambda: "服务器" in page.text_content("#save-state"), timeout=20)

    # The network goes: the rest is filled in, photos taken, and submit pressed offline.
    proxy.cut()
    for section_id in sections[half:]:
        fill_section(page, section_id, named)
    page.locator('#section-tabs button[data-goto="details"]').tap()
    page.fill("#visit_left_at", "2026-01-05T10:40")
    photo_paths = []
    for n, item_id in enumerate(("hygiene.cleanliness", "hygiene.price_list")):
        path = tmp_path / f"evidence-{n}.jpg"
        path.write_bytes(jpeg_bytes(n, size=(2400, 1800)))
        photo_paths.append(path)
        page.locator('#section-tabs button[data-goto="hygiene"]').tap()
        item = page.locator(f'.item[data-item="{item_id}"]')
        item.locator(".photo-add input:not([capture])").set_input_files(str(path))
    page.locator("#submit-visit").tap()
    wait_until(lambda: "没有网络" in (page.text_content("#save-state") or ""), timeout=30)
    # The demo history's approved visits aside, only this draft exists, with no photo yet.
    new = "FROM inspections WHERE status != 'approved'"
    assert rows(db, f"SELECT status {new}") == [("draft",)]
    assert rows(db, f"SELECT count(*) FROM photos WHERE inspection_id IN (SELECT id {new})") == [
        (0,)
    ]

    # The network comes back: the visit and its photos arrive once, by themselves.
    proxy.restore()
    page.wait_for_url(f"{base}/visits", timeout=60_000)
    assert "暗访已提交" in page.text_content(".page")
    inspections = rows(
        db, "SELECT uuid, status, is_vetoed FROM inspections WHERE status != 'approved'"
    )
    assert len(inspections) == 1 and inspections[0][1] == "submitted"
    assert visit_url.endswith(inspections[0][0])
    photos = rows(
        db,
        "SELECT item_id, width, height FROM photos WHERE inspection_id IN "
        "(SELECT id FROM inspections WHERE status = 'submitted') ORDER BY item_id",
    )
    assert [p[0] for p in photos] == ["hygiene.cleanliness", "hygiene.price_list"]
    assert all(max(w, h) <= 1600 for _, w, h in photos)  # scaled down on the phone or the server
    finding = rows(
        db,
        "SELECT value, employee_no, comment, is_failed FROM answers WHERE item_id = 'appearance.badge_worn' "
        "AND inspection_id IN (SELECT id FROM inspections WHERE status = 'submitted')",
    )
    assert finding == [('"fail"', named, "工牌未佩戴在左胸", 1)]
    others = rows(
        db,
        "SELECT DISTINCT employee_no FROM answers WHERE item_id != 'appearance.badge_worn' "
        "AND points_possible > 0 AND item_id IN ('uniform.clean', 'behaviour.attitude') "
        "AND inspection_id IN (SELECT id FROM inspections WHERE status = 'submitted')",
    )
    assert others == [(served,)]  # the rest follow who served
    assert page.js_errors == []
