"""The admins' audit log: every event in words, filtered by kind, actor, object and date,
paged newest first; bad filters answer with a message; only admins may read it."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from inspect_app.audit.labels import DETAIL_LABELS
from inspect_app.audit.models import AuditEvent
from inspect_app.audit.operations import record_event
from inspect_app.auth.models import Role, User
from inspect_app.inspections.models import Answer, Inspection
from tests.conftest import post_form, sign_in

ROWS = re.compile(r'<li class="card">(.*?)</li>', re.S)
ERROR = re.compile(r'<p class="flash flash-error" role="alert">([^<]*)</p>')
#: 2026-03-14 17:30 UTC is 2026-03-15 01:30 in the halls (Asia/Shanghai).
LATE_EVENING_UTC = datetime(2026, 3, 14, 17, 30, tzinfo=UTC)


def _event(action, obj=None, *, at, actor=None, **details):
    event = record_event(action, obj, actor_id=actor.id if actor else None, **details)
    event.occurred_at = at
    return event


@pytest.fixture
def log(db, make_user, org):
    """A clean log: an admin changes a user's role, a hall is edited, the system imports."""
    admin = db.session.get(User, make_user(Role.ADMIN, username="boss").id)
    worker = db.session.get(User, make_user(Role.INSPECTOR, username="worker").id)
    db.session.execute(delete(AuditEvent))
    hall = org["stores"][0]
    _event("user.update", worker, at=LATE_EVENING_UTC, actor=admin, role=["inspector", "reviewer"])
    _event("store.update", hall, at=LATE_EVENING_UTC - timedelta(days=2), actor=admin,
           name=["旧名", hall.name])  # fmt: skip
    _event("roster.import", at=LATE_EVENING_UTC - timedelta(days=5), created={"stores": 2})
    db.session.commit()
    return {"admin": admin, "worker": worker, "hall": hall}


def _admin(app, log):
    client = app.test_client()
    assert sign_in(client, "boss").status_code == 302
    post_form(client, "/language", {"lang": "en", "next": "/admin/audit"})  # English words
    return client


def _rows(client, **query):
    response = client.get("/admin/audit", query_string=query)
    assert response.status_code == 200, ERROR.findall(response.text)
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)) for row in ROWS.findall(response.text)
    ]


def test_every_event_shows_newest_first_in_words(app, db, log):
    client = _admin(app, log)
    rows = _rows(client)
    # The admin's own sign-in is the newest event.
    assert [row.split(" 20")[0].strip() for row in rows] == [
        "Signed in", "User changed", "Hall changed", "Roster imported",
    ]  # fmt: skip
    page = client.get("/admin/audit").text.split('<ol class="audit-log">')[1]
    for code in ("user.update", "store.update", "roster.import", "inspector →", "{"):
        assert code not in page
    user_change = rows[1]
    assert "boss" in user_change and "worker" in user_change  # who, and about whom
    assert "2026-03-15 01:30" in user_change  # the halls' time
    assert "Inspector → Reviewer" in user_change  # the roles by their names
    assert "旧名 → 北一营业厅" in rows[2]
    assert "The system" in rows[3] and "Created Halls: 2" in rows[3]


def test_filters_by_kind_actor_object_and_halls_dates(app, db, log):
    client = _admin(app, log)
    assert len(_rows(client, kind="store.update")) == 1
    assert len(_rows(client, actor=str(log["admin"].id))) == 3  # two changes and the sign-in
    (system,) = _rows(client, actor="system")
    assert "Roster imported" in system
    (about_worker,) = _rows(client, object_type="users", object_id=str(log["worker"].id))
    assert "worker" in about_worker
    assert len(_rows(client, object_type="stores")) == 1
    # The 17:30 UTC event happened on the halls' 15 March, not the 14th.
    on_the_15th = _rows(client, since="2026-03-15", until="2026-03-15")
    assert len(on_the_15th) == 1 and "worker" in on_the_15th[0]
    assert len(_rows(client, since="2026-03-09", until="2026-03-14")) == 2
    assert _rows(client, kind="store.update", actor="system") == []


def test_a_visit_lists_the_events_about_its_parts(app, db, log, approved):
    inspection = db.session.scalar(select(Inspection).where(Inspection.uuid == approved.uuid))
    answer = db.session.scalar(select(Answer).where(Answer.inspection_id == inspection.id))
    record_event("finding.unidentified", answer, actor_id=log["admin"].id,
                 inspection_id=inspection.id)  # fmt: skip
    db.session.commit()
    client = _admin(app, log)
    rows = _rows(client, object_type="inspections", object_id=str(inspection.id))
    kinds = [row.split(" 20")[0].strip() for row in rows]
    assert kinds[0] == "Finding confirmed as not identifiable"
    assert "Visit approved" in kinds and "Visit submitted" in kinds
    assert "User changed" not in kinds
    assert any(inspection.store.name in row for row in rows)  # the visit by its hall


def test_pages_of_fifty_with_next_and_previous(app, db, log):
    for n in range(120):
        _event("plan.propose", at=LATE_EVENING_UTC - timedelta(days=30, minutes=n), month="2026-02",
               visits=n)  # fmt: skip
    db.session.commit()
    client = _admin(app, log)
    first = client.get("/admin/audit", query_string={"kind": "plan.propose"}).text
    assert len(ROWS.findall(first)) == 50
    assert "page=2" in first and "page=0" not in first
    last = client.get("/admin/audit", query_string={"kind": "plan.propose", "page": "3"}).text
    rows = ROWS.findall(last)
    assert len(rows) == 20 and "page=2" in last and "page=4" not in last
    assert ">119<" in rows[-1]  # the oldest last
    beyond = client.get("/admin/audit", query_string={"kind": "plan.propose", "page": "4"})
    assert beyond.status_code == 400
    assert ERROR.findall(beyond.text) and not ROWS.findall(beyond.text)


@pytest.mark.parametrize(
    "query",
    [
        {"kind": "user.explode"},
        {"actor": "999999"},
        {"actor": "nobody"},
        {"object_type": "planets"},
        {"object_type": "users", "object_id": "abc"},
        {"object_id": "3"},
        {"since": "2026-02-30"},
        {"since": "14/03/2026"},
        {"until": "0001-01-01"},
        {"since": "2026-03-15", "until": "2026-03-01"},
        {"page": "0"},
        {"page": "-1"},
        {"page": "99999999999999999999"},
    ],
)
def test_bad_filters_get_a_clear_message_never_an_error_page(app, db, log, query):
    client = _admin(app, log)
    response = client.get("/admin/audit", query_string=query)
    assert response.status_code == 400
    messages = ERROR.findall(response.text)
    assert messages and all(len(m) > 10 for m in messages)
    assert not ROWS.findall(response.text)
    assert '<form method="get"' in response.text  # the filters stay, to correct


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.INSPECTOR, Role.MANAGER, Role.HR])
def test_only_admins_read_the_log(app, db, make_user, org, role):
    kwargs = {"stores": [org["stores"][0]]} if role == Role.MANAGER else {}
    user = make_user(role, username=f"u_{role.value}", **kwargs)
    client = app.test_client()
    assert sign_in(client, user.username).status_code == 302
    assert client.get("/admin/audit").status_code == 403
    assert "/admin/audit" not in client.get("/", follow_redirects=True).text
    assert app.test_client().get("/admin/audit").status_code == 302  # signed out: sign in


def test_the_admin_overview_links_to_the_log(admin_client):
    assert 'href="/admin/audit"' in admin_client.get("/admin").text


def test_a_created_hall_and_an_approval_read_in_words(app, db, log):
    """Found in the trial: a creation showed "None; 3" and approvals showed English field keys."""
    region = log["hall"].region
    _event("store.create", log["hall"], at=LATE_EVENING_UTC + timedelta(hours=1),
           actor=log["admin"], code=[None, "330103001"], region_id=[None, region.id],
           is_active=[None, True])  # fmt: skip
    _event("inspection.approve", log["hall"], at=LATE_EVENING_UTC + timedelta(hours=2),
           actor=log["admin"], score_percent="94.454", is_vetoed=False, hall_note="请保持")  # fmt: skip
    db.session.commit()
    rows = _rows(_admin(app, log))
    creation = next(row for row in rows if "Hall created" in row)
    approval = next(row for row in rows if "Visit approved" in row)
    assert "Code — → 330103001" in creation
    assert f"Region — → {region.name}" in creation and "None" not in creation
    assert "Active — → Yes" in creation
    assert "Score rate 94.454" in approval and "Veto No" in approval
    assert "note to the hall 请保持" in approval
    assert "score percent" not in approval and "is vetoed" not in approval


def test_every_detail_the_package_records_has_words():
    """Each keyword a module passes to record_event has a label (the page never shows a key)."""
    recorded = set()
    for path in (Path(__file__).resolve().parents[2] / "inspect_app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = getattr(node, "func", None)
            if isinstance(node, ast.Call) and getattr(func, "id", None) == "record_event":
                recorded |= {k.arg for k in node.keywords if k.arg}
    recorded -= {"actor_id", "inspection_id"}  # columns of the event, not details
    assert len(recorded) > 10
    assert sorted(recorded - DETAIL_LABELS.keys()) == []
