"""Starting a visit: one uuid or one assignment opens one visit, however many taps arrive at once."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from inspect_app.audit.models import AuditEvent
from inspect_app.auth.models import Role
from inspect_app.inspections.models import AssignmentStatus, Inspection, InspectionStatus
from tests.concurrency.conftest import at_once, clones
from tests.conftest import csrf_from, sign_in
from tests.fixtures.visits import PHOTO_ALWAYS, jpeg_bytes, visit_payload


def _count(db, model, *where) -> int:
    db.session.commit()  # end the test's read transaction: SQLite would show its old snapshot
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _start(client, token: str, **form):
    return client.post("/visits/start", data={"csrf_token": token, **form})


def test_a_triple_tap_on_an_unassigned_visit_opens_one_visit(
    app, db, inspector_client, org, default_checklist_version
):
    token = csrf_from(inspector_client.get("/visits").text)
    client_uuid = str(uuid.uuid4())
    clients = clones(app, inspector_client, 10)
    form = {
        "store_id": org["stores"][0].id,
        "checklist_id": default_checklist_version.checklist_id,
        "uuid": client_uuid,
    }
    responses = at_once(10, lambda i: _start(clients[i], token, **form))
    assert [r.status_code for r in responses] == [302] * 10
    assert all(r.headers["Location"].endswith(client_uuid) for r in responses)
    assert _count(db, Inspection) == 1
    assert _count(db, AuditEvent, AuditEvent.action == "inspection.start") == 1


def test_one_assignment_started_with_different_uuids_at_once_opens_one_visit(
    app, db, inspector_client, assignment
):
    token = csrf_from(inspector_client.get("/visits").text)
    clients = clones(app, inspector_client, 10)
    uuids = [str(uuid.uuid4()) for _ in range(10)]
    assignment_id = assignment.id  # threads have no app context to load it in
    responses = at_once(
        10, lambda i: _start(clients[i], token, assignment_id=assignment_id, uuid=uuids[i])
    )
    assert [r.status_code for r in responses] == [302] * 10
    db.session.commit()  # a fresh read (SQLite keeps a transaction's snapshot)
    stored = db.session.scalars(select(Inspection)).all()
    assert len(stored) == 1
    assert {r.headers["Location"].rsplit("/", 1)[1] for r in responses} == {stored[0].uuid}
    assert _count(db, AuditEvent, AuditEvent.action == "inspection.start") == 1
    db.session.refresh(assignment)
    assert assignment.status == AssignmentStatus.IN_PROGRESS


def test_a_uuid_another_inspector_used_is_a_conflict(
    app, db, inspector_client, make_user, org, default_checklist_version
):
    token = csrf_from(inspector_client.get("/visits").text)
    client_uuid = str(uuid.uuid4())
    form = {
        "store_id": org["stores"][0].id,
        "checklist_id": default_checklist_version.checklist_id,
        "uuid": client_uuid,
    }
    assert _start(inspector_client, token, **form).status_code == 302
    make_user(Role.INSPECTOR, username="inspector2")
    other = app.test_client()
    assert sign_in(other, "inspector2").status_code == 302
    other_token = csrf_from(other.get("/visits").text)
    assert _start(other, other_token, **form).status_code == 409
    assert _count(db, Inspection) == 1


def test_a_finished_assignment_leads_to_its_visit_not_a_second_one(db, visit, assignment):
    response = visit.submit(_complete_payload(visit))
    assert response.status_code == 200, response.json
    token = csrf_from(visit.client.get("/visits").text)
    again = _start(visit.client, token, assignment_id=assignment.id, uuid=str(uuid.uuid4()))
    assert again.status_code == 302
    assert again.headers["Location"].endswith(visit.uuid)
    assert _count(db, Inspection) == 1
    assert db.session.scalar(select(Inspection.status)) == InspectionStatus.SUBMITTED


def _complete_payload(visit) -> dict:
    for n, item_id in enumerate(PHOTO_ALWAYS):
        assert visit.photo(str(uuid.uuid4()), item_id, jpeg_bytes(n)).status_code == 201
    return visit_payload(visit.definition)


def test_the_database_refuses_two_visits_for_one_assignment(db, visit, assignment):
    first = db.session.scalar(select(Inspection))
    db.session.add(
        Inspection(
            uuid=str(uuid.uuid4()),
            store_id=first.store_id,
            checklist_version_id=first.checklist_version_id,
            inspector_id=first.inspector_id,
            assignment_id=assignment.id,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
