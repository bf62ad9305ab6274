"""Issue 12 on the phone: the inspector picks who served from the hall's roster, names someone
else on one item and marks another person as not identified; every item about a person
arrives attributed."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspect_app.checklists.loader import load_checklist_file
from tests.browser.phone import (
    _ANSWER_ALL,
    FINDING,
    FINDING_COMMENT,
    PHOTO_ITEMS,
    name_on_item,
    roster,
    sign_in,
    start_visit,
    take_photo,
    visit_row,
    visit_times,
)
from tests.browser.test_visit_offline import rows
from tests.conftest import DEFAULT_CHECKLIST

pytestmark = pytest.mark.browser

#: A passed item about a person, marked "not identified" with a description.
UNSEEN = "uniform.clean"
DESCRIPTION = "门口引导员，短发，戴眼镜"


def fits(page, width: int) -> bool:
    """Nothing on the page is wider than the phone's screen (no sideways scrolling)."""
    return page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_the_inspector_picks_who_served_names_someone_else_and_everything_is_attributed(
    live_server, phone, tmp_path: Path
):
    base, db, page = live_server["url"], live_server["db"], phone
    sign_in(page, base)
    uuid = start_visit(page, base)
    numbers = roster(page)
    names = dict(
        zip(
            numbers,
            page.eval_on_selector_all(
                ".served-option .served-name", "els => els.map(e => e.textContent)"
            ),
            strict=True,
        )
    )
    first, second, third = numbers[:3]

    # Near the top of the form: search the hall's roster by name, then by 工号.
    picker = page.locator(".served-picker")
    assert picker.is_visible() and page.locator(".served-slots").is_hidden()
    search = picker.locator(".served-search")
    assert search.get_attribute("aria-label")
    search.fill(names[first])
    visible = picker.locator(".served-option:visible")
    assert visible.count() == 1 and first in visible.text_content()
    visible.tap()
    search.fill(second[-3:])
    picker.locator(f'.served-option[data-no="{second}"]').tap()
    search.fill("没有这个人")
    assert picker.locator(".served-none").is_visible()
    search.fill("")
    chips = picker.locator(".served-chosen li")
    assert chips.count() == 2
    assert names[first] in chips.nth(0).text_content() and "默认" in chips.nth(0).text_content()
    assert picker.locator(f'.served-option[data-no="{first}"]').get_attribute("aria-pressed") == (
        "true"
    )
    remove = chips.nth(1).locator(".served-remove")
    assert names[second] in remove.get_attribute("aria-label")
    assert fits(page, 390)

    arrived, left = visit_times()
    page.fill("#visit_arrived_at", arrived)
    page.fill("#visit_left_at", left)
    page.fill("#visit_waiting_minutes", "5")
    page.evaluate(_ANSWER_ALL, ["", FINDING_COMMENT])  # every item answered, nobody named

    # Each item about a person says whom it is attributed to: the first who served.
    page.locator('#section-tabs button[data-goto="uniform"]').tap()
    unseen = page.locator(f'.item[data-item="{UNSEEN}"]')
    assert unseen.locator(".attr-who").text_content() == f"{names[first]} {first}"
    assert unseen.locator(".attr-note").is_visible()
    assert unseen.locator(".attr-edit").is_hidden()
    # Someone else served at the badge check; the person at the door could not be identified.
    name_on_item(page, FINDING, third)
    finding = page.locator(f'.item[data-item="{FINDING}"]')
    assert finding.locator(".attr-who").text_content() == f"{names[third]} {third}"
    assert finding.locator(".outcome-failed").is_visible()  # 不合格 · 将开整改单
    name_on_item(page, UNSEEN, "?")
    description = unseen.locator(".attr-desc textarea")
    assert description.is_visible()
    description.fill(DESCRIPTION)
    assert unseen.locator(".attr-who").text_content() == "未能识别" or unseen.locator(
        ".attr-who"
    ).text_content() == page.evaluate(
        "() => JSON.parse(document.getElementById('visit-messages').textContent).not_identified"
    )
    assert unseen.locator(".attr-note").is_hidden()
    for n, item_id in enumerate(PHOTO_ITEMS):
        take_photo(page, tmp_path, item_id, n)

    # Before submitting: which items failed and will open a corrective action.
    summary = page.locator("#submit-summary")
    failed = summary.locator(".summary-failed a").all_text_contents()
    assert finding.locator(".item-text").text_content() in failed
    assert summary.locator(".summary-unattributed").is_hidden()
    page.set_viewport_size({"width": 360, "height": 780})
    for section in ("details", "uniform"):
        page.locator(f'#section-tabs button[data-goto="{section}"]').tap()
        assert fits(page, 360), section

    page.locator("#submit-visit").tap()
    page.wait_for_url(f"{base}/visits", timeout=30_000)
    assert visit_row(db, uuid)["status"] == "submitted"
    visit_id = visit_row(db, uuid)["id"]
    served = rows(
        db,
        "SELECT staff.employee_no, served_staff.position FROM served_staff JOIN staff "
        f"ON staff.id = served_staff.staff_id WHERE inspection_id = {visit_id} ORDER BY served_staff.position",
    )
    assert served == [(first, 0), (second, 1)]
    answers = rows(
        db,
        "SELECT answers.item_id, answers.employee_no, staff.employee_no, is_staff_named, "
        "is_unidentified, person_description FROM answers LEFT JOIN staff ON staff.id = "
        f"answers.staff_id WHERE inspection_id = {visit_id} AND points_possible > 0",
    )
    stored = {a[0]: tuple(a[1:]) for a in answers}
    definition = load_checklist_file(DEFAULT_CHECKLIST).definition
    person_items = [i.id for i in definition.items if i.staff and i.item_type.scored]
    assert set(person_items) <= set(stored)  # all of them answered and counted
    # Every item about a person is attributed: named, not identified, or who served first.
    assert stored[FINDING] == (third, third, True, False, None)
    assert stored[UNSEEN] == (None, None, False, True, DESCRIPTION)
    for item_id in set(person_items) - {FINDING, UNSEEN}:
        assert stored[item_id] == (first, first, False, False, None), item_id
    for item_id in set(stored) - set(person_items):  # the hall's own items are about nobody
        assert stored[item_id][:2] == (None, None), item_id
    assert page.js_errors == []
