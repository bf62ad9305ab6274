"""A small organisation for staff results: two regions, three halls, staff, and a visit builder.

Visits are built straight from the models and scored with `store_scores`, the way a submitted
and approved visit is stored, so these tests do not depend on the inspector's form.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import pytest

from inspect_app.auth.models import Role, User
from inspect_app.checklists.definition import ChecklistDefinition
from inspect_app.checklists.models import ChecklistVersion
from inspect_app.checklists.operations import definition_of
from inspect_app.inspections.models import Answer, Inspection, InspectionStatus, ServedStaff
from inspect_app.inspections.operations import store_scores
from inspect_app.scoring.periods import month_of
from inspect_app.stores.models import Region, Staff, Store
from tests.conftest import sign_in

MONTH = month_of(date(2026, 11, 1))
#: Answers that give the default checklist's person-items full marks.
FULL_MARKS: dict[str, Any] = {
    "phrasing.greeting": "standard_3m",
    "behaviour.attitude": 5,
    "process.handling_minutes": 4,
}


class World:
    """The organisation the staff-result tests work in (a plain class: Hypothesis prints the
    fixtures of a failing example, and a dataclass would print the whole checklist)."""

    def __init__(
        self,
        regions: list[Region],
        halls: list[Store],
        staff: dict[str, Staff],
        inspector: User,
        version: ChecklistVersion,
        definition: ChecklistDefinition,
    ) -> None:
        self.regions = regions
        #: north1, north2 (region N), south1 (region S).
        self.halls = halls
        #: By 工号: 0001001 and 0001002 at north1, 0002001 at north2, 0003001 at south1.
        self.staff = staff
        self.inspector = inspector
        self.version = version
        self.definition = definition

    def __repr__(self) -> str:
        # Short: Hypothesis prints the fixtures of a failing example.
        return f"World(halls={[h.code for h in self.halls]}, staff={list(self.staff)})"

    @property
    def staff_items(self) -> list[str]:
        """The ids of the checklist's person-items (staff items that are scored)."""
        return [i.id for i in self.definition.items if i.staff and i.item_type.scored]


def full_marks(item_id: str) -> Any:
    """The answer that earns an item its full points."""
    return FULL_MARKS.get(item_id, "pass")


def add_visit(
    db,
    world: World,
    hall: Store,
    day: date,
    answers: Mapping[str, Any],
    *,
    served: Iterable[Staff] = (),
    named: Mapping[str, Staff] | None = None,
    unidentified: Iterable[str] = (),
    status: InspectionStatus = InspectionStatus.APPROVED,
) -> Inspection:
    """Store a visit with these answers, served staff, named persons and unidentified items."""
    named = named or {}
    unidentified = set(unidentified)
    inspection = Inspection(
        uuid=str(uuid.uuid4()),
        store_id=hall.id,
        checklist_version_id=world.version.id,
        inspector_id=world.inspector.id,
        status=status,
        visit_date=day,
    )
    for position, person in enumerate(served):
        inspection.served_by.append(ServedStaff(staff=person, position=position))
    for item_id, value in answers.items():
        answer = Answer(item_id=item_id, value=value)
        if item_id in named:
            answer.employee_no = named[item_id].employee_no
            answer.is_staff_named = True
        answer.is_unidentified = item_id in unidentified
        inspection.answers.append(answer)
    db.session.add(inspection)
    db.session.flush()
    store_scores(inspection, world.definition)
    db.session.commit()
    return inspection


@pytest.fixture
def world(db, make_user, default_checklist_version) -> World:
    north = Region(code="N", name="北区")
    south = Region(code="S", name="南区")
    halls = [
        Store(code="0101", name="北一营业厅", region=north),
        Store(code="0102", name="北二营业厅", region=north),
        Store(code="0201", name="南一营业厅", region=south),
    ]
    people = [
        Staff(employee_no="0001001", name="张伟", store=halls[0], position="营业员"),
        Staff(employee_no="0001002", name="李娜", store=halls[0], position="值班经理"),
        Staff(employee_no="0002001", name="王芳", store=halls[1]),
        Staff(employee_no="0003001", name="刘洋", store=halls[2]),
    ]
    db.session.add_all([north, south, *halls, *people])
    inspector = make_user(Role.INSPECTOR, username="inspector_chen")
    inspector.display_name = "暗访员陈立"
    db.session.commit()
    return World(
        regions=[north, south],
        halls=halls,
        staff={p.employee_no: p for p in people},
        inspector=inspector,
        version=default_checklist_version,
        definition=definition_of(default_checklist_version),
    )


REVIEWER_NOTE = "请补拍工牌照片（质检给暗访员的意见）"


@pytest.fixture
def observed(db, world):
    """张伟's November: two approved visits at 北一 (11 items, 2 failed, 1 veto), one at 北二 (2
    items), and visits that do not count: one only submitted, one in October."""
    zhang, li = world.staff["0001001"], world.staff["0001002"]
    north1, north2 = world.halls[0], world.halls[1]
    passed = ["appearance.hair_men", "appearance.posture", "uniform.worn",
              "appearance.jewellery", "appearance.badge_readable"]  # fmt: skip
    first = add_visit(
        db, world, north1, date(2026, 11, 3),
        {
            **{i: "pass" for i in passed},
            "appearance.badge_worn": "fail",  # 0 of 3, failed
            "behaviour.attitude": 4,  # 3.75 of 5: points lost, not failed
            "phrasing.greeting": "late_or_nonstandard",  # 2 of 4: not failed
            "behaviour.no_quarrel": "fail",  # 0 of 5, a veto
            "appearance.makeup": "na",  # not applicable: not a person-item
            "hygiene.restroom": "pass",  # a hall item: nobody's
        },
        served=[zhang],
    )  # fmt: skip
    first.review_comments = {"appearance.badge_worn": REVIEWER_NOTE}
    first.return_comment = REVIEWER_NOTE
    second = add_visit(
        db, world, north1, date(2026, 11, 10),
        {"uniform.clean": "pass", "behaviour.smile": "pass", "phrasing.farewell": "fail",
         "process.wait_care": "fail"},
        served=[zhang, li], named={"phrasing.farewell": li}, unidentified=["process.wait_care"],
    )  # fmt: skip
    elsewhere = add_visit(
        db, world, north2, date(2026, 11, 15),
        {"behaviour.both_hands": "pass", "phrasing.mandarin": "pass"}, served=[zhang],
    )  # fmt: skip
    submitted = add_visit(
        db, world, north1, date(2026, 11, 20), {"uniform.worn": "pass"}, served=[zhang],
        status=InspectionStatus.SUBMITTED,
    )  # fmt: skip
    october = add_visit(
        db, world, north1, date(2026, 10, 28), {"uniform.worn": full_marks("uniform.worn")},
        served=[zhang],
    )  # fmt: skip
    db.session.commit()
    return {
        "zhang": zhang, "li": li, "counted": [first, second], "elsewhere": elsewhere,
        "not_counted": [submitted, october],
    }  # fmt: skip


@pytest.fixture
def client_as(app, db, make_user):
    """A signed-in client for a role (English UI), managers with the halls given."""

    def make(role: Role, username: str, stores=None):
        user = make_user(role, username=username, stores=stores)
        user.language = "en"
        db.session.commit()
        client = app.test_client()
        assert sign_in(client, username).status_code == 302
        return client

    return make
