"""Dates and times out of range are field errors, refusals or ignored: never a 500."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from inspect_app.inspections.models import Inspection
from inspect_app.photos.models import Photo
from inspect_app.photos.operations import exif_time
from tests.conftest import post_form
from tests.edge.conftest import saved_state
from tests.fixtures.visits import VISIT_UUID, jpeg_bytes, visit_payload

SHANGHAI = ZoneInfo("Asia/Shanghai")
MESSAGES = {
    "format": "Enter a date and time such as 2026-03-14 10:15.",
    "future": "This time is in the future.",
    "past": "This date is too far in the past: check the year.",
}


OUT_OF_RANGE = [
    ("0001-01-01T00:00", "format"),  # overflows when shifted to UTC
    ("0001-01-01T00:00+14:00", "format"),
    ("9999-12-31T23:59", "future"),
    ("9999-12-31T23:59-10:00", "format"),
    ("2026-03-14T10:00+99:00", "format"),
    ("2026-03-14T10:00+23:59", "format"),  # no place is 24 hours from UTC
    ("99999-01-01T00:00", "format"),
    ("1999-12-31T23:59", "past"),
    ("1970-01-01T00:00Z", "past"),
    ("2026-02-30T10:00", "format"),
]


@pytest.mark.parametrize("kind", ["draft", "submit"])
def test_visit_times_out_of_range_are_field_errors(db, visit, kind):
    for arrived_at, message_key in OUT_OF_RANGE:
        body = visit_payload(visit.definition)
        body["visit"]["arrived_at"] = arrived_at
        response = visit.draft(body) if kind == "draft" else visit.submit(body)
        assert response.status_code == 422, (arrived_at, response.text)
        with force_locale("zh_CN"):
            expected = gettext(MESSAGES[message_key])
        assert response.json["errors"]["visit.arrived_at"] == [expected], arrived_at
    inspection = db.session.scalar(select(Inspection).where(Inspection.uuid == VISIT_UUID))
    db.session.refresh(inspection)
    assert inspection.visit_started_at is None
    assert inspection.status == "draft"


def test_an_ordinary_time_with_an_offset_is_kept(db, visit):
    body = visit_payload(visit.definition)
    local = datetime.now(SHANGHAI).replace(second=0, microsecond=0) - timedelta(hours=2)
    body["visit"]["arrived_at"] = local.isoformat()
    body["visit"]["left_at"] = None
    response = visit.draft(body)
    assert response.status_code == 200, response.text
    inspection = db.session.scalar(select(Inspection).where(Inspection.uuid == VISIT_UUID))
    db.session.refresh(inspection)
    assert inspection.visit_started_at.replace(tzinfo=UTC) == local.astimezone(UTC)


def _upload(visit, captured_at: str, seed: int = 0):
    photo_uuid = str(uuid.uuid4())
    response = visit.client.post(
        f"/api/visits/{visit.uuid}/photos",
        data={
            "uuid": photo_uuid,
            "item_id": "hygiene.cleanliness",
            "captured_at": captured_at,
            "photo": (io.BytesIO(jpeg_bytes(seed)), "p.jpg"),
        },
        headers={"X-CSRFToken": visit.token},
    )
    return response, photo_uuid


def test_an_implausible_photo_capture_time_is_ignored(db, visit):
    for seed, captured_at in enumerate(
        ["0001:01:01 00:00:00", "9999:12:31 23:59:59", "1999:12:31 23:59:59",
         "0000:00:00 00:00:00", "2026:13:45 99:99:99", "    :  :     :  :  "]
    ):  # fmt: skip
        response, photo_uuid = _upload(visit, captured_at, seed)
        assert response.status_code == 201, (captured_at, response.text)
        photo = db.session.scalar(select(Photo).where(Photo.uuid == photo_uuid))
        assert photo is not None and photo.captured_at is None, captured_at


def test_a_plausible_photo_capture_time_is_kept(db, visit):
    taken = datetime.now(SHANGHAI).replace(microsecond=0) - timedelta(days=2)
    response, photo_uuid = _upload(visit, taken.strftime("%Y:%m:%d %H:%M:%S"))
    assert response.status_code == 201
    photo = db.session.scalar(select(Photo).where(Photo.uuid == photo_uuid))
    assert photo.captured_at.replace(tzinfo=UTC) == taken.astimezone(UTC)


def test_exif_time_reads_the_phones_text_in_the_halls_zone():
    # Whether the time fits the visit is tests/photos/test_capture_time.py's subject.
    assert exif_time("2026:03:14 09:00:00", SHANGHAI) == datetime(2026, 3, 14, 1, tzinfo=UTC)
    assert exif_time("2099:01:01 10:00:00", SHANGHAI) == datetime(2099, 1, 1, 2, tzinfo=UTC)
    assert exif_time("0001:01:01 00:00:00", SHANGHAI) is None
    assert exif_time("2026:13:45 99:99:99", SHANGHAI) is None
    assert exif_time("", SHANGHAI) is None


PERIODS = ["9999-12", "0001-01", "0000-01", "9999-Q4", "0001-Q1", "9999-12-30..9999-12-31",
           "0001-01-01..0001-01-02", "2026-01-01..9999-12-31", "1999-12", "2101-01", "２０２６-13"]  # fmt: skip


def test_out_of_range_periods_are_refused_on_every_page(
    admin_client, org, default_checklist_version
):
    for period in PERIODS:
        for url in ("/ratings", "/review/inspectors", "/exports/stores.csv", "/exports/detail.csv"):
            response = admin_client.get(url, query_string={"period": period})
            assert response.status_code == 400, (url, period, response.status_code)
        plan = admin_client.get("/admin/plan", query_string={"month": period})
        assert plan.status_code == 400, period
        export = post_form(admin_client, "/exports", {"period": period})
        assert export.status_code == 303, period  # back to the page with a message


def test_periods_in_range_still_work(admin_client, org, default_checklist_version):
    for period in ("2026-03", "2000-01", "2026-Q1", "2026-01-01..2026-02-15"):
        assert admin_client.get("/ratings", query_string={"period": period}).status_code == 200


def test_nothing_saved_by_a_refused_time_leaves_the_draft_unchanged(db, visit):
    assert visit.draft(visit_payload(visit.definition)).status_code == 200
    before = saved_state(db)
    body = visit_payload(visit.definition)
    body["visit"]["arrived_at"] = "0001-01-01T00:00"
    response = visit.draft(body)
    assert response.status_code == 422
    after = saved_state(db)
    # The rest of the draft is saved as before; the refused time is not stored.
    assert after[2] == before[2] and after[6] == before[6]
