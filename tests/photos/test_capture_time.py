"""A photo's capture time is kept only when it fits its visit; the reviewer sees one that did not.

The rule is inspect_app.photos.capture_time: from a day before the arrival to a day after
the departure (evidence), from a day before the arrival (appeal and corrective-action photos),
and never later than ten minutes after the upload.
"""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask_babel import gettext
from flask_migrate import downgrade
from markupsafe import escape
from PIL import Image
from sqlalchemy import select, text

from inspect_app.extensions import db as _db
from inspect_app.inspections.models import Answer
from inspect_app.photos.capture_time import (
    CAPTURE_MARGIN,
    CLOCK_SKEW,
    EARLIEST_CAPTURE,
    CaptureWindow,
    capture_window,
    sort_capture_time,
)
from inspect_app.photos.models import Photo, PhotoPurpose
from inspect_app.photos.pipeline import process_photo
from inspect_app.review.models import CorrectiveActionItem
from tests.fixtures.review import (
    FAILED_HALL_ITEM,
    FAILED_STAFF_ITEM,
    post,
    submit_visit,
)
from tests.fixtures.visits import jpeg_bytes, visit_payload
from tests.inspections.test_nojs_photos import closed
from tests.migration_support import MIGRATIONS, ORGANISATION_ROWS, upgrade_to, upgrade_with_rows

#: 12:00 in the halls on 30 November 2026; the test visits run 00:05–00:35 that day.
NOW = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)
ARRIVED = datetime(2026, 11, 29, 16, 5, tzinfo=UTC)
LEFT = datetime(2026, 11, 29, 16, 35, tzinfo=UTC)
ITEM = "hygiene.cleanliness"
SECOND = timedelta(seconds=1)


@pytest.fixture
def clock():
    """The halls' clock at NOW (and running): list it first, before the visit fixtures."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def exif_jpeg(taken: str | None, seed: int = 0, damaged: bool = False) -> bytes:
    """A JPEG whose EXIF DateTimeOriginal is `taken` (no offset: the halls' time)."""
    image = Image.open(io.BytesIO(jpeg_bytes(seed)))
    exif = Image.Exif()
    if taken is not None:
        exif.get_ifd(0x8769)[0x9003] = taken
    raw = exif.tobytes()
    out = io.BytesIO()
    image.save(out, "JPEG", exif=raw[:-3] if damaged else raw)
    return out.getvalue()


def upload(visit, data: bytes, captured_at: str | None = None, item_id: str = ITEM) -> Photo:
    """Send a photo through the page script's route; return the stored row."""
    photo_uuid = str(uuid.uuid4())
    form = {"uuid": photo_uuid, "item_id": item_id, "photo": (io.BytesIO(data), "p.jpg")}
    if captured_at is not None:
        form["captured_at"] = captured_at
    response = visit.client.post(
        f"/api/visits/{visit.uuid}/photos", data=form, headers={"X-CSRFToken": visit.token}
    )
    assert response.status_code == 201, response.text
    return stored(photo_uuid)


def stored(photo_uuid: str) -> Photo:
    _db.session.expire_all()
    return _db.session.scalar(select(Photo).where(Photo.uuid == photo_uuid))


def notice(app, shown: str) -> str:
    """The implausible-time notice as the page shows it (the default language)."""
    with app.test_request_context():
        return str(escape(gettext("Photo time not trustworthy: %(time)s", time=shown)))


def taken(app, shown: str) -> str:
    with app.test_request_context():
        return str(escape(gettext("Taken %(time)s", time=shown)))


# The rule, at its edges -------------------------------------------------------------------


def evidence(received_at: datetime = NOW) -> CaptureWindow:
    return capture_window(received_at=received_at, visit_start=ARRIVED, visit_end=LEFT)


LATE_UPLOAD = LEFT + timedelta(days=5)


@pytest.mark.parametrize(
    ("window", "instant", "admitted"),
    [
        (evidence(), ARRIVED + timedelta(minutes=10), True),
        (evidence(), ARRIVED - CAPTURE_MARGIN, True),
        (evidence(), ARRIVED - CAPTURE_MARGIN - SECOND, False),
        (evidence(), NOW + CLOCK_SKEW, True),  # a phone clock 10 minutes fast
        (evidence(), NOW + CLOCK_SKEW + SECOND, False),  # the future
        (evidence(), datetime(2099, 1, 1, 2, tzinfo=UTC), False),
        # Uploaded days later: the visit's end closes the window a day after the departure.
        (evidence(LATE_UPLOAD), LEFT + CAPTURE_MARGIN, True),
        (evidence(LATE_UPLOAD), LEFT + CAPTURE_MARGIN + SECOND, False),
        # Appeal and corrective-action photos: after the visit, until their upload.
        (capture_window(received_at=LATE_UPLOAD, visit_start=ARRIVED), LATE_UPLOAD, True),
        (capture_window(received_at=LATE_UPLOAD, visit_start=ARRIVED), LEFT + timedelta(days=3), True),
        (capture_window(received_at=LATE_UPLOAD, visit_start=ARRIVED), ARRIVED - CAPTURE_MARGIN - SECOND, False),
        (capture_window(received_at=LATE_UPLOAD, visit_start=ARRIVED), LATE_UPLOAD + CLOCK_SKEW + SECOND, False),
        # A draft without times yet: only the upload and the year 2000 bound it.
        (capture_window(received_at=NOW), EARLIEST_CAPTURE, True),
        (capture_window(received_at=NOW), EARLIEST_CAPTURE - SECOND, False),
        (capture_window(received_at=NOW), NOW - timedelta(days=400), True),
        (capture_window(received_at=NOW), NOW + CLOCK_SKEW + SECOND, False),
    ],
)  # fmt: skip
def test_the_window_admits_times_up_to_its_edges(window, instant, admitted):
    assert window.admits(instant) is admitted
    kept, implausible = sort_capture_time(instant, window)
    assert (kept, implausible) == ((instant, None) if admitted else (None, instant))


def test_the_rule_has_a_day_before_and_ten_minutes_of_clock_skew():
    assert CAPTURE_MARGIN / timedelta(hours=1) == 24
    assert CLOCK_SKEW / timedelta(minutes=1) == 10
    assert evidence() == CaptureWindow(earliest=ARRIVED - CAPTURE_MARGIN, latest=NOW + CLOCK_SKEW)


@pytest.mark.parametrize(
    "data",
    [exif_jpeg(None), exif_jpeg("2099:01:01 10:00:00", damaged=True), exif_jpeg("0000:00:00 00:00:00")],
    ids=["no EXIF", "damaged EXIF", "zeroed clock"],
)  # fmt: skip
def test_a_photo_without_a_readable_time_claims_nothing(data):
    claimed = process_photo(data).captured_at
    assert claimed is None
    assert sort_capture_time(claimed, evidence()) == (None, None)


# Through the real routes -------------------------------------------------------------------


def test_a_photo_from_2099_is_stored_without_a_time_and_flagged_to_the_reviewer(
    clock, app, db, visit, reviewer
):
    photo = upload(visit, exif_jpeg("2099:01:01 10:00:00", 1))
    assert photo.captured_at is None
    assert photo.implausible_captured_at == datetime(2099, 1, 1, 2, tzinfo=UTC)
    submit_visit(visit)
    assert stored(photo.uuid).implausible_captured_at is not None

    page = reviewer.get(f"/review/{visit.uuid}")
    assert page.status_code == 200
    assert notice(app, "2099-01-01 10:00") in page.text
    own = visit.client.get(f"/visits/{visit.uuid}/view")
    assert own.status_code == 200 and notice(app, "2099-01-01 10:00") in own.text


def test_a_plausible_exif_time_is_kept_and_shown(clock, app, db, visit, reviewer):
    photo = upload(visit, exif_jpeg("2026:11:30 00:20:00", 2))
    submit_visit(visit)
    photo = stored(photo.uuid)
    assert photo.captured_at == datetime(2026, 11, 29, 16, 20, tzinfo=UTC)
    assert photo.implausible_captured_at is None
    page = reviewer.get(f"/review/{visit.uuid}").text
    assert taken(app, "2026-11-30 00:20") in page
    assert notice(app, "") not in page


def test_a_forged_captured_at_field_is_dropped_the_same_way(clock, app, db, visit, reviewer):
    forged = upload(visit, exif_jpeg(None, 3), captured_at="2099:01:01 10:00:00")
    assert forged.captured_at is None
    assert forged.implausible_captured_at == datetime(2099, 1, 1, 2, tzinfo=UTC)
    honest = upload(visit, exif_jpeg(None, 4), captured_at="2026:11:30 00:25:00")
    assert honest.captured_at == datetime(2026, 11, 29, 16, 25, tzinfo=UTC)
    # The file's own EXIF wins: a plausible field cannot cover an implausible file.
    covered = upload(visit, exif_jpeg("2099:01:01 10:00:00", 5), captured_at="2026:11:30 00:25:00")
    assert covered.captured_at is None
    assert covered.implausible_captured_at == datetime(2099, 1, 1, 2, tzinfo=UTC)
    submit_visit(visit)
    page = reviewer.get(f"/review/{visit.uuid}").text
    assert page.count(notice(app, "2099-01-01 10:00")) == 2
    assert taken(app, "2026-11-30 00:25") in page


def test_ten_minutes_of_a_fast_phone_clock_are_allowed_and_no_more(clock, db, visit):
    # NOW is 12:00 in the halls.
    assert upload(visit, exif_jpeg("2026:11:30 12:09:00", 6)).captured_at is not None
    late = upload(visit, exif_jpeg("2026:11:30 12:11:00", 7))
    assert late.captured_at is None
    assert late.implausible_captured_at == datetime(2026, 11, 30, 4, 11, tzinfo=UTC)


def test_times_are_checked_again_when_the_visits_times_are_saved(clock, app, db, visit):
    # Before the arrival is known, only the upload bounds the time; the draft then narrows it.
    early = upload(visit, exif_jpeg("2026:11:29 00:04:00", 8))  # a day and a minute before
    inside = upload(visit, exif_jpeg("2026:11:29 00:06:00", 9))  # a day less a minute before
    assert early.captured_at is not None and inside.captured_at is not None
    body = visit_payload(visit.definition)
    assert visit.draft(body).status_code == 200
    assert stored(early.uuid).captured_at is None
    assert stored(early.uuid).implausible_captured_at == datetime(2026, 11, 28, 16, 4, tzinfo=UTC)
    assert stored(inside.uuid).captured_at == datetime(2026, 11, 28, 16, 6, tzinfo=UTC)
    # The inspector corrects the arrival to the day before: the time fits again.
    body["visit"]["arrived_at"] = "2026-11-29T23:50"
    assert visit.draft(body).status_code == 200
    assert stored(early.uuid).captured_at == datetime(2026, 11, 28, 16, 4, tzinfo=UTC)
    assert stored(early.uuid).implausible_captured_at is None


def test_a_photo_without_a_readable_time_shows_no_time(clock, app, db, visit, reviewer):
    for seed, data in enumerate([exif_jpeg(None, 10), exif_jpeg("2099:01:01 10:00:00", 11, True)]):
        photo = upload(visit, data, captured_at="not a time" if seed else None)
        assert (photo.captured_at, photo.implausible_captured_at) == (None, None)
    submit_visit(visit)
    page = reviewer.get(f"/review/{visit.uuid}")
    assert page.status_code == 200
    assert notice(app, "") not in page.text


def _photos(*files: bytes) -> list:
    return [(io.BytesIO(data), f"{n}.jpg") for n, data in enumerate(files)]


def test_appeal_and_action_photos_may_be_later_but_not_before_the_visit(
    clock,
    app,
    db,
    approved,
    manager,
    reviewer,
):
    clock.shift(timedelta(days=2))  # 2 December, 12:00 in the halls
    answer_id = db.session.scalar(select(Answer.id).where(Answer.item_id == FAILED_STAFF_ITEM))
    photos = _photos(
        exif_jpeg("2026:12:01 09:00:00", 20),  # after the visit, before the upload: kept
        exif_jpeg("2026:11:28 12:00:00", 21),  # more than a day before the visit
        exif_jpeg("2099:01:01 10:00:00", 22),
    )
    response = closed(
        post(
            manager,
            f"/results/{approved.uuid}/appeals",
            {"answer_id": answer_id, "reason": "员工当时在协助客户", "photos": photos},
            content_type="multipart/form-data",
        )
    )
    assert response.status_code == 302, response.text
    db.session.expire_all()
    appeal_photos = db.session.scalars(
        select(Photo).where(Photo.purpose == PhotoPurpose.APPEAL).order_by(Photo.id)
    ).all()
    assert [(p.captured_at, p.implausible_captured_at) for p in appeal_photos] == [
        (datetime(2026, 12, 1, 1, tzinfo=UTC), None),
        (None, datetime(2026, 11, 28, 4, tzinfo=UTC)),
        (None, datetime(2099, 1, 1, 2, tzinfo=UTC)),
    ]
    for client, url in ((manager, "/results/"), (reviewer, "/review/")):
        page = client.get(url + approved.uuid).text
        assert notice(app, "2026-11-28 12:00") in page and notice(app, "2099-01-01 10:00") in page
        assert taken(app, "2026-12-01 09:00") in page

    action_item = db.session.scalar(
        select(CorrectiveActionItem).join(Answer).where(Answer.item_id == FAILED_HALL_ITEM)
    )
    response = closed(
        post(
            manager,
            f"/results/actions/items/{action_item.id}",
            {
                "description": "已清理",
                "photos": _photos(
                    exif_jpeg("2026:12:02 11:30:00", 23), exif_jpeg("2099:01:01 10:00:00", 24)
                ),
            },
            content_type="multipart/form-data",
        )
    )
    assert response.status_code == 302, response.text
    db.session.expire_all()
    action_photos = db.session.scalars(
        select(Photo).where(Photo.purpose == PhotoPurpose.CORRECTIVE_ACTION).order_by(Photo.id)
    ).all()
    assert [(p.captured_at, p.implausible_captured_at) for p in action_photos] == [
        (datetime(2026, 12, 2, 3, 30, tzinfo=UTC), None),
        (None, datetime(2099, 1, 1, 2, tzinfo=UTC)),
    ]


# The migration ------------------------------------------------------------------------------

ROWS_0009 = [
    *ORGANISATION_ROWS,
    "INSERT INTO inspections (id, uuid, store_id, checklist_version_id, inspector_id, status, "
    "is_vetoed, draft_revision, visit_date, visit_started_at, visit_ended_at, created_at, "
    "updated_at) VALUES (1, '00000000-0000-4000-8000-000000000001', 1, 1, 1, 'approved', :f, 0, "
    "'2026-01-02', :arrived, :left, :now, :now)",
    *(
        "INSERT INTO photos (id, uuid, inspection_id, item_id, purpose, storage_key, "
        "thumbnail_key, byte_size, width, height, sha256, source_sha256, perceptual_hash, "
        f"captured_at, uploaded_by_id, created_at) VALUES ({n}, "
        f"'00000000-0000-4000-8000-00000000000{n}', 1, 'a.one', '{purpose}', 'k{n}', 't{n}', 10, "
        f"8, 8, 's', 's', '0000000000000000', {taken}, 1, :now)"
        for n, purpose, taken in [
            (1, "evidence", ":during"),
            (2, "evidence", ":future"),
            (3, "evidence", ":two_days_before"),
            (4, "evidence", "NULL"),
            (5, "appeal", ":after"),
        ]
    ),
]


def test_0010_sets_existing_implausible_times_aside_and_puts_them_back(migration_app):
    upgrade_with_rows(
        "0009",
        ROWS_0009,
        arrived="2026-01-02 01:00:00+00:00",
        left="2026-01-02 01:30:00+00:00",
        during="2026-01-02 01:10:00+00:00",
        future="2099-01-01 02:00:00+00:00",
        two_days_before="2025-12-31 01:00:00+00:00",
        after="2026-01-02 09:00:00+00:00",  # ROW_VALUES' now is 10:00 on that day
    )
    upgrade_to("0010")
    query = text("SELECT id, captured_at, implausible_captured_at FROM photos ORDER BY id")
    with _db.engine.connect() as conn:
        rows = {n: (kept is not None, aside is not None) for n, kept, aside in conn.execute(query)}
    assert rows == {
        1: (True, False),
        2: (False, True),
        3: (False, True),
        4: (False, False),
        5: (True, False),
    }
    downgrade(directory=str(MIGRATIONS), revision="0009")
    with _db.engine.connect() as conn:
        captured = conn.execute(text("SELECT id FROM photos WHERE captured_at IS NOT NULL"))
        assert sorted(n for (n,) in captured) == [1, 2, 3, 5]
