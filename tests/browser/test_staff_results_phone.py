"""The hall dashboard's staff table and a staff member's page fit a 360 px phone."""

from __future__ import annotations

from urllib.parse import urlsplit

from inspect_app.auth.models import Role
from tests.fixtures.staff_results import MONTH

# The staff-results fixtures (an organisation, 张伟's observed November, signed-in clients).

BASE = "http://hall.test"


def serve_through(page, client) -> None:
    """Answer every request of the page from the signed-in Flask test client."""

    def handle(route) -> None:
        url = urlsplit(route.request.url)
        response = client.get(url.path + (f"?{url.query}" if url.query else ""))
        try:
            route.fulfill(
                status=response.status_code,
                headers={"Content-Type": response.headers.get("Content-Type", "text/html")},
                body=response.get_data(),
            )
        finally:
            response.close()  # a static file's response holds the file open

    page.route(f"{BASE}/**", handle)


def overflow(page, selector: str) -> int:
    """How many pixels the element sticks out of its scroll box (0 when it fits)."""
    return page.eval_on_selector(selector, "e => e.scrollWidth - e.clientWidth")


def test_dashboard_staff_table_shows_every_column_on_a_360_px_phone(
    phone, observed, client_as, staff_world
):
    manager = client_as(Role.MANAGER, "manager_north1", stores=[staff_world.halls[0]])
    serve_through(phone, manager)
    phone.set_viewport_size({"width": 360, "height": 740})
    phone.goto(f"{BASE}/stores/{staff_world.halls[0].id}?period={MONTH.key}")
    table = "table.staff-results"
    phone.wait_for_selector(table)
    assert overflow(phone, "#staff-results .table-wrap") == 0
    for header in phone.locator(f"{table} th").all():
        box = header.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert phone.locator(f"{table} th").all_inner_texts()[-2:] == ["Failed", "Vetoes"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_staff_page_fits_a_360_px_phone(phone, observed, client_as, staff_world):
    reviewer = client_as(Role.REVIEWER, "reviewer_wu")
    serve_through(phone, reviewer)
    phone.set_viewport_size({"width": 360, "height": 740})
    phone.goto(f"{BASE}/staff/{observed['zhang'].id}?period={MONTH.key}")
    phone.wait_for_selector(".visit-trace")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
