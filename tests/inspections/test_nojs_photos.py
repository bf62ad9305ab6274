"""The visit form without JavaScript: limits hold per photo, never for the whole visit.

The per-photo limit is lowered here (as INSPECT_MAX_UPLOAD_BYTES would be) so that small files
stand for 5.8 MB camera photos: four photos over it, plus the answers, are well above the whole
request limit, and the answers must still be saved and each refused photo named beside its item.
"""

from __future__ import annotations

import io
import random

from flask_babel import gettext
from markupsafe import escape
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from inspect_app.checklists.forms import answer_field_name, comment_field_name
from inspect_app.inspections.models import Inspection, InspectionStatus
from inspect_app.inspections.payload import photo_field_name, staff_field_name
from inspect_app.photos.models import Photo
from tests.conftest import csrf_from, halls_today
from tests.fixtures.visits import (
    PHOTO_ALWAYS,
    PHOTO_LIMIT,
    VISIT_UUID,
    complete_answers,
    jpeg_bytes,
)

EMPLOYEE_NO = "00001"


def noise_jpeg(min_bytes: int, seed: int) -> bytes:
    """A random-noise JPEG (noise does not compress) of at least min_bytes."""
    rng, side = random.Random(seed), 256
    while True:
        image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=95)
        if out.tell() >= min_bytes:
            return out.getvalue()
        side = side * 5 // 4


def translated(app, message: str, **values) -> str:
    """The message as the page shows it (the default language), escaped as in the HTML."""
    with app.test_request_context():
        return str(escape(gettext(message, **values)))


def item_block(html: str, item_id: str) -> str:
    """The HTML of one checklist item on the form, up to the next item."""
    start = html.index(f'id="item-{item_id}"')
    following = html.find('id="item-', start + 1)
    return html[start : following if following > 0 else len(html)]


def full_form(visit, action: str) -> tuple[dict, dict[str, tuple[str, str | None]]]:
    """Every item answered with a 2,000-character comment, as a browser posts the whole form."""
    page = visit.client.get(f"/visits/{VISIT_UUID}").text
    today = halls_today().isoformat()
    form: dict = {
        "csrf_token": csrf_from(page),
        "action": action,
        "visit_arrived_at": f"{today}T00:05",
        "visit_left_at": f"{today}T00:35",
        "visit_waiting_minutes": "4",
        "visit_counter_no": "3",
    }
    expected: dict[str, tuple[str, str | None]] = {}
    for item in visit.definition.items:
        value = complete_answers(visit.definition)[item.id]["value"]
        comment = (f"{item.id}：" + "服务细节记录" * 400)[:2000]
        form[answer_field_name(item)] = str(value)
        form[comment_field_name(item)] = comment
        if item.staff:
            form[staff_field_name(item)] = EMPLOYEE_NO
        expected[item.id] = (comment, EMPLOYEE_NO if item.staff else None)
        if f'name="{photo_field_name(item)}"' in page:
            # A browser sends every file input, the empty ones too (camera and gallery).
            form[photo_field_name(item)] = [
                FileStorage(io.BytesIO(b""), filename="", content_type="application/octet-stream")
                for _ in range(2)
            ]
    return form, expected


def closed(response):
    """Close the request body the test client spooled to a temporary file (it never does)."""
    response.request.environ["wsgi.input"].close()
    return response


def send(client, form: dict):
    """Post the visit form as a browser does."""
    return closed(
        client.post(f"/visits/{VISIT_UUID}", data=form, content_type="multipart/form-data")
    )


def photo_items(visit) -> list[str]:
    """Items whose form has photo inputs, the ones that require a photo first."""
    page = visit.client.get(f"/visits/{VISIT_UUID}").text
    with_inputs = [
        item.id
        for item in visit.definition.items
        if f'name="{photo_field_name(item)}"' in page and item.id not in PHOTO_ALWAYS
    ]
    return [*PHOTO_ALWAYS, *with_inputs]


def attach(form: dict, item_id: str, data: bytes, name: str) -> None:
    key = "p__" + item_id.replace(".", "__")
    form[key] = [FileStorage(io.BytesIO(data), filename=name, content_type="image/jpeg")]


def test_answers_are_saved_and_each_oversized_photo_is_named_beside_its_item(
    app, db, visit, small_limits
):
    items = photo_items(visit)
    refused = {
        items[n]: (f"大堂照片-{n}.jpg", noise_jpeg(PHOTO_LIMIT + 1, n)) for n in (0, 2, 3, 4)
    }
    accepted = {items[n]: (f"柜台-{n}.jpg", jpeg_bytes(n)) for n in (1, 5)}
    form, expected = full_form(visit, "submit")
    for item_id, (name, data) in (refused | accepted).items():
        attach(form, item_id, data, name)
    photo_bytes = sum(len(data) for _, data in (refused | accepted).values())
    assert photo_bytes > 4 * app.config["MAX_CONTENT_LENGTH"]  # far above the request limit
    assert all(len(data) <= PHOTO_LIMIT for _, data in accepted.values())

    response = send(visit.client, form)

    assert response.status_code == 422
    db.session.expire_all()
    inspection = db.session.scalar(select(Inspection))
    assert inspection.status == InspectionStatus.DRAFT  # not submitted without its photos
    saved = {a.item_id: (a.comment, a.employee_no) for a in inspection.answers}
    assert saved == expected  # every answer, comment and 工号 of the whole checklist
    assert all(a.value is not None for a in inspection.answers)
    stored = db.session.scalars(select(Photo.item_id).where(Photo.inspection_id == inspection.id))
    assert sorted(stored) == sorted(accepted)
    too_large = translated(
        app,
        "The photo is larger than %(limit)s MB. Please choose a smaller one.",
        limit=f"{PHOTO_LIMIT / 1024 / 1024:.3g}",
    )
    for item_id, (name, _) in refused.items():
        block = item_block(response.text, item_id)
        assert 'class="field-error"' in block and name in block and too_large in block
    assert not any(name in response.text for name, _ in accepted.values())
    # The form comes back as typed: comments, 工号 and answers.
    for item_id, (comment, employee_no) in list(expected.items())[:10]:
        block = item_block(response.text, item_id)
        assert comment in block
        assert employee_no is None or f'value="{employee_no}"' in block


def test_sending_the_refused_photos_again_smaller_submits_the_visit(db, visit, small_limits):
    items = photo_items(visit)
    form, _ = full_form(visit, "submit")
    attach(form, items[0], noise_jpeg(PHOTO_LIMIT + 1, 7), "big.jpg")
    attach(form, items[1], jpeg_bytes(1), "ok.jpg")
    first = send(visit.client, form)
    assert first.status_code == 422 and "big.jpg" in first.text

    again, _ = full_form(visit, "submit")
    attach(again, items[0], jpeg_bytes(2), "smaller.jpg")
    response = send(visit.client, again)
    assert response.status_code == 302, response.text
    db.session.expire_all()
    assert db.session.scalar(select(Inspection)).status == InspectionStatus.SUBMITTED
    assert db.session.query(Photo).count() == 2


def test_a_post_above_the_form_limit_says_to_send_fewer_photos(app, db, visit, small_limits):
    # Kept under the test client's 500 KB spooling threshold: an unread spooled body is never closed.
    form = {"csrf_token": visit.token, "action": "save", "c__hygiene__restroom": "记录"}
    attach(form, photo_items(visit)[0], noise_jpeg(300_000, 1), "a.jpg")
    saved = app.config["MAX_FORM_BYTES"]
    app.config["MAX_FORM_BYTES"] = 250_000
    try:
        response = send(visit.client, form)
    finally:
        app.config["MAX_FORM_BYTES"] = saved
    assert response.status_code == 413
    message = (
        "What was sent (text and photos together) is larger than %(limit)s MB, so nothing on "
        "this page was saved. Go back, shorten the text or remove some photos, and send again; "
        "add the other photos afterwards."
    )
    assert translated(app, message, limit=f"{250_000 / 1024 / 1024:.3g}") in response.text


def test_only_signed_in_photo_forms_get_the_larger_limit(app, db, visit, small_limits):
    photo = noise_jpeg(PHOTO_LIMIT + 1, 3)
    anonymous = app.test_client().post(
        f"/visits/{VISIT_UUID}",
        data={"photo": (io.BytesIO(photo), "p.jpg")},
        content_type="multipart/form-data",
    )
    assert anonymous.status_code == 413  # nobody makes the server spool big bodies unsigned
    api = visit.client.post(
        f"/api/visits/{VISIT_UUID}/photos",
        data={
            "photo": (io.BytesIO(photo), "p.jpg"),
            "uuid": "0b8f1f44-6f0e-4b53-9a55-6c3c36c6a001",
        },
        headers={"X-CSRFToken": visit.token},
        content_type="multipart/form-data",
    )
    assert api.status_code == 413  # one photo per request: the request limit still holds there
