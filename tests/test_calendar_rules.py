"""Every date rule follows the halls' calendar at the edges of a day, a month and a quarter.

Each rule is checked, through the pages where a user meets it, at two instants around the halls'
midnight ending the last day of a month (30 April) and of a quarter (31 March):

- 23:59 in the halls (15:59 UTC): still the last day, so nothing has rolled over yet;
- 00:30 in the halls the next day (16:30 UTC, still the last day in UTC): the new day, month
  and quarter have begun. A rule that took the server's (UTC) date fails here.

The rules: the appeal window, overdue flags (corrective actions, assignments, the plan), the
default period of the rating pages, the planner's default month and the export period.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from flask_babel import force_locale, gettext
from sqlalchemy import select

from inspect_app.auth.models import Role, User
from inspect_app.inspections.models import Answer, Assignment, Inspection
from inspect_app.review.models import CorrectiveAction
from tests.fixtures.review import (
    FAILED_HALL_ITEM,
    FAILED_STAFF_ITEM,
    post,
    role_client,
)

#: The last day of a month (not of a quarter), and the last day of a quarter.
LAST_DAYS = [
    pytest.param(date(2027, 4, 30), id="month-end"),
    pytest.param(date(2027, 3, 31), id="quarter-end"),
]


def last_minute(day: date) -> datetime:
    """23:59 in the halls on `day` (15:59 UTC the same day)."""
    return datetime.combine(day, time(15, 59), UTC)


def after_midnight(day: date) -> datetime:
    """00:30 in the halls the day after `day` (16:30 UTC, still `day` in UTC)."""
    return datetime.combine(day, time(16, 30), UTC)


def frozen(instant: datetime):
    return time_machine.travel(instant, tick=False)


def zh(message: str, **values) -> str:
    """The message as the pages show it (the default language is Chinese)."""
    with force_locale("zh_CN"):
        return gettext(message, **values)


def month_key(day: date) -> str:
    return f"{day:%Y-%m}"


def quarter_key(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def selected_option(page: str) -> str:
    """The value of the first pre-selected <option> of the page."""
    match = re.search(r'<option value="([^"]*)"[^>]*\bselected\b', page)
    assert match, "no option is selected"
    return match[1]


# --- the appeal window ----------------------------------------------------------------------


def _appeal(manager, db, item_id: str):
    db.session.expire_all()
    answer = db.session.scalar(select(Answer).where(Answer.item_id == item_id))
    uuid = db.session.scalar(select(Inspection)).uuid
    data = {"answer_id": answer.id, "reason": "当时员工在更换工牌"}
    return post(manager, f"/results/{uuid}/appeals", data, content_type="multipart/form-data")


@pytest.mark.parametrize("last_day", LAST_DAYS)
@pytest.mark.usefixtures("submitted")
def test_appeal_window_ends_at_the_halls_midnight_of_its_last_day(
    app, db, make_user, org, last_day
):
    inspection = db.session.scalar(select(Inspection))
    uuid = inspection.uuid
    # Approved at 00:30 in the halls seven days before the last day (16:30 UTC the day before):
    # the window runs to the last day (from the UTC date of the approval it would end a day early).
    with frozen(after_midnight(last_day - timedelta(days=8))):
        reviewer = role_client(app, make_user, Role.REVIEWER, "reviewer1")
        assert post(reviewer, f"/review/{uuid}/approve").status_code == 302
        manager = role_client(app, make_user, Role.MANAGER, "manager1", stores=[org["stores"][0]])
    offer = zh("Appeal this finding (until %(d)s)", d=last_day)
    with frozen(last_minute(last_day)):
        page = manager.get(f"/results/{uuid}")
        assert page.status_code == 200
        assert offer in page.text
        assert _appeal(manager, db, FAILED_STAFF_ITEM).status_code == 302
    with frozen(after_midnight(last_day)):
        refused = _appeal(manager, db, FAILED_HALL_ITEM)
        assert refused.status_code == 422
        assert zh("The appeal window closed on %(d)s.", d=last_day) in refused.text
        page = manager.get(f"/results/{uuid}")
        assert page.status_code == 200
        assert zh("Appeal this finding (until %(d)s)", d=last_day) not in page.text


# --- overdue ----------------------------------------------------------------------------------


def _overdue_tags(page: str) -> int:
    return page.count(f'<span class="tag danger">{zh("Overdue")}</span>')


@pytest.mark.parametrize("last_day", LAST_DAYS)
@pytest.mark.usefixtures("submitted")
def test_a_corrective_action_is_overdue_from_the_halls_day_after_it_is_due(
    app, db, make_user, org, last_day
):
    uuid = db.session.scalar(select(Inspection)).uuid
    with frozen(last_minute(last_day)):
        reviewer = role_client(app, make_user, Role.REVIEWER, "reviewer1")
        manager = role_client(app, make_user, Role.MANAGER, "manager1", stores=[org["stores"][0]])
        assert post(reviewer, f"/review/{uuid}/approve").status_code == 302
        action = db.session.scalar(select(CorrectiveAction))
        action.due_date = last_day
        db.session.commit()
        action_id = action.id
    for instant, overdue in ((last_minute(last_day), False), (after_midnight(last_day), True)):
        with frozen(instant):
            pages = {
                "manager's list": manager.get("/actions"),
                "action page": manager.get(f"/results/actions/{action_id}"),
                "reviewer's list": reviewer.get("/review/appeals"),
            }
        for name, page in pages.items():
            assert page.status_code == 200, name
            assert (_overdue_tags(page.text) > 0) is overdue, (name, instant)
        assert ('<tr class="overdue">' in pages["manager's list"].text) is overdue


@pytest.mark.parametrize("last_day", LAST_DAYS)
def test_an_assignment_is_overdue_from_the_halls_day_after_its_window(
    app,
    db,
    make_user,
    assignment,
    last_day,
):
    assignment.window_start = last_day - timedelta(days=3)
    assignment.window_end = last_day
    db.session.commit()
    plan_url = f"/admin/plan?month={month_key(last_day)}"
    with frozen(last_minute(last_day)):
        inspector = role_client(app, make_user, Role.INSPECTOR, "inspector2")
        reviewer = role_client(app, make_user, Role.REVIEWER, "reviewer1")
        db.session.get(Assignment, assignment.id).inspector_id = _user_id(db, "inspector2")
        db.session.commit()
    for instant, overdue in ((last_minute(last_day), False), (after_midnight(last_day), True)):
        with frozen(instant):
            home, plan = inspector.get("/visits"), reviewer.get(plan_url)
        assert home.status_code == 200 and plan.status_code == 200
        assert (_overdue_tags(home.text) == 1) is overdue, instant
        assert ('class="item-card overdue"' in home.text) is overdue
        # The plan: the visit's own tag, and the progress tables (to do / overdue columns).
        assert (_overdue_tags(plan.text) == 1) is overdue, instant
        to_do, late = ("0", "1") if overdue else ("1", "0")
        progress = f'<td class="num">0</td><td class="num">{to_do}</td><td class="num">{late}</td>'
        assert plan.text.count(progress) == 2  # by region and by inspector


def _user_id(db, username: str) -> int:
    return db.session.scalar(select(User.id).where(User.username == username))


# --- default periods, the planner's month and the export period --------------------------------


@pytest.mark.parametrize("last_day", LAST_DAYS)
def test_default_periods_turn_at_the_halls_midnight(
    app, db, make_user, org, default_checklist_version, last_day
):
    staff_id = org["stores"][0].staff[0].id
    store_id = org["stores"][0].id
    next_day = last_day + timedelta(days=1)
    for instant, today in ((last_minute(last_day), last_day), (after_midnight(last_day), next_day)):
        month, quarter = month_key(today), quarter_key(today)
        with frozen(instant):
            admin = role_client(app, make_user, Role.ADMIN, f"admin-{today:%m%d}")
            pages = {
                "ratings": admin.get("/ratings"),
                "hall": admin.get(f"/stores/{store_id}"),
                "inspectors": admin.get("/review/inspectors"),
                "plan": admin.get("/admin/plan"),
                "staff": admin.get(f"/staff/{staff_id}"),
            }
            exports = admin.get("/exports")
            stores_csv = admin.get("/exports/stores.csv")
        for name, page in pages.items():
            assert page.status_code == 200, name
            assert selected_option(page.text) == month, (name, instant)
        assert f"<h1>{zh('Visit plan')} {month}</h1>" in pages["plan"].text
        # The export form offers the current quarter first, then the months, newest first.
        assert exports.status_code == 200
        offered = re.findall(r'<option value="(\d{4}-[^"]+)">', exports.text)
        assert offered[0] == quarter
        assert next(key for key in offered if "Q" not in key) == month
        # The CSV without a period is the halls' current month.
        assert stores_csv.status_code == 200
        rows = list(csv.DictReader(io.StringIO(stores_csv.get_data(as_text=True).lstrip("\ufeff"))))
        assert rows, "the stores table lists every hall"
        assert {row["期间"] for row in rows} == {month}, instant
