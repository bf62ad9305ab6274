"""The audit log on a 360 px phone: filters and events stack, nothing scrolls sideways."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from inspect_app.audit.operations import record_event
from inspect_app.auth.models import Role, User
from tests.browser.test_staff_results_phone import BASE, serve_through
from tests.conftest import sign_in

pytestmark = pytest.mark.browser


def test_the_audit_log_fits_a_360_px_phone(phone, app, db, make_user, org):
    admin = db.session.get(User, make_user(Role.ADMIN, username="boss").id)
    event = record_event(
        "plan.publish", None, actor_id=admin.id, month="2026-04", visits=12,
        source="checklists/" + "a" * 150 + ".yaml",
        halls_without_visits=[{"id": s.id, "name": s.name * 6, "region": "南区"} for s in org["stores"]],
    )  # fmt: skip
    event.occurred_at = datetime(2026, 3, 31, 2, tzinfo=UTC)
    db.session.commit()
    client = app.test_client()
    assert sign_in(client, "boss").status_code == 302
    serve_through(phone, client)
    phone.set_viewport_size({"width": 360, "height": 740})
    phone.goto(f"{BASE}/admin/audit")
    phone.locator(".audit-log li").first.wait_for()
    assert "南区" in phone.locator(".audit-log").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert phone.js_errors == []
