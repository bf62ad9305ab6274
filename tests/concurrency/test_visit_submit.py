"""Submits, draft saves and photos on one visit at once: one effect each, never a 500."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

from sqlalchemy import func, select

from inspect_app.audit.models import AuditEvent
from inspect_app.inspections.models import Answer, Inspection, InspectionStatus
from inspect_app.photos.models import Photo
from tests.concurrency.conftest import at_once, clones
from tests.fixtures.visits import PHOTO_ALWAYS, jpeg_bytes, visit_payload


def _count(db, model, *where) -> int:
    db.session.commit()  # end the test's read transaction: SQLite would show its old snapshot
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _with_photos(visit) -> None:
    for n, item_id in enumerate(PHOTO_ALWAYS):
        assert visit.photo(str(uuid.uuid4()), item_id, jpeg_bytes(n)).status_code == 201


def _submitter(app, visit, count: int):
    phones, token = clones(app, visit.client, count), visit.token
    url = f"/api/visits/{visit.uuid}/submit"
    return lambda i, body: phones[i].post(url, json=body, headers={"X-CSRFToken": token})


def test_ten_identical_submits_at_once_submit_once_and_the_rest_are_repeats(app, db, visit):
    _with_photos(visit)
    body = visit_payload(visit.definition)
    submit = _submitter(app, visit, 10)
    replies = at_once(10, lambda i: submit(i, body))
    assert [r.status_code for r in replies] == [200] * 10, [r.json for r in replies]
    assert sorted(r.json["repeated"] for r in replies) == [False] + [True] * 9
    assert all(r.json["status"] == "submitted" for r in replies)
    assert _count(db, AuditEvent, AuditEvent.action == "inspection.submit") == 1
    items = len(visit.definition.items)
    assert _count(db, Answer) == items  # no duplicate answer rows on a fresh visit
    assert db.session.scalar(select(Inspection.status)) == InspectionStatus.SUBMITTED


def test_two_different_submits_at_once_one_wins_and_the_other_gets_409(app, db, visit):
    _with_photos(visit)
    first = visit_payload(visit.definition)
    second = visit_payload(visit.definition)
    second["visit"]["counter_no"] = "7"
    bodies = [first, second] * 5
    submit = _submitter(app, visit, 10)
    replies = at_once(10, lambda i: submit(i, bodies[i]))
    statuses = [r.status_code for r in replies]
    assert set(statuses) == {200, 409}, statuses
    winners = {i % 2 for i, r in enumerate(replies) if r.status_code == 200}
    assert len(winners) == 1  # only copies of the winning body are accepted
    losers = [r for r in replies if r.status_code == 409]
    assert all(r.json["ok"] is False and r.json["message"] for r in losers)
    stored = db.session.scalar(select(Inspection))
    db.session.refresh(stored)
    assert stored.counter_no == ("3" if winners == {0} else "7")
    assert _count(db, AuditEvent, AuditEvent.action == "inspection.submit") == 1


def test_ten_draft_saves_at_once_lose_no_update(app, db, visit):
    phones, token = clones(app, visit.client, 10), visit.token
    url = f"/api/visits/{visit.uuid}/draft"
    bodies = [
        visit_payload(visit.definition, **{"uniform.clean": {"value": "pass", "comment": f"c{i}"}})
        for i in range(10)
    ]
    replies = at_once(
        10, lambda i: phones[i].post(url, json=bodies[i], headers={"X-CSRFToken": token})
    )
    assert [r.status_code for r in replies] == [200] * 10, [r.json for r in replies]
    # Each save saw the one before it: ten saves, ten revisions, none lost.
    db.session.commit()
    assert db.session.scalar(select(Inspection.draft_revision)) == 10
    assert _count(db, Answer) == len(visit.definition.items)


def test_the_same_photo_fifty_times_at_once_is_stored_once(app, db, visit, photo_dir):
    data, photo_uuid, token = jpeg_bytes(3), str(uuid.uuid4()), visit.token
    phones = clones(app, visit.client, 50)
    url = f"/api/visits/{visit.uuid}/photos"

    def upload(i: int):
        form = {
            "uuid": photo_uuid,
            "item_id": PHOTO_ALWAYS[0],
            "photo": (io.BytesIO(data), "p.jpg"),
        }
        return phones[i].post(url, data=form, headers={"X-CSRFToken": token})

    replies = at_once(50, upload)
    assert sorted(r.status_code for r in replies) == [200] * 49 + [201]
    assert {r.json["uuid"] for r in replies} == {photo_uuid}
    assert _count(db, Photo) == 1
    photo = db.session.scalar(select(Photo))
    files = _photo_files(photo_dir)
    assert files == {photo.storage_key, photo.thumbnail_key}


def test_the_same_photo_uuid_with_other_bytes_is_a_conflict(app, db, visit, photo_dir):
    photo_uuid = str(uuid.uuid4())
    assert visit.photo(photo_uuid, PHOTO_ALWAYS[0], jpeg_bytes(1)).status_code == 201
    clash = visit.photo(photo_uuid, PHOTO_ALWAYS[0], jpeg_bytes(2))
    assert clash.status_code == 409 and clash.json["ok"] is False
    assert _count(db, Photo) == 1
    assert len(_photo_files(photo_dir)) == 2  # the refused upload left no files


def test_deleting_one_photo_ten_times_at_once_is_fine(app, db, visit, photo_dir):
    photo_uuid = str(uuid.uuid4())
    assert visit.photo(photo_uuid, PHOTO_ALWAYS[0], jpeg_bytes(1)).status_code == 201
    phones, token = clones(app, visit.client, 10), visit.token
    url = f"/api/visits/{visit.uuid}/photos/{photo_uuid}"
    replies = at_once(10, lambda i: phones[i].delete(url, headers={"X-CSRFToken": token}))
    assert all(r.status_code in (204, 404) for r in replies), [r.status_code for r in replies]
    assert 204 in [r.status_code for r in replies]
    assert _count(db, Photo) == 0
    assert _photo_files(photo_dir) == set()


def _photo_files(root: Path) -> set[str]:
    return {f"{p.parent.name}/{p.name}" for p in root.glob("??/*") if p.is_file()}
