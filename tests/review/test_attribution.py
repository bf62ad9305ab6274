"""Findings whose person the inspector could not identify: the reviewer resolves them first."""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from inspect_app.audit.models import AuditEvent
from inspect_app.auth.models import Role, User
from inspect_app.inspections.models import Answer, Inspection, InspectionStatus
from inspect_app.review.models import CorrectiveAction
from inspect_app.stores.models import Staff
from tests.fixtures.review import (
    COLLEAGUE,
    DEPARTED,
    FAILED_HALL_ITEM,
    FAILED_STAFF_ITEM,
    PASSED_ITEM,
    SERVED,
    post,
    role_client,
    submit_visit,
)
from tests.fixtures.visits import VISIT_UUID
from tests.inspections.test_nojs_photos import translated

DESCRIPTION = "门口引导员，短发，戴眼镜"
#: A member of another hall (tests.conftest org).
OTHER_HALL = "00101"


@pytest.fixture
def flagged(db, hall_staff, visit):
    """A submitted visit whose failed badge finding names nobody: the person was not identified."""
    submit_visit(
        visit,
        **{
            FAILED_STAFF_ITEM: {
                "value": "fail",
                "comment": "工牌未佩戴",
                "unidentified": True,
                "person_description": DESCRIPTION,
            },
            FAILED_HALL_ITEM: {"value": "fail", "comment": "洗手台有积水"},
        },
    )
    return visit


def _answer(db, item_id: str = FAILED_STAFF_ITEM) -> Answer:
    db.session.expire_all()
    return db.session.scalar(select(Answer).where(Answer.item_id == item_id))


def _resolve(client, answer_id: int, decision: str, employee_no: str = "", **extra):
    form = {"answer_id": answer_id, "decision": decision, "employee_no": employee_no, **extra}
    return post(client, f"/review/{VISIT_UUID}/attribution", form)


def _events(db, action: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )


def test_the_review_page_lists_the_flagged_finding_with_the_halls_roster(
    db, flagged, reviewer, org
):
    page = reviewer.get(f"/review/{VISIT_UUID}")
    assert page.status_code == 200
    block = page.text[page.text.index('id="unidentified"') :]
    assert DESCRIPTION in block
    assert f'value="{SERVED}"' in block and f'value="{COLLEAGUE}"' in block and "李娜" in block
    assert f'value="{DEPARTED}"' not in block  # left before the visit
    assert f'value="{OTHER_HALL}"' not in block  # another hall's staff
    answer = _answer(db)
    assert answer.is_unidentified and answer.staff_id is None and answer.employee_no is None


def test_approval_waits_until_every_unidentified_finding_is_resolved(app, db, flagged, reviewer):
    refused = post(reviewer, f"/review/{VISIT_UUID}/approve", follow_redirects=True)
    message = "%(n)s findings still have an unidentified staff member: resolve them first."
    assert translated(app, message, n=1) in refused.text
    db.session.expire_all()
    assert db.session.scalar(select(Inspection)).status == InspectionStatus.SUBMITTED
    assert db.session.query(CorrectiveAction).count() == 0

    confirmed = _resolve(reviewer, _answer(db).id, "unidentified")
    assert confirmed.status_code == 302
    answer = _answer(db)
    reviewer_id = db.session.scalar(select(User.id).where(User.username == "reviewer1"))
    assert answer.is_unidentified and answer.staff_id is None and answer.employee_no is None
    assert answer.attribution_resolved_at is not None
    assert answer.attribution_resolved_by_id == reviewer_id
    assert _events(db, "finding.unidentified") == 1
    assert 'id="unidentified"' not in reviewer.get(f"/review/{VISIT_UUID}").text

    assert post(reviewer, f"/review/{VISIT_UUID}/approve").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Inspection)).status == InspectionStatus.APPROVED
    (action,) = db.session.scalars(select(CorrectiveAction)).all()
    assert sorted(i.answer.item_id for i in action.items) == [FAILED_STAFF_ITEM, FAILED_HALL_ITEM]


def test_naming_the_person_moves_the_finding_to_them(db, flagged, reviewer):
    colleague = db.session.scalar(select(Staff).where(Staff.employee_no == COLLEAGUE))
    served = db.session.scalar(select(Staff).where(Staff.employee_no == SERVED))
    # Before: the served staff member carries the passed person-items, nobody the finding.
    assert _answer(db, PASSED_ITEM).staff_id == served.id
    assert db.session.query(Answer).filter_by(staff_id=colleague.id).count() == 0

    named = _resolve(reviewer, _answer(db).id, "name", COLLEAGUE)
    assert named.status_code == 302
    answer = _answer(db)
    assert not answer.is_unidentified and answer.is_staff_named
    assert (answer.employee_no, answer.staff_id) == (COLLEAGUE, colleague.id)
    assert answer.person_description == DESCRIPTION  # the inspector's words are kept
    assert answer.attribution_resolved_at is not None
    # The failure now counts against the person named, and only against them.
    failures = db.session.scalars(
        select(Answer).where(Answer.is_failed, Answer.staff_id.is_not(None))
    )
    assert [(a.item_id, a.staff_id) for a in failures] == [(FAILED_STAFF_ITEM, colleague.id)]
    assert _answer(db, PASSED_ITEM).staff_id == served.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "finding.attribute"))
    assert event.details["employee_no"] == COLLEAGUE
    assert post(reviewer, f"/review/{VISIT_UUID}/approve").status_code == 302


@pytest.mark.parametrize(
    ("employee_no", "message", "values"),
    [
        ("0009999", "Employee no. %(no)s is not on any hall's roster.", {"no": "0009999"}),
        (
            OTHER_HALL,
            "Employee no. %(no)s belongs to another hall (%(hall)s), not to the one visited.",
            {"no": OTHER_HALL, "hall": "北二营业厅 0102"},
        ),
        (DEPARTED, None, None),
        ("", "Choose the staff member, or confirm the person cannot be identified.", {}),
    ],
    ids=["unknown", "other-hall", "departed", "none-chosen"],
)
def test_a_wrong_employee_number_is_refused_and_the_finding_stays_flagged(
    app, db, flagged, reviewer, employee_no, message, values
):
    response = _resolve(reviewer, _answer(db).id, "name", employee_no)
    assert response.status_code == 422
    assert 'class="field-error"' in response.text
    if employee_no == DEPARTED:
        left_at = db.session.scalar(select(Staff.left_at).where(Staff.employee_no == DEPARTED))
        message = "Employee no. %(no)s left this hall on %(date)s, before the visit."
        left_on = left_at.astimezone(ZoneInfo(app.config["TIMEZONE"])).date().isoformat()
        values = {"no": DEPARTED, "date": left_on}
    assert translated(app, message, **values) in response.text
    answer = _answer(db)
    assert answer.is_unidentified and answer.attribution_resolved_at is None
    assert answer.staff_id is None
    assert _events(db, "finding.attribute") == 0


def test_forged_resolutions_are_refused(app, db, flagged, reviewer, make_user, org):
    answer = _answer(db)
    # An answer of another visit.
    inspection = db.session.scalar(select(Inspection))
    other = Inspection(
        uuid=str(uuid.uuid4()),
        store_id=inspection.store_id,
        checklist_version_id=inspection.checklist_version_id,
        inspector_id=inspection.inspector_id,
        status=InspectionStatus.SUBMITTED,
    )
    other.answers.append(Answer(item_id=FAILED_STAFF_ITEM, value="fail", is_unidentified=True))
    db.session.add(other)
    db.session.commit()
    assert _resolve(reviewer, other.answers[0].id, "unidentified").status_code == 404
    assert _resolve(reviewer, 999_999, "unidentified").status_code == 404
    assert _resolve(reviewer, answer.id, "maybe").status_code == 400
    # A finding that has its person already.
    named = _resolve(reviewer, _answer(db, PASSED_ITEM).id, "unidentified")
    assert named.status_code == 422
    assert translated(app, "This finding's staff member is already identified.") in named.text
    # Only reviewers resolve.
    manager = role_client(app, make_user, Role.MANAGER, "mgr", stores=[org["stores"][0]])
    assert _resolve(manager, answer.id, "name", SERVED).status_code == 403
    # Resolved once; a second decision is refused.
    assert _resolve(reviewer, answer.id, "unidentified").status_code == 302
    again = _resolve(reviewer, answer.id, "name", SERVED)
    assert again.status_code == 422
    assert translated(app, "This finding was already resolved.") in again.text
    answer = _answer(db)
    assert answer.is_unidentified and answer.staff_id is None


def test_a_resolution_sent_twice_is_applied_once(db, flagged, reviewer):
    answer_id = _answer(db).id
    first = _resolve(reviewer, answer_id, "name", COLLEAGUE, attempt="resolve-attempt-0001")
    second = _resolve(reviewer, answer_id, "name", COLLEAGUE, attempt="resolve-attempt-0001")
    assert first.status_code == 302
    assert second.status_code == 303 and second.headers["Location"] == first.headers["Location"]
    assert _events(db, "finding.attribute") == 1


def test_a_resolution_for_an_unknown_visit_without_a_token_or_by_an_inspector_is_refused(
    app, db, flagged, reviewer, make_user
):
    answer_id = _answer(db).id
    form = {"answer_id": answer_id, "decision": "unidentified"}
    assert post(reviewer, f"/review/{uuid.uuid4()}/attribution", form).status_code == 404
    assert post(reviewer, "/review/not-a-uuid/attribution", form).status_code == 404
    # Sent from elsewhere: no security token of the page.
    assert reviewer.post(f"/review/{VISIT_UUID}/attribution", data=form).status_code == 400
    inspector = role_client(app, make_user, Role.INSPECTOR, "inspector9")
    assert _resolve(inspector, answer_id, "unidentified").status_code == 403
    answer = _answer(db)
    assert answer.is_unidentified and answer.attribution_resolved_at is None
    assert _events(db, "finding.unidentified") == 0
