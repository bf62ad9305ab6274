"""A returned visit on the inspector's phone: the reviewer's comments are listed at the top of the
form, and tapping one opens the item's section with the comment beside the item."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from tests.browser.phone import sign_in

pytestmark = pytest.mark.browser

OVERALL = "请补充卫生间照片后重新提交"
ITEM_COMMENT = "卫生间照片模糊，请重拍"


def _return_a_visit(db_url: str) -> tuple[str, str]:
    """Put one of the demo inspector's visits back to them with a comment on a hall item (one
    in a later section than the first, so the phone has to switch sections)."""
    engine = create_engine(db_url)
    with engine.begin() as conn:
        inspection_id, uuid = conn.execute(
            text(
                "SELECT i.id, i.uuid FROM inspections i JOIN users u ON u.id = i.inspector_id"
                " WHERE u.username = 'inspector' ORDER BY i.id LIMIT 1"
            )
        ).one()
        item_id = conn.execute(
            text(
                "SELECT item_id FROM answers WHERE inspection_id = :i AND item_id LIKE 'hygiene.%'"
                " ORDER BY id LIMIT 1"
            ),
            {"i": inspection_id},
        ).scalar_one()
        conn.execute(
            text(
                "UPDATE inspections SET status = 'returned', return_comment = :c,"
                " review_comments = :r, submission_hash = NULL WHERE id = :i"
            ),
            {"c": OVERALL, "r": json.dumps({item_id: ITEM_COMMENT}), "i": inspection_id},
        )
    engine.dispose()
    return uuid, item_id


def test_the_top_list_jumps_to_the_commented_item_in_its_section(live_server, phone):
    base, page = live_server["url"], phone
    uuid, item_id = _return_a_visit(live_server["db"])
    sign_in(page, base, "inspector")
    page.goto(f"{base}/visits/{uuid}")
    top = page.locator("#return-notes")
    assert top.is_visible()
    assert OVERALL in top.text_content() and ITEM_COMMENT in top.text_content()
    item = page.locator(f'[id="item-{item_id}"]')
    page.locator('#section-tabs button[data-goto="details"]').tap()
    assert not item.is_visible()  # one section at a time: the item's section is closed
    assert top.is_visible()  # the list stays above whichever section is open
    top.locator(f'a[data-goto-item="{item_id}"]').tap()
    comment = item.locator(".return-comment")
    comment.wait_for(state="visible")
    assert ITEM_COMMENT in comment.text_content()
    assert item.is_visible() and item.bounding_box()["y"] >= 0
    assert page.js_errors == []
