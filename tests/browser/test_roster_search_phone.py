"""The inspector's roster search on a phone: a 工号 it cannot find is explained, with what to do."""

from __future__ import annotations

import pytest

from tests.browser.test_staff_results_phone import BASE, serve_through
from tests.fixtures.visits import GONE, VISIT_UUID

pytestmark = pytest.mark.browser

# The plugin fixtures `visit` and `hall_roster` (tests.fixtures.visits): a started visit at the
# first hall, whose roster has 00001, 00002 and people who left; 00101 is on the second hall's.


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("00101", "北二营业厅 0102"), (GONE, "已于"), ("0009999", "不在任何营业厅")],
    ids=["other-hall", "left", "unknown"],
)
def test_a_number_not_on_the_roster_is_explained(phone, hall_roster, visit, typed, reason):
    serve_through(phone, visit.client)
    phone.set_viewport_size({"width": 360, "height": 740})
    phone.goto(f"{BASE}/visits/{VISIT_UUID}")
    picker = phone.locator(".served-picker")
    picker.wait_for()
    picker.locator(".served-search").fill(typed)
    none = picker.locator(".served-none")
    assert none.is_visible()
    why = picker.locator(".served-why")
    why.filter(has_text=typed).wait_for()
    assert reason in why.inner_text()
    assert "未能识别" in none.inner_text() or "Could not identify" in none.inner_text()
    # A name that is nobody's gets the advice without a reason.
    picker.locator(".served-search").fill("没有这个人")
    assert none.is_visible() and why.inner_text() == ""
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert phone.js_errors == []
