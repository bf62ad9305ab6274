"""Helpers for request-hygiene tests: raw bodies and the state of the started visit (the visit and
the real server socket, `live_app`, are plugin fixtures from tests/fixtures)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from sqlalchemy import select

from inspect_app.inspections.models import Answer, Inspection
from inspect_app.photos.models import Photo
from tests.fixtures.visits import VISIT_UUID

# Bounded so that the whole folder runs in well under a minute per database; every example
# shares one started visit, so the health check about function-scoped fixtures does not apply.
settings.register_profile(
    "edge-fuzz",
    max_examples=150,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

BOUNDARY = "edge-test-boundary-7c1f"


def multipart(fields: dict[str, bytes], files: dict[str, tuple[bytes, bytes]]) -> bytes:
    """Encode a multipart/form-data body from raw bytes, however hostile (no re-encoding)."""
    out = bytearray()
    for name, value in fields.items():
        out += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += value + b"\r\n"
    for name, (filename, data) in files.items():
        out += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="'.encode()
        out += filename + b'"\r\nContent-Type: image/jpeg\r\n\r\n' + data + b"\r\n"
    out += f"--{BOUNDARY}--\r\n".encode()
    return bytes(out)


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def saved_state(db) -> tuple:
    """Everything a draft save or photo upload could change on the started visit."""
    db.session.expire_all()
    inspection = db.session.scalar(select(Inspection).where(Inspection.uuid == VISIT_UUID))
    answers = db.session.execute(
        select(
            Answer.item_id,
            Answer.value,
            Answer.comment,
            Answer.employee_no,
            Answer.is_staff_named,
            Answer.is_unidentified,
            Answer.person_description,
        )
        .where(Answer.inspection_id == inspection.id)
        .order_by(Answer.item_id)
    ).all()
    served = [s.staff_id for s in inspection.served_by]
    photos = db.session.scalars(
        select(Photo.uuid).where(Photo.inspection_id == inspection.id).order_by(Photo.uuid)
    ).all()
    return (
        inspection.status,
        inspection.draft_revision,
        inspection.visit_started_at,
        inspection.visit_ended_at,
        inspection.waiting_minutes,
        inspection.counter_no,
        [tuple(row) for row in answers],
        list(photos),
        served,
    )
