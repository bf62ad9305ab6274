"""Who served, whom each item is about, and every 工号 checked against the hall's roster."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from inspect_app.auth.models import Role
from inspect_app.db import utcnow
from inspect_app.inspections.models import Answer, Inspection, InspectionStatus, ServedStaff
from inspect_app.inspections.payload import VISIT_FIELDS, AnswerPayload, VisitPayload
from inspect_app.review.models import CorrectiveAction
from inspect_app.review.operations import approve_inspection, flagged_answers
from inspect_app.stores.models import Staff
from inspect_app.stores.queries import roster_on
from tests.concurrency.conftest import at_once, clones
from tests.conftest import csrf_from, post_form
from tests.fixtures.visits import (
    GONE,
    PHOTO_ALWAYS,
    SERVED,
    VISIT_UUID,
    jpeg_bytes,
    visit_day,
    visit_payload,
)
from tests.inspections.test_nojs_photos import item_block

BADGE = "appearance.badge_worn"


@pytest.fixture
def english(visit):
    """The inspector's pages and messages in English (new strings are not yet translated)."""
    post_form(visit.client, "/language", {"lang": "en", "next": "/visits"})
    return visit


def _inspection(db) -> Inspection:
    db.session.expire_all()
    return db.session.scalar(select(Inspection).where(Inspection.uuid == VISIT_UUID))


def _answers(db) -> dict[str, Answer]:
    return {a.item_id: a for a in _inspection(db).answers}


def _served(db) -> list[str]:
    return [s.staff.employee_no for s in _inspection(db).served_by]


def _with_photos(visit) -> None:
    for n, item_id in enumerate(PHOTO_ALWAYS):
        assert visit.photo(str(uuid.uuid4()), item_id, jpeg_bytes(n)).status_code == 201


# --- the roster on a date ----------------------------------------------------------------


def test_roster_on_a_date_is_the_halls_staff_who_had_not_left_before_it(db, org, hall_roster):
    day = visit_day()
    numbers = lambda d: [s.employee_no for s in roster_on(hall_roster.id, d)]  # noqa: E731
    assert numbers(day) == ["00001", "00002", "00004"]  # left on the day: still served that day
    assert numbers(day + timedelta(days=1)) == ["00001", "00002"]
    assert numbers(day - timedelta(days=3)) == ["00001", "00002", GONE, "00004"]
    assert numbers(day - timedelta(days=4)) == ["00001", "00002", GONE, "00004"]
    assert [s.employee_no for s in roster_on(org["stores"][1].id, day)] == ["00101"]


# --- each refused kind, on the served list and on an item, saved and submitted -----------

REFUSALS = {
    "unknown": ("0009999", "Employee no. 0009999 is not on any hall's roster."),
    "other hall": (
        "00101",
        "Employee no. 00101 belongs to another hall (北二营业厅 0102), not to the one visited.",
    ),
    "left": (GONE, "Employee no. {gone} left this hall on {date}, before the visit."),
    "left, no date": ("00005", "Employee no. 00005 is marked as having left this hall."),
}


def _refusal(kind: str) -> tuple[str, str]:
    number, message = REFUSALS[kind]
    left_on = (visit_day() - timedelta(days=3)).isoformat()
    return number, message.format(gone=GONE, date=left_on)


@pytest.mark.parametrize("kind", list(REFUSALS))
def test_a_served_employee_no_off_the_roster_is_refused_on_saving_and_the_rest_kept(
    db, hall_roster, english, kind
):
    visit = english
    number, message = _refusal(kind)
    assert visit.draft(visit_payload(visit.definition)).status_code == 200
    body = visit_payload(visit.definition, served_by=["00002", number])
    body["answers"][BADGE] = {"value": "fail", "comment": "工牌未佩戴"}
    body["visit"]["counter_no"] = "8"
    response = visit.draft(body)
    assert response.status_code == 422
    assert response.json["errors"] == {"visit.served_by": [message]}
    assert _served(db) == [SERVED]  # the list stays as it was stored, not half-applied
    assert _inspection(db).counter_no == "8"
    assert (_answers(db)[BADGE].value, _answers(db)[BADGE].comment) == ("fail", "工牌未佩戴")


@pytest.mark.parametrize("kind", list(REFUSALS))
def test_a_named_employee_no_off_the_roster_is_refused_on_its_item_and_nothing_else_lost(
    db, hall_roster, english, kind
):
    visit = english
    number, message = _refusal(kind)
    first = {"value": "fail", "employee_no": "00002"}
    assert visit.draft(visit_payload(visit.definition, **{BADGE: first})).status_code == 200
    body = visit_payload(
        visit.definition,
        **{BADGE: {"value": "pass", "comment": "已整改", "employee_no": number}},
    )
    response = visit.draft(body)
    assert response.status_code == 422
    assert response.json["errors"] == {BADGE: [message]}
    answer = _answers(db)[BADGE]
    assert (answer.value, answer.comment) == ("pass", "已整改")  # the answer itself is saved
    assert answer.is_staff_named and answer.employee_no == "00002"  # the earlier name is kept
    assert _served(db) == [SERVED]


@pytest.mark.parametrize("place", ["served", "named"])
@pytest.mark.parametrize("kind", list(REFUSALS))
def test_a_submission_with_an_employee_no_off_the_roster_is_refused(
    db, hall_roster, english, kind, place
):
    visit = english
    _with_photos(visit)
    number, message = _refusal(kind)
    if place == "served":
        body, key = visit_payload(visit.definition, served_by=[number]), "visit.served_by"
    else:
        body = visit_payload(visit.definition, **{BADGE: {"value": "fail", "employee_no": number}})
        key = BADGE
    response = visit.submit(body)
    assert response.status_code == 422
    assert response.json["errors"][key] == [message]
    if place == "served":  # said once, not again on every item that would fall back to it
        assert set(response.json["errors"]) == {"visit.served_by"}
    inspection = _inspection(db)
    assert inspection.status == InspectionStatus.DRAFT
    assert inspection.submit_errors[key] == [message]


@pytest.mark.parametrize("place", ["served", "named"])
@pytest.mark.parametrize("kind", list(REFUSALS))
def test_the_form_without_javascript_refuses_each_kind_beside_its_field(
    db, hall_roster, english, kind, place
):
    visit = english
    _with_photos(visit)
    number, message = _refusal(kind)
    form = _nojs_form(visit, "submit")
    if place == "served":
        form["visit_served_by"] = [number]
    else:
        form["s__appearance__badge_worn"] = number
    response = visit.client.post(f"/visits/{VISIT_UUID}", data=form)
    assert response.status_code == 422
    assert message.replace("'", "&#39;") in response.text
    assert _inspection(db).status == InspectionStatus.DRAFT
    form["action"] = "save"
    saved = visit.client.post(f"/visits/{VISIT_UUID}", data=form)
    assert saved.status_code == 422 and message.replace("'", "&#39;") in saved.text
    # Still listed in its select, so that the refused choice is not silently replaced.
    assert f'value="{number}" selected' in saved.text


def _nojs_form(visit, action: str) -> dict:
    """The whole form as a browser without JavaScript posts it, served by SERVED."""
    page = visit.client.get(f"/visits/{VISIT_UUID}").text
    payload = visit_payload(visit.definition)
    form = {"csrf_token": csrf_from(page), "action": action, "visit_served_by": [SERVED]}
    for key, value in payload["visit"].items():
        if key != "served_by":
            form[f"visit_{key}"] = str(value)
    for item_id, answer in payload["answers"].items():
        form["a__" + item_id.replace(".", "__")] = str(answer["value"])
    return form


def test_the_visit_date_decides_who_is_on_the_roster(db, hall_roster, english):
    """Checked for the arrival's date in the halls' zone, else for today's."""
    visit = english
    before = (visit_day() - timedelta(days=5)).isoformat()
    body = visit_payload(visit.definition, served_by=[GONE])
    body["visit"].update(arrived_at=f"{before}T10:00", left_at=f"{before}T10:30")
    assert visit.draft(body).status_code == 200  # they still worked there five days ago
    assert _served(db) == [GONE]
    body["visit"].update(arrived_at=None, left_at=None)
    refused = visit.draft(body)
    assert refused.status_code == 422 and GONE in refused.json["errors"]["visit.served_by"][0]
    leaves_today = visit_payload(visit.definition, served_by=["00004"])
    assert visit.draft(leaves_today).status_code == 200  # left on the visit day itself


# --- attribution rules on submit ---------------------------------------------------------


def test_served_staff_are_stored_in_order_and_replaced_and_items_follow_the_first(
    db, hall_roster, visit
):
    _with_photos(visit)
    assert visit.draft(visit_payload(visit.definition, served_by=["00002", SERVED])).status_code
    assert _served(db) == ["00002", SERVED]
    positions = db.session.scalars(select(ServedStaff.position).order_by(ServedStaff.position))
    assert list(positions) == [0, 1]
    assert {a.employee_no for a in _answers(db).values() if a.points_possible and a.staff_id} == {
        "00002"
    }
    body = visit_payload(
        visit.definition,
        served_by=[SERVED, "00002", SERVED],  # a repeat is dropped
        **{BADGE: {"value": "fail", "employee_no": "00002"}},
    )
    response = visit.submit(body)
    assert response.status_code == 200, response.json
    assert _served(db) == [SERVED, "00002"]
    staff_ids = {s.employee_no: s.id for s in db.session.scalars(select(Staff))}
    definition = visit.definition
    for item in definition.items:
        answer = _answers(db)[item.id]
        if item.staff and item.item_type.scored:
            expected = "00002" if item.id == BADGE else SERVED
            assert (answer.employee_no, answer.staff_id) == (expected, staff_ids[expected]), item.id
            assert answer.is_staff_named is (item.id == BADGE)
        else:
            assert (answer.employee_no, answer.staff_id) == (None, None), item.id


def test_more_than_three_served_staff_are_refused(db, hall_roster, english):
    body = visit_payload(english.definition, served_by=["00001", "00002", "00004", "00101"])
    response = english.draft(body)
    assert response.status_code == 422
    assert response.json["errors"]["visit.served_by"] == [
        "Choose at most 3 staff members who served you."
    ]


#: Bodies the page's script never sends: each is refused whole (400), nothing of it stored.
MALFORMED = {
    "served_by not a list": lambda body: body["visit"].update(served_by="00002"),
    "served_by holds an object": lambda body: body["visit"].update(served_by=[{"no": "00002"}]),
    "employee_no a list": lambda body: body["answers"][BADGE].update(employee_no=["00002"]),
    "unidentified not a bool": lambda body: body["answers"][BADGE].update(unidentified="yes"),
    "description an object": lambda body: body["answers"][BADGE].update(
        person_description={"text": "保安"}
    ),
    "forged item id": lambda body: body["answers"].update(
        {"appearance.forged": {"value": "fail", "employee_no": "00002"}}
    ),
}


@pytest.mark.parametrize("kind", list(MALFORMED))
def test_who_served_and_attribution_of_the_wrong_shape_are_refused_whole(
    db, hall_roster, english, kind
):
    visit = english
    first = {"value": "fail", "employee_no": "00002"}
    assert visit.draft(visit_payload(visit.definition, **{BADGE: first})).status_code == 200
    revision = _inspection(db).draft_revision
    body = visit_payload(visit.definition, served_by=["00002"], **{BADGE: {"value": "pass"}})
    body["visit"]["counter_no"] = "8"
    MALFORMED[kind](body)
    response = visit.draft(body)
    assert response.status_code == 400
    assert response.json["message"].startswith("The form data could not be read:")
    inspection = _inspection(db)
    assert (inspection.draft_revision, inspection.counter_no) == (revision, "3")
    assert _served(db) == [SERVED]
    answer = _answers(db)[BADGE]
    assert (answer.value, answer.is_staff_named, answer.employee_no) == ("fail", True, "00002")
    assert visit.submit(body).status_code == 400
    assert _inspection(db).status == InspectionStatus.DRAFT


@pytest.mark.parametrize(
    ("place", "change", "message"),
    [
        (
            "visit.served_by",
            lambda body: body["visit"].update(served_by=["1" * 33]),
            "An employee number has letters and digits only (at most 32).",
        ),
        (
            BADGE,
            lambda body: body["answers"][BADGE].update(employee_no="1" * 33),
            "An employee number has letters and digits only (at most 32).",
        ),
        (
            BADGE,
            lambda body: body["answers"][BADGE].update(employee_no="00 02!"),
            "An employee number has letters and digits only (at most 32).",
        ),
        (
            BADGE,
            lambda body: body["answers"][BADGE].update(
                employee_no=None, unidentified=True, person_description="x" * 2001
            ),
            "Keep the description under 2000 characters.",
        ),
    ],
    ids=["served too long", "named too long", "named malformed", "description too long"],
)
def test_a_malformed_or_too_long_attribution_is_refused_and_the_stored_one_kept(
    db, hall_roster, english, place, change, message
):
    visit = english
    first = {"value": "fail", "employee_no": "00002"}
    assert visit.draft(visit_payload(visit.definition, **{BADGE: first})).status_code == 200
    again = {"value": "pass", "comment": "已整改", "employee_no": "00002"}
    body = visit_payload(visit.definition, **{BADGE: again})
    change(body)
    response = visit.draft(body)
    assert response.status_code == 422
    assert response.json["errors"] == {place: [message]}
    answer = _answers(db)[BADGE]
    assert (answer.value, answer.comment) == ("pass", "已整改")  # the rest is saved
    assert answer.is_staff_named and answer.employee_no == "00002"  # the earlier name is kept
    assert not answer.is_unidentified and answer.person_description is None
    assert _served(db) == [SERVED]


def test_a_person_named_on_an_item_not_about_a_person_is_not_stored(db, hall_roster, english):
    visit = english
    item = next(i for i in visit.definition.items if not i.staff and i.item_type.scored)
    forged = {"employee_no": "00002", "unidentified": True, "person_description": "保安"}
    body = visit_payload(visit.definition)
    body["answers"][item.id].update(forged)
    assert visit.draft(body).status_code == 200
    form = _nojs_form(visit, "save")
    form["s__" + item.id.replace(".", "__")] = "00002"
    form["d__" + item.id.replace(".", "__")] = "保安"
    assert visit.client.post(f"/visits/{VISIT_UUID}", data=form).status_code == 303
    answer = _answers(db)[item.id]
    assert (answer.employee_no, answer.staff_id, answer.is_staff_named) == (None, None, False)
    assert not answer.is_unidentified and answer.person_description is None


def test_a_person_not_identified_needs_a_description_and_is_flagged_for_the_reviewer(
    app, db, hall_roster, english, make_user
):
    visit = english
    _with_photos(visit)
    undescribed = visit_payload(
        visit.definition, **{BADGE: {"value": "fail", "unidentified": True}}
    )
    refused = visit.submit(undescribed)
    assert refused.status_code == 422
    assert refused.json["errors"] == {
        BADGE: [
            "Describe the person you could not identify (where they were, what they wore, "
            "what they did)."
        ]
    }
    described = visit_payload(
        visit.definition,
        **{
            BADGE: {
                "value": "fail",
                "unidentified": True,
                "person_description": "门口引导员，短发，戴眼镜",
            }
        },
    )
    assert visit.submit(described).status_code == 200
    answer = _answers(db)[BADGE]
    assert answer.is_unidentified and answer.person_description == "门口引导员，短发，戴眼镜"
    assert (answer.employee_no, answer.staff_id, answer.is_failed) == (None, None, True)
    assert [a.item_id for a in flagged_answers(_inspection(db))] == [BADGE]
    assert _answers(db)["uniform.clean"].employee_no == SERVED  # the rest follow who served


def test_naming_someone_and_not_identified_at_once_is_refused(db, hall_roster, english):
    body = visit_payload(
        english.definition,
        **{BADGE: {"value": "fail", "employee_no": "00002", "unidentified": True}},
    )
    response = english.draft(body)
    assert response.status_code == 422
    assert response.json["errors"][BADGE] == [
        "Name the staff member or mark them as not identified, not both."
    ]


def test_unattributed_items_are_refused_with_what_to_do(db, hall_roster, english):
    _with_photos(english)
    body = visit_payload(english.definition, served_by=[])
    body["answers"][BADGE]["employee_no"] = "00002"  # named here: attributed
    body["answers"]["uniform.clean"] = {
        "value": "pass",
        "unidentified": True,
        "person_description": "保安",
    }
    response = english.submit(body)
    assert response.status_code == 422
    errors = response.json["errors"]
    staff_items = [i.id for i in english.definition.items if i.staff and i.item_type.scored]
    assert set(errors) == set(staff_items) - {BADGE, "uniform.clean"}
    assert errors["behaviour.attitude"] == [
        "Choose who served you, or name the staff member or mark “not identified” on this item."
    ]


def test_partial_credit_submits_without_an_employee_no_and_opens_nothing(
    app, db, hall_roster, visit, make_user
):
    """4★ attitude, 3 of 4 cleanliness, a 17-minute wait, 7 minutes' handling: points lost,
    nothing failed, so no 工号 and no corrective action are asked for."""
    _with_photos(visit)
    partial = {
        "behaviour.attitude": {"value": 4},
        "hygiene.cleanliness": {"value": 3},
        "process.waiting_minutes": {"value": 17},
        "process.handling_minutes": {"value": 7},
    }
    response = visit.submit(visit_payload(visit.definition, **partial))
    assert response.status_code == 200, response.json
    answers = _answers(db)
    for item_id in partial:
        answer = answers[item_id]
        assert answer.points_earned < answer.points_possible and not answer.is_failed, item_id
        assert not answer.is_staff_named
    inspection = _inspection(db)
    assert inspection.score_percent < 100
    reviewer = make_user(Role.REVIEWER, username="reviewer-partial")
    assert approve_inspection(inspection, reviewer, utcnow(), 14) is None
    db.session.commit()
    assert db.session.scalar(select(CorrectiveAction)) is None


# --- the content round trip --------------------------------------------------------------


def test_the_form_shows_what_was_saved_who_served_whom_each_item_names(db, hall_roster, english):
    visit = english
    body = visit_payload(
        visit.definition,
        served_by=["00002", SERVED],
        **{
            BADGE: {"value": "fail", "employee_no": SERVED},
            "uniform.clean": {"value": "fail", "unidentified": True, "person_description": "保安"},
        },
    )
    assert visit.draft(body).status_code == 200
    page = visit.client.get(f"/visits/{VISIT_UUID}").text
    served = page.split('id="item-visit.served_by"', 1)[1].split("</fieldset>", 1)[0]
    slots = served.split('name="visit_served_by"')[1:]
    assert 'value="00002" selected' in slots[0] and 'value="00001" selected' in slots[1]
    assert " selected" not in slots[2]
    badge = item_block(page, BADGE)
    assert 'value="00001" selected' in badge and "员工0 00001" in badge
    clean = item_block(page, "uniform.clean")
    assert 'value="?" selected' in clean and ">\n保安</textarea>" in clean
    worn = item_block(page, "uniform.worn")
    assert "李娜 00002" in worn and "(who served you)" in worn  # the default, spelled out
    # Failed items are badged before submitting, and listed with what they will open.
    assert badge.count("Failed · goes on the corrective action") == 1
    summary = page.split('id="submit-summary"', 1)[1].split("</section>", 1)[0]
    # One corrective action per visit lists them: the summary does not promise one per item.
    assert "These failed items will be listed on this visit’s corrective action" in summary
    assert "each opens" not in summary
    assert f'data-goto-item="{BADGE}"' in summary and 'data-goto-item="uniform.clean"' in summary


def test_the_no_javascript_form_saves_who_served_and_not_identified(db, hall_roster, visit):
    form = _nojs_form(visit, "save")
    form["visit_served_by"] = ["00002", "", SERVED]
    form["s__uniform__clean"] = "?"
    form["d__uniform__clean"] = "穿灰色马甲的引导员"
    form["s__appearance__badge_worn"] = SERVED
    assert visit.client.post(f"/visits/{VISIT_UUID}", data=form).status_code == 303
    assert _served(db) == ["00002", SERVED]
    clean, badge = _answers(db)["uniform.clean"], _answers(db)[BADGE]
    assert clean.is_unidentified and clean.person_description == "穿灰色马甲的引导员"
    assert badge.is_staff_named and badge.employee_no == SERVED
    assert _answers(db)["uniform.worn"].employee_no == "00002"


def test_who_served_and_the_attribution_are_part_of_the_submitted_content(db, hall_roster, visit):
    _with_photos(visit)
    body = visit_payload(visit.definition)
    assert visit.submit(body).status_code == 200
    assert visit.submit(body).json["repeated"] is True
    assert visit.submit(visit_payload(visit.definition, served_by=["00002"])).status_code == 409
    described = visit_payload(
        visit.definition,
        **{BADGE: {"value": "pass", "unidentified": True, "person_description": "x"}},
    )
    assert visit.submit(described).status_code == 409


def _hash_before_attribution(payload: VisitPayload) -> str:
    """canonical_hash as it was before served staff and "not identified" existed."""
    doc = {
        "visit": {k: payload.visit.get(k) for k in VISIT_FIELDS},
        "answers": {
            item_id: [a.value, a.comment or None, a.employee_no or None]
            for item_id, a in sorted(payload.answers.items())
            if a.value not in (None, "") or a.comment or a.employee_no
        },
    }
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_the_content_hash_covers_the_new_fields_and_keeps_old_content_hashes():
    def payload(served=(), **answer) -> VisitPayload:
        return VisitPayload(
            visit={"counter_no": "3"},
            answers={BADGE: AnswerPayload("pass", **answer), "uniform.clean": AnswerPayload()},
            served_by=list(served),
        )

    plain = payload(employee_no="00002")
    variants = [
        plain,
        payload(["00001"], employee_no="00002"),
        payload(["00001", "00002"], employee_no="00002"),
        payload(["00002", "00001"], employee_no="00002"),
        payload(unidentified=True),
        payload(unidentified=True, person_description="保安"),
    ]
    assert len({p.canonical_hash() for p in variants}) == len(variants)
    # Content without the new fields hashes exactly as it did before they existed, so a
    # submission retried across the upgrade is still recognised as a repeat.
    assert plain.canonical_hash() == _hash_before_attribution(plain)


# --- at once -----------------------------------------------------------------------------


def test_saves_with_different_served_staff_at_once_leave_one_whole_list(
    app, db, hall_roster, visit
):
    """The visit's row lock orders the saves: each replaces the whole list, none collides with
    the unique (visit, person) and (visit, position) keys, and one list is left in order.
    Really side by side on PostgreSQL; SQLite's write lock serialises them."""
    lists = [[SERVED, "00002"], ["00002", SERVED], ["00004"], [SERVED, "00002", "00004"]] * 2
    bodies = [visit_payload(visit.definition, served_by=served) for served in lists]
    phones, token = clones(app, visit.client, len(bodies)), visit.token
    url = f"/api/visits/{VISIT_UUID}/draft"
    replies = at_once(
        len(bodies), lambda i: phones[i].post(url, json=bodies[i], headers={"X-CSRFToken": token})
    )
    assert [r.status_code for r in replies] == [200] * len(bodies), [r.json for r in replies]
    db.session.commit()
    assert _served(db) in lists
    positions = db.session.scalars(select(ServedStaff.position).order_by(ServedStaff.position))
    assert list(positions) == list(range(len(_served(db))))
    assert _inspection(db).draft_revision == len(bodies)
