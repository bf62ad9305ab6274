"""Walk every route of the application as every role: nobody reaches another store's data."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from inspect_app.auth.models import Role, User
from inspect_app.inspections.models import Assignment, Inspection
from inspect_app.photos.models import Photo, PhotoPurpose
from inspect_app.reports.models import ExportJob
from inspect_app.review.models import Appeal, CorrectiveAction, CorrectiveActionItem
from tests.conftest import csrf_from, sign_in
from tests.fixtures.review import FAILED_HALL_ITEM, post
from tests.fixtures.visits import jpeg_bytes

#: Routes that only answer with a redirect or a file and need no object.
SKIP = {"static", "auth.logout", "auth.set_language"}


@pytest.fixture
def other_store_world(db, approved, reviewer, manager, org):
    """The approved visit belongs to store 0; a manager of store 1 is the outsider."""
    inspection = db.session.scalar(select(Inspection))
    answer = next(a for a in inspection.answers if a.item_id == FAILED_HALL_ITEM)
    appeal_response = post(
        manager, f"/results/{inspection.uuid}/appeals",
        {"answer_id": answer.id, "reason": "有异议", "photos": [(__import__("io").BytesIO(jpeg_bytes(40)), "a.jpg")]},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert appeal_response.status_code == 302

    owner = db.session.scalar(select(User).where(User.username == "reviewer1"))
    job = ExportJob(requested_by_id=owner.id, kind="xlsx", period_key="2026-01")
    db.session.add(job)
    db.session.commit()
    db.session.expire_all()
    return {
        "job_id": job.id,
        "user_id": owner.id,
        "staff_id": org["stores"][0].staff[0].id,
        "assignment_id": db.session.scalar(select(Assignment.id)),
        "table": "detail",
        "uuid": inspection.uuid,
        "photo_uuid": db.session.scalar(
            select(Photo.uuid).where(Photo.purpose == PhotoPurpose.EVIDENCE)
        ),
        "appeal_photo_uuid": db.session.scalar(
            select(Photo.uuid).where(Photo.purpose == PhotoPurpose.APPEAL)
        ),
        "appeal_id": db.session.scalar(select(Appeal.id)),
        "action_id": db.session.scalar(select(CorrectiveAction.id)),
        "action_item_id": db.session.scalar(select(CorrectiveActionItem.id)),
        "store_id": inspection.store_id,
        "key": "business-hall-mystery-shop",
        "number": 1,
        "size": "thumb",
    }


def _urls(app, world) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every route, its arguments filled with store 0's objects."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP:
            continue
        values = {arg: world[arg] for arg in rule.arguments}
        url = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, url))
    return out


def _request(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    token = csrf_from(client.get("/", follow_redirects=True).text)
    return client.open(
        url, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token}
    )


#: Pages that show no single store's data, so an outsider may open them.
PUBLIC_TO_ANY_SIGNED_IN = {
    "main.home", "main.healthz", "main.service_worker", "auth.login", "stores.my_stores",
    "ratings.store_ratings", "review.store_actions", "inspections.api_csrf_token",
}  # fmt: skip


def test_a_manager_of_another_store_reaches_nothing_of_this_store(
    app, make_user, org, other_store_world
):
    outsider = make_user(Role.MANAGER, username="outsider", stores=[org["stores"][1]])
    client = app.test_client()
    sign_in(client, outsider.username)
    checked = 0
    for endpoint, method, url in _urls(app, other_store_world):
        response = _request(client, method, url)
        assert response.status_code != 500, (endpoint, url)
        if endpoint in PUBLIC_TO_ANY_SIGNED_IN:
            continue
        assert response.status_code in (302, 400, 403, 404, 405), (
            endpoint,
            method,
            url,
            response.status_code,
        )
        if response.status_code == 302:
            assert "/login" not in response.headers["Location"], (endpoint, url)
        checked += 1
    assert checked > 20
    # The pages an outsider may open never show this store's visit.
    assert other_store_world["uuid"] not in client.get("/actions").text
    assert org["stores"][0].name not in client.get("/actions").text
    assert org["stores"][0].name not in client.get("/my-stores").text


@pytest.mark.parametrize("role", list(Role))
def test_every_route_answers_every_role_without_a_server_error(
    app, make_user, org, other_store_world, role
):
    user = make_user(
        role,
        username=f"walker_{role.value}",
        stores=[org["stores"][0]] if role == Role.MANAGER else None,
    )
    client = app.test_client()
    sign_in(client, user.username)
    for endpoint, method, url in _urls(app, other_store_world):
        if method != "GET":
            continue
        response = client.get(url)
        assert response.status_code < 500, (role, endpoint, url, response.status_code)


def test_photos_pdfs_and_appeal_evidence_are_404_for_another_stores_manager(
    app, make_user, org, other_store_world
):
    outsider = make_user(Role.MANAGER, username="outsider2", stores=[org["stores"][1]])
    client = app.test_client()
    sign_in(client, outsider.username)
    w = other_store_world
    for url in [
        f"/results/{w['uuid']}",
        f"/results/{w['uuid']}/report.pdf",
        f"/photos/{w['photo_uuid']}",
        f"/photos/{w['photo_uuid']}/thumb",
        f"/photos/{w['appeal_photo_uuid']}",
        f"/stores/{w['store_id']}",
        f"/stores/{w['store_id']}/report.pdf",
        f"/review/{w['uuid']}",
        f"/results/actions/{w['action_id']}",
        f"/results/actions/items/{w['action_item_id']}",
    ]:
        assert client.get(url).status_code in (403, 404), url
    unknown = str(uuid.uuid4())
    assert client.get(f"/results/{unknown}").status_code == 404
