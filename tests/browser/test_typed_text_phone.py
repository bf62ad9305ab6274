"""On the phone, a text answer and a comment reach the server as typed and come back so."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import wait_until
from tests.browser.phone import answer_rows, sign_in, start_visit

pytestmark = pytest.mark.browser

REMARK = "process.remark"
ANSWER = "\t整体服务良好\n  第二行缩进"
COMMENT = "\n另起一行的备注"


def test_a_leading_tab_and_line_break_survive_autosave_and_reopening(live_server, phone):
    base = live_server["url"]
    sign_in(phone, base)
    uuid = start_visit(phone, base)
    phone.locator('#section-tabs button[data-goto="process"]').tap()
    item = phone.locator(f'.item[data-item="{REMARK}"]')
    item.locator(f'textarea[name="a__{REMARK.replace(".", "__")}"]').fill(ANSWER)
    item.locator("details.comment summary").tap()
    item.locator("details.comment textarea").fill(COMMENT)

    def saved():
        found = [row for row in answer_rows(live_server["db"], uuid) if row[0] == REMARK]
        return found and (json.loads(found[0][1]), found[0][3]) == (ANSWER, COMMENT)

    wait_until(saved, timeout=20)
    # Opened again from the server: each textarea holds the text with its first line break.
    phone.evaluate("localStorage.clear()")
    phone.goto(f"{base}/visits/{uuid}")
    phone.wait_for_selector("#save-state:not(:empty)")
    item = phone.locator(f'.item[data-item="{REMARK}"]')
    assert item.locator(f'textarea[name="a__{REMARK.replace(".", "__")}"]').input_value() == ANSWER
    assert item.locator("details.comment textarea").input_value() == COMMENT
