"""A store manager on a phone opens a failed item and appeals it with a photo."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from inspect_app.demo import DEMO_PASSWORDS
from tests.fixtures.visits import jpeg_bytes

pytestmark = pytest.mark.browser


def test_manager_files_an_appeal_with_a_photo(live_server, phone, tmp_path: Path):
    base, page = live_server["url"], phone
    page.goto(f"{base}/login")
    page.fill("#username", "manager")
    page.fill("#password", DEMO_PASSWORDS["manager"][1])
    page.locator("button.primary").tap()
    page.wait_for_url(f"{base}/my-stores")
    page.locator("table a").first.tap()
    page.wait_for_url(f"{base}/stores/*")
    page.goto(f"{base}/results/{live_server['appealable_uuid']}")
    failed = page.locator("li.failed").filter(has=page.locator("details.appeal-form")).first
    failed.scroll_into_view_if_needed()
    item_text = failed.locator("div").first.text_content()
    failed.locator("details.appeal-form summary").tap()
    failed.locator("textarea[name=reason]").fill("检查当时该员工正在协助老年客户，已补充现场照片")
    photo = tmp_path / "evidence.jpg"
    photo.write_bytes(jpeg_bytes(50, size=(1600, 1200)))
    failed.locator("input[type=file][name=photos]").set_input_files(str(photo))
    failed.locator("button.primary").tap()
    page.wait_for_selector(".flash-info")
    assert "申诉已提交" in page.text_content(".flash-info")
    assert "申诉中" in page.text_content("body")
    assert page.js_errors == []

    engine = create_engine(live_server["db"])
    with engine.connect() as conn:
        appeals = conn.execute(
            text(
                "SELECT a.status, a.reason, n.item_id FROM appeals a JOIN answers n ON n.id = a.answer_id"
            )
        ).all()
        photos = conn.execute(text("SELECT count(*) FROM photos WHERE purpose = 'appeal'")).scalar()
    engine.dispose()
    assert len(appeals) == 1 and appeals[0][0] == "open" and "老年客户" in appeals[0][1]
    assert photos == 1
    assert item_text.strip()
