"""Admin forms, roster imports, checklist uploads, exports and plans sent ten times at once."""

from __future__ import annotations

import io
import re

import pytest
from flask_babel import gettext
from markupsafe import escape
from sqlalchemy import func, select

from inspect_app.audit.models import AuditEvent
from inspect_app.auth.models import Role, User
from inspect_app.checklists.models import ChecklistVersion
from inspect_app.inspections.models import Assignment
from inspect_app.reports import views as report_views
from inspect_app.reports.exports import launch
from inspect_app.reports.models import ExportJob, ExportStatus
from inspect_app.stores.models import Region, Staff, Store
from tests.concurrency.conftest import at_once, clones
from tests.conftest import DEFAULT_CHECKLIST, PASSWORD, csrf_from
from tests.fixtures.review import role_client
from tests.planning.test_planning import NEXT, _inspectors
from tests.stores.test_roster_views import GOOD_STAFF, GOOD_STORES, _check, _workbook

_BUSY = (ExportStatus.QUEUED, ExportStatus.RUNNING)


def _count(db, model, *where) -> int:
    db.session.commit()  # end the test's read transaction: SQLite would show its old snapshot
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _events(db, action: str) -> int:
    return _count(db, AuditEvent, AuditEvent.action == action)


def gettext_of(app, message: str) -> str:
    with app.test_request_context():
        return gettext(message)


def _translated(app, message: str, **values) -> str:
    with app.test_request_context():
        return str(escape(gettext(message, **values)))


def _post_all(app, client, url: str, form: dict, count: int = 10, **kwargs):
    token = csrf_from(client.get("/admin", follow_redirects=True).text)
    copies = clones(app, client, count)
    return at_once(
        count, lambda i: copies[i].post(url, data={**form, "csrf_token": token}, **kwargs)
    )


def test_one_username_created_ten_times_at_once_makes_one_user(app, db, admin_client):
    form = {"username": "new.inspector", "password": PASSWORD, "role": "inspector"}
    replies = _post_all(app, admin_client, "/admin/users/new", form)
    assert sorted(r.status_code for r in replies) == [302] + [422] * 9
    taken = _translated(app, "The username %(name)s is taken.", name="new.inspector")
    assert all(taken in r.text for r in replies if r.status_code == 422)
    assert _count(db, User, User.username == "new.inspector") == 1
    assert _events(db, "user.create") == 2  # the admin, and the one new user


@pytest.mark.parametrize(
    ("url", "form", "model", "label"),
    [
        ("/admin/regions", {"code": "W", "name": "西区"}, Region, "Region code"),
        ("/admin/stores/new", {"code": "0999", "name": "新营业厅"}, Store, "Hall code"),
        ("/admin/staff/new", {"employee_no": "0099901", "name": "新人"}, Staff, "Employee no."),
    ],
)
def test_one_code_created_ten_times_at_once_makes_one_row(
    app, db, admin_client, org, url, form, model, label
):
    form = {**form, "region_id": org["regions"][0].id, "store_id": org["stores"][0].id}
    before = _count(db, model)
    replies = _post_all(app, admin_client, url, form)
    assert sorted(r.status_code for r in replies) == [302] + [422] * 9
    value = form.get("code") or form["employee_no"]
    message = _translated(
        app, "%(what)s %(value)s is already used.", what=gettext_of(app, label), value=value
    )
    assert all(message in r.text for r in replies if r.status_code == 422)
    assert _count(db, model) == before + 1


def test_one_roster_upload_applied_ten_times_at_once_applies_once(app, db, make_user):
    hr = role_client(app, make_user, Role.HR, "hr1")
    page = _check(hr, _workbook(GOOD_STORES, GOOD_STAFF)).text
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)
    copies = clones(app, hr, 10)
    form = {"csrf_token": csrf_from(page), "token": token}
    replies = at_once(10, lambda i: copies[i].post("/roster/import/apply", data=form))
    assert sorted(r.status_code for r in replies) == [302] + [303] * 9
    assert _events(db, "roster.import") == 1
    assert _count(db, Staff) == 2 and _count(db, Store) == 1


def test_two_overlapping_rosters_applied_at_once_store_each_person_once(app, db, make_user):
    hr = role_client(app, make_user, Role.HR, "hr1")
    more = [*GOOD_STAFF, ["0090103", "孙三", "0901", "营业员", "在职", None]]
    pages = [_check(hr, _workbook(GOOD_STORES, staff)).text for staff in (GOOD_STAFF, more)]
    forms = [
        {"csrf_token": csrf_from(p), "token": re.search(r'name="token" value="(\w+)"', p).group(1)}
        for p in pages
    ]
    copies = clones(app, hr, 2)
    replies = at_once(2, lambda i: copies[i].post("/roster/import/apply", data=forms[i]))
    assert [r.status_code for r in replies] == [302, 302]
    assert _count(db, Staff) == 3 and _count(db, Store) == 1 and _count(db, Region) == 1


def test_one_checklist_uploaded_ten_times_at_once_is_one_version(app, db, admin_client):
    token = csrf_from(admin_client.get("/checklists/upload").text)
    copies, data = clones(app, admin_client, 10), DEFAULT_CHECKLIST.read_bytes()

    def upload(i: int, content: bytes = data):
        form = {"csrf_token": token, "activate": "1", "file": (io.BytesIO(content), "hall.yaml")}
        return copies[i].post("/checklists/upload", data=form, content_type="multipart/form-data")

    assert [r.status_code for r in at_once(10, upload)] == [302] * 10
    assert _count(db, ChecklistVersion) == 1
    # Ten different contents at once: ten versions, numbered 2..11 without a clash.
    edited = [
        data.replace("title: 营业厅暗访检查表".encode(), f"title: 营业厅暗访检查表 {i}".encode(), 1)
        for i in range(10)
    ]
    assert [r.status_code for r in at_once(10, lambda i: upload(i, edited[i]))] == [302] * 10
    db.session.commit()
    numbers = sorted(db.session.scalars(select(ChecklistVersion.number)))
    assert numbers == list(range(1, 12))


def test_ten_export_requests_at_once_start_at_most_two_jobs(app, db, make_user, monkeypatch):
    hr = role_client(app, make_user, Role.HR, "hr1")
    token = csrf_from(hr.get("/exports").text)
    # The workbooks are built after the count is checked, so that no job finishes early
    # and frees its place while the ten requests race for the two places.
    queued: list[int] = []
    monkeypatch.setattr(report_views, "launch", lambda app, job_id: queued.append(job_id))
    copies = clones(app, hr, 10)
    replies = at_once(
        10, lambda i: copies[i].post("/exports", data={"csrf_token": token, "period": "2026-01"})
    )
    assert sorted(r.status_code for r in replies) == [302] * 2 + [303] * 8
    assert _count(db, ExportJob) == 2
    for job_id in queued:
        launch(app, job_id).join(timeout=30)
    assert _count(db, ExportJob, ExportJob.status.in_(_BUSY)) == 0


def test_two_proposals_for_one_month_at_once_leave_one_plan(
    app, db, admin_client, make_user, org, default_checklist_version
):
    _inspectors(db, make_user, org)
    url = f"/admin/plan/propose?month={NEXT.key}"
    form = {"checklist_id": default_checklist_version.checklist_id, "visits": "2"}
    token = csrf_from(admin_client.get("/admin/plan", query_string={"month": NEXT.key}).text)
    copies = clones(app, admin_client, 5)
    replies = at_once(5, lambda i: copies[i].post(url, data={**form, "csrf_token": token}))
    assert [r.status_code for r in replies] == [302] * 5
    assert _count(db, Assignment) == 3 * 2  # each proposal replaced the one before


def test_two_admins_demoting_each_other_at_once_leave_one_admin(app, db, make_user):
    clients = [role_client(app, make_user, Role.ADMIN, name) for name in ("boss1", "boss2")]
    ids = [db.session.scalar(select(User.id).where(User.username == n)) for n in ("boss2", "boss1")]
    tokens = [csrf_from(c.get("/admin/users").text) for c in clients]

    def demote(i: int):
        form = {"csrf_token": tokens[i], "display_name": "x", "role": "hr", "is_active": "1"}
        return clients[i].post(f"/admin/users/{ids[i]}", data=form)

    replies = at_once(2, demote)
    # The loser is refused (422), or, had the winner demoted it first, sent to sign in again.
    assert all(r.status_code in (302, 422) for r in replies), [r.status_code for r in replies]
    assert _count(db, User, User.role == Role.ADMIN, User.is_active) == 1
