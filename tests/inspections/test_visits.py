"""The inspector's visit: start, autosave, submit, idempotency, validation, permissions."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from inspect_app.auth.models import Role
from inspect_app.inspections.models import (
    Answer,
    Assignment,
    AssignmentStatus,
    Inspection,
    InspectionStatus,
)
from inspect_app.photos.models import Photo
from tests.conftest import csrf_from, data_file, sign_in
from tests.fixtures.visits import PHOTO_ALWAYS, VISIT_UUID, jpeg_bytes, visit_payload
from tests.inspections.test_nojs_photos import translated


def _inspection(db) -> Inspection:
    db.session.expire_all()
    return db.session.scalar(select(Inspection).where(Inspection.uuid == VISIT_UUID))


def _photos_for_always_items(visit) -> None:
    for n, item_id in enumerate(PHOTO_ALWAYS):
        assert visit.photo(str(uuid.uuid4()), item_id, jpeg_bytes(n)).status_code == 201


def test_home_lists_assignments_and_starting_twice_opens_one_visit(
    db, inspector_client, visit, assignment
):
    home = inspector_client.get("/visits")
    assert "北一营业厅" in home.text
    assert f"/visits/{VISIT_UUID}" in home.text  # the started visit is offered to continue
    token = csrf_from(home.text)
    again = inspector_client.post(
        "/visits/start",
        data={"csrf_token": token, "assignment_id": assignment.id, "uuid": str(uuid.uuid4())},
    )
    assert again.headers["Location"].endswith(VISIT_UUID)
    assert db.session.query(Inspection).count() == 1
    assert db.session.get(Assignment, assignment.id).status == AssignmentStatus.IN_PROGRESS


def test_form_page_shows_every_item_the_roster_and_is_light(inspector_client, visit):
    page = inspector_client.get(f"/visits/{VISIT_UUID}")
    assert page.status_code == 200
    for item in visit.definition.items:
        assert f'id="item-{item.id}"' in page.text
        assert item.text in page.text
    # The hall's roster to pick who served, 工号 with leading zeros.
    assert 'name="visit_served_by"' in page.text and 'value="00001"' in page.text
    assert 'name="s__appearance__badge_worn"' in page.text  # someone else on an item
    assert 'capture="environment"' in page.text
    assert 'inputmode="numeric"' in page.text


def test_another_inspector_cannot_see_or_change_the_visit(app, db, make_user, visit):
    other = make_user(Role.INSPECTOR, username="other")
    client = app.test_client()
    sign_in(client, other.username)
    token = csrf_from(client.get("/visits").text)
    assert client.get(f"/visits/{VISIT_UUID}").status_code == 404
    response = client.post(
        f"/api/visits/{VISIT_UUID}/draft", json={"answers": {}}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 404
    photo = client.post(
        f"/api/visits/{VISIT_UUID}/photos",
        data={
            "uuid": str(uuid.uuid4()),
            "photo": (__import__("io").BytesIO(jpeg_bytes()), "a.jpg"),
        },
        headers={"X-CSRFToken": token},
    )
    assert photo.status_code == 404


def test_autosave_keeps_valid_answers_and_flags_bad_ones(db, visit):
    first = visit.draft(
        {"answers": {"appearance.badge_worn": {"value": "fail", "employee_no": "00001"}}}
    )
    assert first.status_code == 200, first.json
    revision = first.json["revision"]
    second = visit.draft(
        {
            "answers": {
                "behaviour.attitude": {"value": 9},
                "appearance.badge_worn": {"value": "pass", "comment": "已整改"},
            }
        }
    )
    assert second.status_code == 422
    assert "behaviour.attitude" in second.json["errors"]
    assert second.json["revision"] == revision + 1
    answers = {a.item_id: a for a in _inspection(db).answers}
    assert answers["appearance.badge_worn"].value == "pass"
    assert answers["appearance.badge_worn"].comment == "已整改"
    assert "behaviour.attitude" not in answers or answers["behaviour.attitude"].value is None


def test_forged_or_oversized_drafts_are_refused_and_change_nothing(db, visit):
    visit.draft({"answers": {"appearance.badge_worn": {"value": "pass"}}})
    tampered = visit.draft(
        {"answers": {"appearance.badge_worn": {"value": "fail"}, "nope.item": {"value": "pass"}}}
    )
    assert tampered.status_code == 400
    assert "nope.item" in tampered.json["message"]
    huge = visit.draft(
        {"answers": {"appearance.badge_worn": {"value": "fail", "comment": "长" * 10_000_000}}}
    )
    assert huge.status_code == 413
    not_json = visit.client.post(
        f"/api/visits/{VISIT_UUID}/draft", data="answers", headers={"X-CSRFToken": visit.token}
    )
    assert not_json.status_code == 400
    no_csrf = visit.client.post(f"/api/visits/{VISIT_UUID}/draft", json={"answers": {}})
    assert no_csrf.status_code == 403 and no_csrf.json["code"] == "csrf"
    answers = {a.item_id: a for a in _inspection(db).answers}
    assert answers["appearance.badge_worn"].value == "pass"


def test_a_long_comment_is_refused_beside_its_item(visit):
    response = visit.draft(
        {"answers": {"appearance.badge_worn": {"value": "pass", "comment": "长" * 2001}}}
    )
    assert response.status_code == 422
    assert "2000" in " ".join(response.json["errors"]["appearance.badge_worn"])


def test_submit_stores_scores_and_a_retry_changes_nothing(db, visit, assignment):
    _photos_for_always_items(visit)
    payload = visit_payload(visit.definition)
    first = visit.submit(payload)
    assert first.status_code == 200, first.json
    inspection = _inspection(db)
    assert inspection.status == InspectionStatus.SUBMITTED
    assert float(inspection.score_percent) == 100.0
    assert inspection.visit_date is not None
    assert db.session.get(Assignment, assignment.id).status == AssignmentStatus.DONE
    submitted_at = inspection.submitted_at
    retry = visit.submit(payload)
    assert retry.status_code == 200 and retry.json["repeated"] is True
    assert _inspection(db).submitted_at == submitted_at
    changed = visit_payload(
        visit.definition, **{"appearance.badge_worn": {"value": "fail", "employee_no": "00001"}}
    )
    conflict = visit.submit(changed)
    assert conflict.status_code == 409
    assert visit.draft(changed).status_code == 409
    assert float(_inspection(db).score_percent) == 100.0
    assert visit.client.get(f"/visits/{VISIT_UUID}").status_code == 302  # read-only now


def test_submit_reports_every_missing_thing_and_keeps_the_draft(app, db, visit):
    payload = visit_payload(
        visit.definition,
        served_by=[],  # nobody chosen as having served
        **{
            "appearance.badge_worn": {"value": "fail"},  # so this finding is about nobody
            "hygiene.restroom": {"value": "fail"},  # failed hygiene item without a photo
        },
    )
    del payload["answers"]["uniform.clean"]
    payload["visit"]["left_at"] = payload["visit"]["arrived_at"].replace("T00:05", "T00:01")
    response = visit.submit(payload)
    assert response.status_code == 422
    errors = response.json["errors"]
    assert set(errors) >= {
        "appearance.badge_worn",
        "hygiene.restroom",
        "uniform.clean",
        "visit.left_at",
        *PHOTO_ALWAYS,
    }
    assert errors["appearance.badge_worn"] == [
        translated(
            app,
            "Choose who served you, or name the staff member or mark “not identified” on this item.",
        )
    ]
    assert errors["uniform.worn"] == errors["appearance.badge_worn"]  # passed ones too
    inspection = _inspection(db)
    assert inspection.status == InspectionStatus.DRAFT
    # What was valid is kept as the draft: nothing the inspector entered is lost.
    assert {a.item_id for a in inspection.answers} >= {"appearance.badge_worn", "hygiene.restroom"}


def test_staff_findings_are_attributed_by_employee_number(db, visit):
    _photos_for_always_items(visit)
    payload = visit_payload(
        visit.definition,
        **{
            "appearance.badge_worn": {"value": "fail", "employee_no": " 00001 "},
            "uniform.clean": {"value": "fail", "employee_no": "X9"},
        },
    )
    refused = visit.submit(payload)
    assert refused.status_code == 422  # X9 is on no roster: the submission is refused
    assert "X9" in refused.json["errors"]["uniform.clean"][0]  # named (test_attribution.py)
    assert _inspection(db).status == InspectionStatus.DRAFT
    del payload["answers"]["uniform.clean"]["employee_no"]
    assert visit.submit(payload).status_code == 200
    answers = {a.item_id: a for a in _inspection(db).answers}
    named, served = answers["appearance.badge_worn"], answers["uniform.clean"]
    assert named.employee_no == "00001" and named.staff_id is not None and named.is_staff_named
    assert served.employee_no == "00001" and served.staff_id == named.staff_id
    assert not served.is_staff_named  # attributed through the served default
    assert named.is_failed and named.points_earned == 0


def test_visit_times_must_make_sense(visit):
    payload = visit_payload(visit.definition)
    payload["visit"]["arrived_at"] = "2999-01-01T10:00"
    payload["visit"]["waiting_minutes"] = -3
    errors = visit.submit(payload).json["errors"]
    assert "visit.arrived_at" in errors and "visit.waiting_minutes" in errors
    garbage = visit.draft({"visit": {"arrived_at": "yesterday"}})
    assert "visit.arrived_at" in garbage.json["errors"]


def test_hidden_conditional_items_do_not_count(db, visit):
    _photos_for_always_items(visit)
    payload = visit_payload(visit.definition)
    payload["answers"]["devices.fault_handling"] = {"value": "fail"}  # hidden: self-service passed
    assert visit.submit(payload).status_code == 200
    answers = {a.item_id: a for a in _inspection(db).answers}
    assert answers["devices.fault_handling"].is_not_applicable
    assert float(_inspection(db).score_percent) == 100.0


def test_photo_upload_is_idempotent_and_checked(db, visit):
    photo_uuid = str(uuid.uuid4())
    data = jpeg_bytes(1)
    first = visit.photo(photo_uuid, "hygiene.restroom", data)
    assert first.status_code == 201
    again = visit.photo(photo_uuid, "hygiene.restroom", data)
    assert again.status_code == 200 and again.json["uuid"] == photo_uuid
    different = visit.photo(photo_uuid, "hygiene.restroom", jpeg_bytes(2))
    assert different.status_code == 409
    assert db.session.query(Photo).count() == 1
    html = visit.photo(
        str(uuid.uuid4()), "hygiene.restroom", b"<html><script>alert(1)</script></html>", "x.jpg"
    )
    assert html.status_code == 422 and html.json["code"] in {"not_an_image", "unsupported_format"}
    assert "照片" in html.json["message"]  # in the inspector's language
    tampered = visit.photo(str(uuid.uuid4()), "not.an.item", data)
    assert tampered.status_code == 400
    bad_uuid = visit.photo("123", "hygiene.restroom", data)
    assert bad_uuid.status_code == 400
    assert db.session.query(Photo).count() == 1


def test_photos_are_served_only_to_those_entitled(app, db, make_user, org, visit):
    photo_uuid = str(uuid.uuid4())
    visit.photo(photo_uuid, "hygiene.restroom", jpeg_bytes(3))
    own = visit.client.get(f"/photos/{photo_uuid}")
    assert own.status_code == 200 and own.mimetype == "image/jpeg"
    assert visit.client.get(f"/photos/{photo_uuid}/thumb").status_code == 200
    assert visit.client.get(f"/photos/{photo_uuid}/huge").status_code == 404
    for role, expected in [(Role.REVIEWER, 200), (Role.INSPECTOR, 404), (Role.MANAGER, 404)]:
        user = make_user(
            role,
            username=f"viewer_{role.value}",
            stores=[org["stores"][0]] if role == Role.MANAGER else None,
        )
        client = app.test_client()
        sign_in(client, user.username)
        assert client.get(f"/photos/{photo_uuid}").status_code == expected, role
    assert app.test_client().get(f"/photos/{photo_uuid}").status_code == 302  # signed out


def test_deleting_a_photo_from_a_draft(db, visit):
    photo_uuid = str(uuid.uuid4())
    visit.photo(photo_uuid, "hygiene.restroom", jpeg_bytes(4))
    response = visit.client.delete(
        f"/api/visits/{VISIT_UUID}/photos/{photo_uuid}", headers={"X-CSRFToken": visit.token}
    )
    assert response.status_code == 204
    assert db.session.query(Photo).count() == 0


def test_the_form_works_without_javascript(db, visit):
    page = visit.client.get(f"/visits/{VISIT_UUID}")
    form = {
        "csrf_token": csrf_from(page.text),
        "action": "save",
        "visit_arrived_at": "2026-01-05T09:00",
    }
    form["a__appearance__badge_worn"] = "fail"
    form["s__appearance__badge_worn"] = "00001"
    form["c__appearance__badge_worn"] = "工牌未佩戴"
    saved = visit.client.post(f"/visits/{VISIT_UUID}", data=form)
    assert saved.status_code == 303
    answer = db.session.scalar(select(Answer).where(Answer.item_id == "appearance.badge_worn"))
    assert (answer.value, answer.employee_no, answer.comment) == ("fail", "00001", "工牌未佩戴")
    form["action"] = "submit"
    form["p__hygiene__cleanliness"] = (__import__("io").BytesIO(jpeg_bytes(5)), "hall.jpg")
    incomplete = visit.client.post(
        f"/visits/{VISIT_UUID}", data=form, content_type="multipart/form-data"
    )
    assert incomplete.status_code == 422
    assert "请回答此项" in incomplete.text  # errors beside the items, answers still filled in
    assert 'value="00001" selected' in incomplete.text
    assert db.session.query(Photo).filter_by(item_id="hygiene.cleanliness").count() == 1


def test_managers_and_signed_out_scripts_cannot_use_the_visit_api(app, manager_client, visit):
    token = csrf_from(manager_client.get("/my-stores").text)
    response = manager_client.post(
        f"/api/visits/{VISIT_UUID}/draft", json={}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 403
    anonymous = app.test_client().post(f"/api/visits/{VISIT_UUID}/draft", json={})
    assert anonymous.status_code in (400, 401)  # no CSRF token or no session: never a redirect page


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("truncated.jpg", 422),
        ("bomb.png", 422),
        ("svg-named.jpg", 422),
        ("html-named.jpg", 422),
    ],
)
def test_bad_photos_get_a_clear_answer_and_change_nothing(db, visit, name, status):
    visit.draft({"answers": {"hygiene.restroom": {"value": "fail"}}})
    response = visit.photo(
        str(uuid.uuid4()), "hygiene.restroom", data_file(f"photos/{name}").read_bytes(), name
    )
    assert response.status_code == status
    assert response.json["message"] and "Traceback" not in response.json["message"]
    assert db.session.query(Photo).count() == 0
    answers = {a.item_id: a.value for a in _inspection(db).answers}
    assert answers["hygiene.restroom"] == "fail"  # what was saved before is still there


def test_an_oversized_upload_is_refused_with_413(app, visit):
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    try:
        response = visit.photo(str(uuid.uuid4()), "hygiene.restroom", b"\xff\xd8" + b"0" * 60_000)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413


@pytest.mark.parametrize("name", ["rotated-gps.jpg", "photo.heic", "photo.webp", "transparent.png"])
def test_phone_photos_of_every_kind_are_accepted_and_stripped(db, visit, name):
    response = visit.photo(
        str(uuid.uuid4()), "hygiene.restroom", data_file(f"photos/{name}").read_bytes(), name
    )
    assert response.status_code == 201, response.json
    stored = visit.client.get(response.json["url"])
    assert stored.mimetype == "image/jpeg" and b"Exif" not in stored.data[:4096]


def test_photos_of_a_submitted_visit_or_anothers_cannot_be_deleted(app, db, make_user, visit):
    photo_uuid = str(uuid.uuid4())
    visit.photo(photo_uuid, "hygiene.restroom", jpeg_bytes(6))
    other = make_user(Role.INSPECTOR, username="other2")
    client = app.test_client()
    sign_in(client, other.username)
    token = csrf_from(client.get("/visits").text)
    assert (
        client.delete(
            f"/api/visits/{VISIT_UUID}/photos/{photo_uuid}", headers={"X-CSRFToken": token}
        ).status_code
        == 404
    )
    inspection = _inspection(db)
    inspection.status = InspectionStatus.SUBMITTED
    db.session.commit()
    response = visit.client.delete(
        f"/api/visits/{VISIT_UUID}/photos/{photo_uuid}", headers={"X-CSRFToken": visit.token}
    )
    assert response.status_code == 409
    assert db.session.query(Photo).count() == 1
