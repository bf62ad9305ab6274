"""Fixtures for visits: an inspector with an assignment, payloads, photos."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageDraw

from inspect_app.checklists.operations import definition_of
from inspect_app.config import TestConfig
from inspect_app.inspections.models import Assignment, AssignmentStatus
from tests.conftest import csrf_from, halls_today

PHOTO_ALWAYS = ("hygiene.cleanliness", "hygiene.price_list")


def jpeg_bytes(seed: int = 0, size: tuple[int, int] = (800, 600)) -> bytes:
    """A small photo-like JPEG; different seeds give different pictures."""
    image = Image.new("RGB", size, (30 + seed * 40 % 200, 120, 160))
    draw = ImageDraw.Draw(image)
    for n in range(12):
        x = (seed * 97 + n * 53) % size[0]
        draw.rectangle(
            [x, n * 40, x + 120, n * 40 + 60], fill=((n * 40) % 255, 200 - n * 10, seed * 30 % 255)
        )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def complete_answers(definition, **overrides) -> dict:
    """Answers that pass every item of the definition (full marks)."""
    answers = {}
    for item in definition.items:
        value = {
            "pass_fail": "pass",
            "scale": item.config.get("max"),
            "stars": 5,
            "choice": max(item.config.get("options", [{}]), key=lambda o: o.get("points", 0)).get(
                "value"
            ),
            "number": 1,
            "text": "整体良好",
        }[item.type]
        answers[item.id] = {"value": value}
    answers.update(overrides)
    return answers


#: The 工号 of the one staff member the `org` fixture gives the visited (first) hall.
SERVED = "00001"


def visit_day() -> date:
    """The halls' date of the test visits: today, or yesterday in the hour after midnight, so
    that a visit from 00:05 to 00:35 (the halls' time) is always over."""
    return (datetime.now(ZoneInfo(TestConfig.TIMEZONE)) - timedelta(hours=1)).date()


def visit_payload(definition, served_by: list[str] | None = None, **overrides) -> dict:
    """A complete visit at the first hall, served by its staff member, answers from overrides."""
    today = visit_day().isoformat()
    return {
        "visit": {
            "arrived_at": f"{today}T00:05",
            "left_at": f"{today}T00:35",
            "waiting_minutes": 4,
            "counter_no": "3",
            "served_by": [SERVED] if served_by is None else served_by,
        },
        "answers": complete_answers(definition, **overrides),
    }


@pytest.fixture
def assignment(db, inspector_client, org, default_checklist_version):
    today = halls_today()
    row = Assignment(
        inspector_id=inspector_client.user.id,
        store_id=org["stores"][0].id,
        checklist_id=default_checklist_version.checklist_id,
        window_start=today - timedelta(days=1),
        window_end=today + timedelta(days=5),
        status=AssignmentStatus.PUBLISHED,
    )
    db.session.add(row)
    db.session.commit()
    return row


class Visit:
    """A started visit and the calls the page's script makes on it."""

    def __init__(self, client, uuid: str, definition) -> None:
        self.client, self.uuid, self.definition = client, uuid, definition

    @property
    def token(self) -> str:
        return csrf_from(self.client.get("/visits").text)

    def draft(self, body, **kwargs):
        return self.client.post(
            f"/api/visits/{self.uuid}/draft",
            json=body,
            headers={"X-CSRFToken": self.token},
            **kwargs,
        )

    def submit(self, body):
        return self.client.post(
            f"/api/visits/{self.uuid}/submit", json=body, headers={"X-CSRFToken": self.token}
        )

    def photo(self, photo_uuid: str, item_id: str | None, data: bytes, filename: str = "p.jpg"):
        form = {"uuid": photo_uuid, "photo": (io.BytesIO(data), filename)}
        if item_id:
            form["item_id"] = item_id
        return self.client.post(
            f"/api/visits/{self.uuid}/photos", data=form, headers={"X-CSRFToken": self.token},
            content_type="multipart/form-data",
        )  # fmt: skip


VISIT_UUID = "6b0f2f4e-95a4-4f0c-9d7e-1f2a3b4c5d6e"


@pytest.fixture
def visit(inspector_client, assignment, default_checklist_version) -> Visit:
    token = csrf_from(inspector_client.get("/visits").text)
    response = inspector_client.post(
        "/visits/start",
        data={"csrf_token": token, "assignment_id": assignment.id, "uuid": VISIT_UUID},
    )
    assert response.status_code == 302, response.text
    return Visit(inspector_client, VISIT_UUID, definition_of(default_checklist_version))
