"""Admins moving one person at the same moment: the roster history stays one line of postings."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from inspect_app.auth.models import Role
from inspect_app.config import TestConfig
from inspect_app.stores.models import Staff, StaffPosting
from tests.concurrency.conftest import at_once, clones
from tests.conftest import csrf_from
from tests.fixtures.review import role_client


def test_moves_of_one_person_sent_at_once_leave_one_open_posting_at_their_hall(
    app, db, org, make_user
):
    admin = role_client(app, make_user, Role.ADMIN, "admin_race")
    person = db.session.scalar(select(Staff).where(Staff.employee_no == "00001"))
    halls = [org["stores"][1], org["stores"][2]]
    token = csrf_from(admin.get("/stores").text)
    forms = [
        {
            "csrf_token": token,
            "employee_no": "00001",
            "name": person.name,
            "store_id": halls[i % 2].id,
            "is_active": "1",
        }
        for i in range(4)
    ]
    copies = clones(app, admin, 4)
    url = f"/admin/staff/{person.id}"
    replies = at_once(4, lambda i: copies[i].post(url, data=forms[i]))
    assert [r.status_code for r in replies] == [302] * 4
    db.session.commit()  # end the test's read transaction: SQLite would show its old snapshot
    person = db.session.get(Staff, person.id)
    postings = db.session.scalars(
        select(StaffPosting).where(StaffPosting.staff_id == person.id).order_by(StaffPosting.id)
    ).all()
    today = datetime.now(ZoneInfo(TestConfig.TIMEZONE)).date()
    # 北一 until yesterday; from today the hall the last move named, and only that one.
    assert [(p.store_id, p.started_on, p.ended_on) for p in postings] == [
        (org["stores"][0].id, None, today - timedelta(days=1)),
        (person.store_id, today, None),
    ]
    assert person.store_id in {h.id for h in halls}
    covering = [p for p in postings if p.covers(today)]
    assert len(covering) == 1 and all(p.covers(date(2000, 1, 1)) for p in postings[:1])
