"""Roster history: every way staff change (import, admin page) keeps their postings right."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from inspect_app.auth.models import Role
from inspect_app.calendar import today_in
from inspect_app.config import TestConfig
from inspect_app.stores.models import Staff, StaffPosting, Store
from inspect_app.stores.operations import apply_roster, check_roster
from inspect_app.stores.postings import keep_postings
from inspect_app.stores.queries import roster_on
from tests.conftest import csrf_from, post_form
from tests.stores.roster_files import roster_workbook
from tests.stores.test_roster_views import _apply, _check, _client

MARCH_10 = date(2026, 3, 10)


def _today() -> date:
    return today_in(ZoneInfo(TestConfig.TIMEZONE))


def _import(db, rows: list[list], day: date, actor_id: int) -> None:
    report, _plan = check_roster(roster_workbook(None, rows))
    assert report.ok, report.errors
    apply_roster(report, actor_id, effective_on=day)
    db.session.commit()


def _postings(db, employee_no: str) -> list[tuple]:
    """(hall code, first day, last day) of each of the person's postings, oldest first."""
    db.session.expire_all()
    rows = db.session.execute(
        select(Store.code, StaffPosting.started_on, StaffPosting.ended_on)
        .join(Store, Store.id == StaffPosting.store_id)
        .join(Staff, Staff.id == StaffPosting.staff_id)
        .where(Staff.employee_no == employee_no)
    ).all()
    return sorted((tuple(r) for r in rows), key=lambda r: (r[1] or date.min, r[2] or date.max))


def _roster(store: Store, day: date) -> list[str]:
    return [s.employee_no for s in roster_on(store.id, day)]


def test_an_import_records_from_which_day_people_joined_moved_and_left(db, org, make_user):
    hr = make_user(Role.HR, "hr_postings").id
    north1, north2, south1 = org["stores"]
    rows = [
        ["00001", "员工0", "0102", None, "在职", None],  # moves 北一 -> 北二
        ["00101", "员工1", "0102", None, "离职", "2026-03-05"],  # left on a given day
        ["00201", "员工2", "0201", None, "离职", None],  # left, no date: on the import's day
        ["0000900", "新人", "0101", None, "在职", None],  # hired
        ["0000901", "老人", "0201", None, "离职", "2026-02-01"],  # first heard of as left
        ["0000902", "无日期", "0201", None, "离职", None],  # left, never placed anywhere
    ]
    _import(db, rows, MARCH_10, hr)
    assert _postings(db, "00001") == [
        ("0101", None, date(2026, 3, 9)),
        ("0102", MARCH_10, None),
    ]
    assert _postings(db, "00101") == [("0102", None, date(2026, 3, 5))]
    assert _postings(db, "00201") == [("0201", None, MARCH_10)]
    assert _postings(db, "0000900") == [("0101", MARCH_10, None)]
    assert _postings(db, "0000901") == [("0201", None, date(2026, 2, 1))]
    assert _postings(db, "0000902") == []
    # The rosters of a date before and on the import day.
    assert _roster(north1, date(2026, 3, 9)) == ["00001"]
    assert _roster(north1, MARCH_10) == ["0000900"]
    assert _roster(north2, date(2026, 3, 5)) == ["00101"]
    assert _roster(north2, MARCH_10) == ["00001"]
    assert _roster(south1, date(2026, 2, 1)) == ["0000901", "00201"]
    assert _roster(south1, date(2026, 3, 11)) == []
    # The same file again, days later, changes nothing.
    before = {n: _postings(db, n) for n in ("00001", "00101", "00201", "0000900", "0000901")}
    _import(db, rows, MARCH_10 + timedelta(days=3), hr)
    assert {n: _postings(db, n) for n in before} == before
    # Moved back ten days later: the 北二 posting ends the day before.
    _import(db, [["00001", "员工0", "0101", None, "在职", None]], date(2026, 3, 20), hr)
    assert _postings(db, "00001") == [
        ("0101", None, date(2026, 3, 9)),
        ("0102", MARCH_10, date(2026, 3, 19)),
        ("0101", date(2026, 3, 20), None),
    ]


def test_a_staff_only_import_through_the_pages_says_and_records_the_day(app, db, org, make_user):
    hr = _client(app, make_user)
    post_form(hr, "/language", {"lang": "en"})
    checked = _check(
        hr, roster_workbook(None, [["00001", "员工0", "0201", "营业员", "在职", None]])
    )
    assert checked.status_code == 200, checked.text
    today = _today()
    assert f"New staff join, and moves take effect, on {today.isoformat()}" in checked.text
    assert _apply(hr, checked.text).status_code == 302
    assert _postings(db, "00001") == [
        ("0101", None, today - timedelta(days=1)),
        ("0201", today, None),
    ]


def test_posting_rules_for_changes_on_the_same_day_and_the_day_after(db, org):
    north1, north2, south1 = org["stores"]
    person = Staff(employee_no="0000500", name="试用", store_id=north1.id)
    keep_postings(person, MARCH_10)  # joins on the 10th
    db.session.add(person)
    db.session.flush()
    person.store_id = north2.id  # moved the same day: that posting moves with them
    keep_postings(person, MARCH_10)
    db.session.commit()
    assert _postings(db, "0000500") == [("0102", MARCH_10, None)]

    person.is_active = False  # leaves on the 12th
    keep_postings(person, MARCH_10, left_on=date(2026, 3, 12))
    db.session.commit()
    assert _postings(db, "0000500") == [("0102", MARCH_10, date(2026, 3, 12))]
    keep_postings(person, date(2026, 3, 13), left_on=date(2026, 3, 13))  # HR: the 13th, in fact
    db.session.commit()
    assert _postings(db, "0000500") == [("0102", MARCH_10, date(2026, 3, 13))]
    person.is_active = True  # and comes back the day after
    keep_postings(person, date(2026, 3, 14))
    db.session.commit()
    assert _postings(db, "0000500") == [("0102", MARCH_10, None)]  # carried on

    person.is_active = False  # leaves again; back three weeks later at another hall
    keep_postings(person, date(2026, 3, 20), left_on=date(2026, 3, 20))
    person.is_active, person.store_id = True, south1.id
    keep_postings(person, date(2026, 4, 10))
    db.session.commit()
    assert _postings(db, "0000500") == [
        ("0102", MARCH_10, date(2026, 3, 20)),
        ("0201", date(2026, 4, 10), None),
    ]

    # A leaving date before the last move: HR says they left before they moved.
    person.is_active = False
    keep_postings(person, date(2026, 4, 15), left_on=date(2026, 3, 18))
    db.session.commit()
    assert _postings(db, "0000500") == [("0102", MARCH_10, date(2026, 3, 18))]


def test_staff_added_without_a_posting_are_there_since_before_records(db, org):
    hall = org["stores"][0]
    gone = datetime(2026, 3, 1, 17, 0, tzinfo=ZoneInfo("UTC"))  # 01:00 on 3-02 in the halls
    db.session.add_all(
        [
            Staff(employee_no="0000600", name="甲", store=hall),
            Staff(employee_no="0000601", name="乙", store=hall, is_active=False, left_at=gone),
            Staff(employee_no="0000602", name="丙", store=hall, is_active=False),
        ]
    )
    db.session.commit()
    assert _postings(db, "0000600") == [("0101", None, None)]
    assert _postings(db, "0000601") == [("0101", None, date(2026, 3, 2))]
    assert _postings(db, "0000602") == []


def test_the_database_refuses_a_posting_ending_before_it_starts_or_a_second_open_one(db, org):
    person = db.session.scalar(select(Staff).where(Staff.employee_no == "00001"))
    db.session.add(
        StaffPosting(
            staff_id=person.id,
            store_id=org["stores"][1].id,
            started_on=MARCH_10,
            ended_on=MARCH_10 - timedelta(days=1),
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(StaffPosting(staff_id=person.id, store_id=org["stores"][1].id))
    with pytest.raises(IntegrityError):  # 00001 is still at 北一
        db.session.flush()
    db.session.rollback()


def _admin_post(client, url: str, data: dict):
    token = csrf_from(client.get("/stores").text)
    return client.post(url, data={"csrf_token": token, **data})


def test_the_admin_page_records_moves_departures_and_new_staff(admin_client, db, org):
    person = db.session.scalar(select(Staff).where(Staff.employee_no == "00001"))
    target = org["stores"][2]
    today = _today()
    fields = {"employee_no": "00001", "name": person.name, "store_id": target.id}
    assert _admin_post(admin_client, f"/admin/staff/{person.id}", {**fields, "is_active": "1"})
    assert _postings(db, "00001") == [
        ("0101", None, today - timedelta(days=1)),
        ("0201", today, None),
    ]
    assert _admin_post(admin_client, f"/admin/staff/{person.id}", fields).status_code == 302
    assert _postings(db, "00001")[-1] == ("0201", today, today)  # left today
    again = _admin_post(admin_client, f"/admin/staff/{person.id}", {**fields, "is_active": "1"})
    assert again.status_code == 302
    assert _postings(db, "00001")[-1] == ("0201", today, None)  # back the same day
    new = _admin_post(
        admin_client,
        "/admin/staff/new",
        {"employee_no": "0000777", "name": "新人", "store_id": target.id},
    )
    assert new.status_code == 302
    assert _postings(db, "0000777") == [("0201", today, None)]
    assert _roster(target, today - timedelta(days=1)) == ["00201"]
    assert _roster(target, today) == ["00001", "0000777", "00201"]
    post_form(admin_client, "/language", {"lang": "en"})
    page = admin_client.get(f"/admin/staff/{person.id}").text
    history = page.split('id="staff-postings"', 1)[1].split("</table>", 1)[0]
    rows = [
        re.sub(r"<[^>]+>", "|", row).strip("|").split("||") for row in history.split("<tr>")[2:]
    ]
    assert rows == [
        ["0101 北一营业厅", "before the records began", (today - timedelta(days=1)).isoformat()],
        ["0201 南一营业厅", today.isoformat(), "now"],
    ]
