"""A submitted visit with findings, and clients for the reviewer and the store's manager."""

from __future__ import annotations

import uuid

import pytest

from inspect_app.auth.models import Role
from tests.conftest import csrf_from, sign_in

# Shared fixtures (assignment, visit) come with the helpers.
from tests.inspections.conftest import PHOTO_ALWAYS, assignment, jpeg_bytes, visit, visit_payload

FAILED_STAFF_ITEM = "appearance.badge_worn"
FAILED_HALL_ITEM = "hygiene.restroom"
PASSED_ITEM = "uniform.clean"
#: The 工号 of the visited hall's staff member who served the inspector (tests.conftest org).
SERVED = "00001"


def submit_visit(visit, **answers) -> dict:
    """Submit the visit with photos for the photo items and the restroom, served by SERVED.

    `answers` override the full-marks answers item by item; returns the payload sent.
    """
    for n, item_id in enumerate((*PHOTO_ALWAYS, FAILED_HALL_ITEM)):
        assert visit.photo(str(uuid.uuid4()), item_id, jpeg_bytes(10 + n)).status_code == 201
    payload = visit_payload(visit.definition, **answers)
    payload["visit"]["served_by"] = [SERVED]
    response = visit.submit(payload)
    assert response.status_code == 200, response.json
    return payload


@pytest.fixture
def submitted(db, visit):
    """The visit fixture, submitted with two findings (one on a person, one in the hall)."""
    visit.payload = submit_visit(
        visit,
        **{
            FAILED_STAFF_ITEM: {"value": "fail", "employee_no": "00001", "comment": "工牌未佩戴"},
            FAILED_HALL_ITEM: {"value": "fail", "comment": "洗手台有积水"},
        },
    )
    return visit


def role_client(app, make_user, role, username, **kwargs):
    make_user(role, username=username, **kwargs)
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    return client


@pytest.fixture
def reviewer(app, make_user):
    return role_client(app, make_user, Role.REVIEWER, "reviewer1")


@pytest.fixture
def manager(app, make_user, org):
    """The manager of the visited store (the first one)."""
    return role_client(app, make_user, Role.MANAGER, "manager1", stores=[org["stores"][0]])


@pytest.fixture
def other_manager(app, make_user, org):
    return role_client(app, make_user, Role.MANAGER, "manager2", stores=[org["stores"][1]])


def post(client, url, data=None, **kwargs):
    token = csrf_from(client.get("/", follow_redirects=True).text)
    return client.post(url, data={**(data or {}), "csrf_token": token}, **kwargs)


@pytest.fixture
def approved(submitted, reviewer):
    response = post(reviewer, f"/review/{submitted.uuid}/approve")
    assert response.status_code == 302
    return submitted
