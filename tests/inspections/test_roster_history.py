"""The roster a visit is checked against is the hall's roster on the visit date (the trial).

A roster import moved 黄磊 from the visited hall to another and hired someone new, both from
one day; a visit dated before that day still had 黄磊 on its roster and not the new hire, and
a visit at the new hall after the move has 黄磊.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from inspect_app.auth.models import Role
from inspect_app.inspections.models import (
    Assignment,
    AssignmentStatus,
    Inspection,
    InspectionStatus,
)
from inspect_app.stores.models import Staff
from inspect_app.stores.operations import apply_roster, check_roster
from tests.conftest import csrf_from, post_form
from tests.fixtures.visits import (
    PHOTO_ALWAYS,
    VISIT_UUID,
    Visit,
    jpeg_bytes,
    visit_day,
    visit_payload,
)
from tests.stores.roster_files import roster_workbook

BADGE = "appearance.badge_worn"
MOVED = "0002003"  # 黄磊: from the visited hall (北一) to 北二
HIRED = "0002006"  # 孙悦: joins the visited hall
OTHER_VISIT_UUID = "0c1f7d1e-5a8b-4c3d-9e2f-7a6b5c4d3e2f"


@pytest.fixture
def moved_on(db, org, make_user) -> date:
    """黄磊 worked at 北一 since before records; an import moves him and hires 孙悦 from a day."""
    hall, other = org["stores"][0], org["stores"][1]
    db.session.add(Staff(employee_no=MOVED, name="黄磊", store=hall, position="营业员"))
    db.session.commit()
    day = visit_day() - timedelta(days=10)
    report, _plan = check_roster(
        roster_workbook(
            None,
            [
                [MOVED, "黄磊", other.code, "营业员", "在职", None],
                [HIRED, "孙悦", hall.code, "营业员", "在职", None],
            ],
        )
    )
    assert report.ok, report.errors
    apply_roster(report, make_user(Role.HR, "hr_trial").id, effective_on=day)
    db.session.commit()
    return day


@pytest.fixture
def english(visit) -> Visit:
    """The inspector's messages in English (new strings are not yet translated)."""
    post_form(visit.client, "/language", {"lang": "en", "next": "/visits"})
    return visit


def _dated(body: dict, day: date) -> dict:
    body["visit"].update(arrived_at=f"{day.isoformat()}T10:00", left_at=f"{day}T10:30")
    return body


def _with_photos(visit: Visit) -> None:
    for n, item_id in enumerate(PHOTO_ALWAYS):
        assert visit.photo(str(uuid.uuid4()), item_id, jpeg_bytes(n)).status_code == 201


def _inspection(db, uuid: str) -> Inspection:
    db.session.expire_all()
    return db.session.scalar(select(Inspection).where(Inspection.uuid == uuid))


def test_a_visit_dated_before_the_move_has_the_moved_person_and_not_the_new_hire(
    db, moved_on, english
):
    visit = english
    before = moved_on - timedelta(days=26)
    assert visit.draft(_dated(visit_payload(visit.definition, [MOVED]), before)).status_code == 200
    # The form lists the roster of the visit date: 黄磊, not 孙悦 (hired later).
    form = visit.client.get(f"/visits/{VISIT_UUID}").text
    assert f'value="{MOVED}"' in form and "黄磊" in form
    assert HIRED not in form and "孙悦" not in form

    _with_photos(visit)
    named = {BADGE: {"value": "fail", "comment": "工牌未佩戴", "employee_no": HIRED}}
    refused = visit.submit(_dated(visit_payload(visit.definition, [MOVED], **named), before))
    assert refused.status_code == 422
    assert refused.json["errors"] == {
        BADGE: [
            f"Employee no. {HIRED} joined this hall on {moved_on.isoformat()}, after the visit."
        ]
    }
    hired_served = visit.draft(_dated(visit_payload(visit.definition, [HIRED]), before))
    assert hired_served.json["errors"]["visit.served_by"] == [
        f"Employee no. {HIRED} joined this hall on {moved_on.isoformat()}, after the visit."
    ]

    named = {BADGE: {"value": "fail", "comment": "工牌未佩戴"}}
    accepted = visit.submit(_dated(visit_payload(visit.definition, [MOVED], **named), before))
    assert accepted.status_code == 200, accepted.json
    inspection = _inspection(db, VISIT_UUID)
    assert inspection.status == InspectionStatus.SUBMITTED
    assert inspection.visit_date == before
    assert [s.staff.employee_no for s in inspection.served_by] == [MOVED]
    badge = next(a for a in inspection.answers if a.item_id == BADGE)
    assert (badge.employee_no, badge.is_failed) == (MOVED, True)


def test_the_same_hall_after_the_move_refuses_the_moved_person_and_takes_the_new_hire(
    db, moved_on, english
):
    visit = english
    refused = visit.draft(visit_payload(visit.definition, [MOVED]))  # dated today
    assert refused.status_code == 422
    assert refused.json["errors"]["visit.served_by"] == [
        f"Employee no. {MOVED} belongs to another hall (北二营业厅 0102), not to the one visited."
    ]
    assert visit.draft(visit_payload(visit.definition, [HIRED])).status_code == 200


def test_a_visit_at_the_new_hall_takes_the_moved_person_from_the_day_of_the_move(
    db, org, moved_on, english, inspector_client, default_checklist_version
):
    assignment = Assignment(
        inspector_id=inspector_client.user.id,
        store_id=org["stores"][1].id,
        checklist_id=default_checklist_version.checklist_id,
        window_start=moved_on - timedelta(days=30),
        window_end=visit_day() + timedelta(days=5),
        status=AssignmentStatus.PUBLISHED,
    )
    db.session.add(assignment)
    db.session.commit()
    token = csrf_from(inspector_client.get("/visits").text)
    started = inspector_client.post(
        "/visits/start",
        data={"csrf_token": token, "assignment_id": assignment.id, "uuid": OTHER_VISIT_UUID},
    )
    assert started.status_code == 302, started.text
    visit = Visit(inspector_client, OTHER_VISIT_UUID, english.definition)

    # The day before the move he was still on 北一's roster, and the message says so.
    before = moved_on - timedelta(days=1)
    refused = visit.draft(_dated(visit_payload(visit.definition, [MOVED]), before))
    assert refused.status_code == 422
    assert refused.json["errors"]["visit.served_by"] == [
        f"On {before.isoformat()} employee no. {MOVED} was on the roster of another hall "
        "(北一营业厅 0101), not of the one visited."
    ]
    _with_photos(visit)
    body = _dated(visit_payload(visit.definition, [MOVED]), moved_on)
    accepted = visit.submit(body)
    assert accepted.status_code == 200, accepted.json
    inspection = _inspection(db, OTHER_VISIT_UUID)
    assert inspection.status == InspectionStatus.SUBMITTED
    assert [s.staff.employee_no for s in inspection.served_by] == [MOVED]
