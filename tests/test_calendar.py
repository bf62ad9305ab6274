"""One calendar: dates and times are the halls' (Asia/Shanghai), not the server's (UTC).

Frozen clocks: 16:30 UTC is 00:30 in the halls the next day, and 15:59 UTC on the last day
of a month (and quarter) is 23:59 there, still that day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from inspect_app.auth.models import Role, User
from inspect_app.calendar import (
    DISPLAY_FORMAT,
    format_instant,
    halls_now,
    halls_today,
    local_date,
    local_datetime,
)
from inspect_app.inspections.models import Answer, Inspection
from inspect_app.reports.models import ExportJob
from inspect_app.review.models import CorrectiveAction, CorrectiveActionItem
from tests.fixtures.review import (
    FAILED_HALL_ITEM,
    FAILED_STAFF_ITEM,
    post,
    role_client,
    submit_visit,
)
from tests.fixtures.visits import visit_day, visit_payload
from tests.pdf_support import pdf_text

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: 16:30 UTC on 22 March = 00:30 in the halls on 23 March.
AFTER_HALLS_MIDNIGHT = datetime(2027, 3, 22, 16, 30, tzinfo=UTC)
#: 15:59 UTC on 31 March = 23:59 in the halls on the last day of March and of Q1.
LAST_MINUTE_OF_QUARTER = datetime(2027, 3, 31, 15, 59, tzinfo=UTC)
#: 16:30 UTC on 31 March = 00:30 in the halls on 1 April (a new month and quarter).
FIRST_MINUTES_OF_QUARTER = datetime(2027, 3, 31, 16, 30, tzinfo=UTC)


def test_helpers_convert_instants_to_the_halls_calendar():
    assert local_date(AFTER_HALLS_MIDNIGHT, SHANGHAI) == date(2027, 3, 23)
    assert local_datetime(AFTER_HALLS_MIDNIGHT, SHANGHAI).hour == 0
    assert format_instant(AFTER_HALLS_MIDNIGHT, SHANGHAI) == "2027-03-23 00:30"
    assert local_date(LAST_MINUTE_OF_QUARTER, SHANGHAI) == date(2027, 3, 31)
    assert format_instant(None, SHANGHAI) == ""
    assert DISPLAY_FORMAT == "%Y-%m-%d %H:%M"


def test_halls_today_and_now_follow_the_halls_clock(app):

    with app.app_context():
        with time_machine.travel(AFTER_HALLS_MIDNIGHT, tick=False):
            assert halls_today() == date(2027, 3, 23)
            assert halls_now().strftime(DISPLAY_FORMAT) == "2027-03-23 00:30"
        with time_machine.travel(LAST_MINUTE_OF_QUARTER, tick=False):
            assert halls_today() == date(2027, 3, 31)


def _answer(db, item_id: str) -> Answer:
    db.session.expire_all()
    return db.session.scalar(select(Answer).where(Answer.item_id == item_id))


def _appeal(manager, db, item_id):
    data = {"answer_id": _answer(db, item_id).id, "reason": "当时员工在更换工牌"}
    uuid = db.session.scalar(select(Inspection)).uuid
    return post(manager, f"/results/{uuid}/appeals", data, content_type="multipart/form-data")


@pytest.mark.usefixtures("submitted")
def test_approval_after_halls_midnight_counts_from_the_halls_date(app, db, make_user, org):
    inspection = db.session.scalar(select(Inspection))
    # An older visit, so the due date is "tomorrow in the halls" rather than visit day + 14.
    inspection.visit_date = date(2027, 3, 1)
    db.session.commit()
    with time_machine.travel(AFTER_HALLS_MIDNIGHT, tick=False):
        reviewer = role_client(app, make_user, Role.REVIEWER, "reviewer1")
        assert post(reviewer, f"/review/{inspection.uuid}/approve").status_code == 302
        # Approved 00:30 on the 23rd in the halls: actions are due on the 24th (UTC: the 23rd).
        assert db.session.scalar(select(CorrectiveAction)).due_date == date(2027, 3, 24)
        manager = role_client(app, make_user, Role.MANAGER, "manager1", stores=[org["stores"][0]])
        page = manager.get(f"/results/{inspection.uuid}")
        assert page.status_code == 200
        # A 7-day window from the 23rd ends on the 30th (from the UTC date: the 29th).
        assert "2027-03-30" in page.text
        assert "2027-03-29" not in page.text
    # 23:59 in the halls on the 30th (15:59 UTC): still open.
    with time_machine.travel(datetime(2027, 3, 30, 15, 59, tzinfo=UTC), tick=False):
        assert _appeal(manager, db, FAILED_STAFF_ITEM).status_code == 302
    # 00:30 in the halls on the 31st (16:30 UTC on the 30th): closed, and the page says when.
    with time_machine.travel(datetime(2027, 3, 30, 16, 30, tzinfo=UTC), tick=False):
        refused = _appeal(manager, db, FAILED_HALL_ITEM)
        assert refused.status_code == 422
        assert "2027-03-30" in refused.text
        assert "提交申诉" not in manager.get(f"/results/{inspection.uuid}").text


@pytest.mark.parametrize(
    ("instant", "current", "absent"),
    [
        (LAST_MINUTE_OF_QUARTER, ["2027-03", "2027-Q1"], ["2027-04", "2027-Q2"]),
        (FIRST_MINUTES_OF_QUARTER, ["2027-04", "2027-Q2"], []),
    ],
)
def test_export_periods_follow_the_halls_month_and_quarter(
    app, db, make_user, instant, current, absent
):
    with time_machine.travel(instant, tick=False):
        hr = role_client(app, make_user, Role.HR, "hr1")
        page = hr.get("/exports")
        assert page.status_code == 200
        options = page.text
        for key in current:
            assert f'<option value="{key}">' in options
        for key in absent:
            assert f'<option value="{key}">' not in options


def test_every_page_shows_one_instant_as_the_same_hall_time(
    app,
    db,
    make_user,
    org,
    visit,
    tmp_path,
):
    """A visit on the halls' day D from 00:05 to 00:35 (16:05-16:35 UTC on D-1), saved,
    submitted, approved, appealed and corrected at 21:20 in the halls (13:20 UTC): every page
    and PDF that shows one of these moments prints the halls' time, in one format."""
    day = visit_day()
    instant = datetime.combine(day, time(13, 20), UTC)
    at_instant = f"{day} 21:20"
    visit_times = f"{day} 00:05–00:35"
    utc_texts = (f"{day} 13:20", f"{day - timedelta(days=1)} 16:05", "–16:35")
    shown: dict[str, str] = {}
    with time_machine.travel(instant, tick=False):
        assert visit.draft(visit_payload(visit.definition)).status_code == 200
        shown["inspector's drafts"] = visit.client.get("/visits").text
        assert at_instant in shown["inspector's drafts"]
        submit_visit(visit, **{FAILED_HALL_ITEM: {"value": "fail", "comment": "洗手台有积水"}})
        uuid = visit.uuid
        shown["inspector's visit"] = visit.client.get(f"/visits/{uuid}/view").text
        assert visit_times in shown["inspector's visit"]

        reviewer = role_client(app, make_user, Role.REVIEWER, "reviewer1")
        shown["review queue"] = reviewer.get("/review").text
        assert at_instant in shown["review queue"]
        shown["review page"] = reviewer.get(f"/review/{uuid}").text
        assert visit_times in shown["review page"]
        assert f"<li>{at_instant} · " in shown["review page"]  # the history: submitted
        assert post(reviewer, f"/review/{uuid}/approve").status_code == 302

        manager = role_client(app, make_user, Role.MANAGER, "manager1", stores=[org["stores"][0]])
        assert _appeal(manager, db, FAILED_HALL_ITEM).status_code == 302
        item_id = db.session.scalar(select(CorrectiveActionItem.id))
        recorded = post(
            manager,
            f"/results/actions/items/{item_id}",
            {"description": "已清理积水"},
            content_type="multipart/form-data",
        )
        assert recorded.status_code == 302
        shown["result page"] = manager.get(f"/results/{uuid}").text
        assert visit_times in shown["result page"]
        assert shown["result page"].count(f"<li>{at_instant} · ") >= 2  # submitted, approved
        action_id = db.session.scalar(select(CorrectiveAction.id))
        shown["corrective action"] = manager.get(f"/results/actions/{action_id}").text
        assert f'<span class="muted">{at_instant}</span>' in shown["corrective action"]
        # Appeals show the halls' date they were filed.
        shown["manager's actions"] = manager.get("/actions").text
        shown["reviewer's appeals"] = reviewer.get("/review/appeals").text
        for name in ("manager's actions", "reviewer's appeals"):
            assert f'<span class="muted small">{day}</span>' in shown[name], name

        pdf = manager.get(f"/results/{uuid}/report.pdf")
        assert pdf.status_code == 200
        shown["visit PDF"] = pdf_text(pdf.data, tmp_path)
        assert visit_times in shown["visit PDF"]
        assert at_instant in shown["visit PDF"]  # generated

        hr = role_client(app, make_user, Role.HR, "hr1")
        db.session.add(ExportJob(requested_by_id=_user_id(db, "hr1"), kind="xlsx", period_key="x"))
        db.session.commit()
        shown["exports"] = hr.get("/exports").text
        assert at_instant in shown["exports"]
    for name, text in shown.items():
        for utc_text in utc_texts:
            assert utc_text not in text, (name, utc_text)


def _user_id(db, username: str) -> int:
    return db.session.scalar(select(User.id).where(User.username == username))
