"""The demo never lies in the future: run early on the halls' day, it makes no later moment.

Its own module: test_demo's module-scoped history keeps a session open, which on PostgreSQL
would block this test's wipe.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from inspect_app.checklists.operations import sync_directory
from inspect_app.demo import load_demo
from inspect_app.demo_history import load_demo_history
from inspect_app.inspections.models import Inspection
from inspect_app.photos.storage import photo_storage
from inspect_app.review.models import CorrectiveActionItem
from tests.conftest import DEFAULT_CHECKLIST


@pytest.mark.parametrize("today", [date(2026, 12, 1), date(2026, 11, 2)], ids=["1st", "2nd"])
def test_no_demo_moment_lies_after_the_halls_day_began(db, today):
    """Run on the morning of a month's first days (issue 13 trial), the demo made visits that
    started, were submitted and approved later that day: every moment must be in the past."""
    tz = ZoneInfo("Asia/Shanghai")
    midnight = datetime.combine(today, time(0), tz).astimezone(UTC)
    sync_directory([DEFAULT_CHECKLIST])
    load_demo(today)
    load_demo_history(photo_storage(), tz, today)
    db.session.commit()
    moments = []
    for inspection in db.session.scalars(select(Inspection)):
        moments += [
            inspection.visit_started_at,
            inspection.visit_ended_at,
            inspection.submitted_at,
            inspection.approved_at,
            *(a.attribution_resolved_at for a in inspection.answers),
            *(p.captured_at for p in inspection.photos),
        ]
        assert inspection.visit_date < today
        assert inspection.submitted_at <= inspection.approved_at
        for answer in inspection.answers:
            if answer.attribution_resolved_at is not None:
                assert answer.attribution_resolved_at <= inspection.approved_at
    for item in db.session.scalars(select(CorrectiveActionItem)):
        moments += [item.recorded_at, item.verified_at]
    found = [m.replace(tzinfo=UTC) if m.tzinfo is None else m for m in moments if m]
    assert len(found) > 100
    assert max(found) < midnight, max(found)
