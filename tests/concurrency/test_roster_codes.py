"""Numeric-code roster uploads applied at once: each person is updated, never created twice."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from inspect_app.auth.models import Role
from inspect_app.stores.models import Staff
from tests.concurrency.conftest import at_once, clones
from tests.conftest import csrf_from
from tests.fixtures.review import role_client
from tests.stores.test_roster_views import REAL_STAFF, REAL_STORES, _apply, _check, _workbook


def _form(page: str) -> dict:
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)
    return {"csrf_token": csrf_from(page), "token": token}


def test_numeric_uploads_applied_at_once_update_the_real_people_only(app, db, make_user):
    hr = role_client(app, make_user, Role.HR, "hr1")
    _apply(hr, _check(hr, _workbook(REAL_STORES, REAL_STAFF)).text)
    # Two files keyed by numbers (zeros lost), each checked twice: four applies race.
    files = [
        _workbook([], [[1001, "张伟", "0101001", "值班经理", "在职", None]], text_columns="C"),
        _workbook(
            [], [[1002, "李娜", "0101001", "营业员", "离职", "2026-03-01"]], text_columns="C"
        ),
    ]
    forms = [_form(_check(hr, files[i % 2]).text) for i in range(4)]
    copies = clones(app, hr, 4)
    replies = at_once(4, lambda i: copies[i].post("/roster/import/apply", data=forms[i]))
    assert [r.status_code for r in replies] == [302] * 4
    db.session.commit()  # end the test's read transaction: SQLite would show its old snapshot
    assert db.session.scalar(select(func.count()).select_from(Staff)) == 2
    people = {s.employee_no: s for s in db.session.scalars(select(Staff))}
    assert set(people) == {"0001001", "0001002"}
    assert people["0001001"].position == "值班经理" and people["0001001"].is_active
    assert not people["0001002"].is_active
