"""A store manager's corrective actions on a 360 px phone: every row fits, the due date shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from inspect_app.review.models import CorrectiveAction
from tests.browser.test_staff_results_phone import BASE, serve_through
from tests.fixtures.visits import VISIT_UUID

pytestmark = pytest.mark.browser


@pytest.fixture
def overdue(db, approved):
    """The approved visit's corrective action, past its due date (the widest row: a tag more)."""
    action = db.session.scalar(select(CorrectiveAction))
    action.due_date = approved_visit_day(db) - timedelta(days=1)
    db.session.commit()
    return action


def approved_visit_day(db):
    return db.session.scalar(select(CorrectiveAction)).inspection.visit_date


def inside(box: dict | None, width: int) -> bool:
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def test_the_actions_list_fits_a_360_px_phone_with_its_due_date(phone, overdue, manager):
    serve_through(phone, manager)
    phone.set_viewport_size({"width": 360, "height": 740})
    phone.goto(f"{BASE}/actions")
    due = phone.locator("table.actions-table td.due").first
    due.wait_for()
    assert due.is_visible() and inside(due.bounding_box(), 360)
    assert overdue.due_date.isoformat() in due.inner_text()
    assert "逾期" in due.inner_text()  # the overdue tag beside it, in the default UI
    # The cell says what it is: its column's name shows beside the date on a phone.
    label = phone.evaluate("e => getComputedStyle(e, '::before').content", due.element_handle())
    assert "截止" in label
    for cell in phone.locator("table.actions-table tbody td").all():
        assert inside(cell.bounding_box(), 360)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert phone.js_errors == []


def test_the_results_page_with_who_served_fits_a_360_px_phone(phone, approved, manager):
    serve_through(phone, manager)
    phone.set_viewport_size({"width": 360, "height": 740})
    phone.goto(f"{BASE}/results/{VISIT_UUID}")
    served = phone.locator("#served-by")
    served.wait_for()
    assert "默认" in served.inner_text() and inside(served.bounding_box(), 360)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
