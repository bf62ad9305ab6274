"""What a roster would do to the staff, worked out before anything is applied (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from inspect_app.stores.roster_plan import KnownPerson, plan_staff
from inspect_app.stores.roster_rows import RosterStaffRow

LEFT = date(2026, 3, 1)


def row(number: str, name: str, store: str = "S1", *, active: bool = True, left=None, n=2):
    return RosterStaffRow(n, number, name, store, "营业员", active, left)


def known(number: str, name: str, store: str = "S1", *, active: bool = True, left_at=None):
    return KnownPerson(number, name, store, "营业员", active, left_at)


def numbers(rows) -> list[str]:
    return [r.employee_no for r in rows]


def test_rows_are_sorted_into_created_updated_moved_deactivated_and_unchanged():
    people = {
        p.employee_no: p
        for p in [
            known("01", "张伟"),
            known("02", "李娜"),
            known("03", "王芳"),
            known("04", "赵磊", active=False, left_at=datetime(2026, 1, 1, tzinfo=UTC)),
            known("05", "钱二"),
        ]
    }
    plan = plan_staff(
        [
            row("01", "张伟"),  # unchanged
            row("02", "李娜", "S2"),  # moved
            row("03", "王芳", active=False, left=LEFT),  # left
            row("04", "赵磊"),  # back at work: updated, not deactivated
            row("05", "钱贰"),  # renamed
            row("06", "孙三"),  # new
        ],
        people,
    )
    assert numbers(plan.created) == ["06"]
    assert numbers(plan.updated) == ["02", "03", "04", "05"]
    assert numbers(plan.moved) == ["02"]
    assert numbers(plan.deactivated) == ["03"]
    assert numbers(plan.unchanged) == ["01"]
    assert plan.namesakes == []


def test_a_leaving_date_already_recorded_is_no_change():
    people = {"03": known("03", "王芳", active=False, left_at=datetime(2026, 3, 1, tzinfo=UTC))}
    plan = plan_staff([row("03", "王芳", active=False, left=LEFT)], people)
    assert numbers(plan.unchanged) == ["03"] and plan.deactivated == []
    later = plan_staff([row("03", "王芳", active=False, left=date(2026, 3, 2))], people)
    assert numbers(later.updated) == ["03"] and later.deactivated == []


def test_a_new_person_beside_someone_of_the_same_name_in_the_same_hall_is_named():
    hall = [
        known("0001001", "张伟"),
        known("0001009", "张伟", active=False),
        known("0002001", "张伟", "S2"),  # another hall
        known("0001002", "李娜"),
    ]
    plan = plan_staff(
        [row("1001", "张伟", n=5), row("0001003", "王芳", n=6)],
        {p.employee_no: p for p in hall},
        hall,
    )
    assert numbers(plan.created) == ["1001", "0001003"]
    assert [(n.row.row_number, n.existing.employee_no) for n in plan.namesakes] == [
        (5, "0001001"),
        (5, "0001009"),
    ]


def test_a_namesake_who_moves_out_in_the_same_file_is_not_named():
    hall = [known("0001001", "张伟")]
    plan = plan_staff(
        [row("0001001", "张伟", "S2"), row("0001007", "张伟")],
        {p.employee_no: p for p in hall},
        hall,
    )
    assert numbers(plan.moved) == ["0001001"] and numbers(plan.created) == ["0001007"]
    assert plan.namesakes == []
