"""Roster upload through the pages: check, report by row, apply, idempotent, permissions."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inspect_app.auth.models import Role
from inspect_app.stores.models import Region, Staff, Store
from inspect_app.stores.operations import RosterChangedError, apply_roster
from inspect_app.stores.roster_rows import RosterReport, RosterStaffRow
from tests.conftest import csrf_from, post_form, sign_in
from tests.stores.roster_files import roster_workbook


def _client(app, make_user, role=Role.HR):
    make_user(role, username=f"{role.value}_r")
    client = app.test_client()
    sign_in(client, f"{role.value}_r")
    return client


def _workbook(stores, staff, text_columns: str = "AC") -> bytes:
    """Both sheets, the code columns (A, C) typed as text unless told otherwise."""
    return roster_workbook(stores, staff, text_columns=text_columns)


def _check(client, data: bytes, name="roster.xlsx"):
    token = csrf_from(client.get("/roster/import").text)
    return client.post(
        "/roster/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _apply(client, page_text: str):
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page_text).group(1)
    return client.post(
        "/roster/import/apply", data={"csrf_token": csrf_from(page_text), "token": token}
    )


GOOD_STORES = [["0901", "江干营业厅", "E", "东区", "江干路 1 号", "营业"]]
GOOD_STAFF = [
    ["0090101", "赵一", "0901", "营业员", "在职", None],
    ["0090102", "钱二", "0901", "引导员", "在职", None],
]


def test_upload_check_then_apply_and_a_second_apply_changes_nothing(app, db, make_user):
    hr = _client(app, make_user)
    data = _workbook(GOOD_STORES, GOOD_STAFF)
    checked = _check(hr, data)
    assert checked.status_code == 200 and "导入花名册" in checked.text
    assert db.session.scalar(select(func.count()).select_from(Staff)) == 0  # nothing before apply
    applied = _apply(hr, checked.text)
    assert applied.status_code == 302
    staff = db.session.scalar(select(Staff).where(Staff.employee_no == "0090101"))
    assert staff.name == "赵一" and staff.store.code == "0901" and staff.store.region.name == "东区"
    again = _apply(hr, _check(hr, data).text)
    assert again.status_code == 302
    assert "新增 0 条，更新 0 条" in hr.get("/stores").text
    assert db.session.scalar(select(func.count()).select_from(Staff)) == 2


def test_staff_who_left_are_kept_inactive_and_moves_keep_their_history(app, db, make_user):
    hr = _client(app, make_user)
    _apply(
        hr,
        _check(
            hr,
            _workbook(
                [*GOOD_STORES, ["0902", "下沙营业厅", "E", "东区", None, "营业"]], GOOD_STAFF
            ),
        ).text,
    )
    update = [
        ["0090101", "赵一", "0902", "营业员", "在职", None],
        ["0090102", "钱二", "0901", "引导员", "离职", "2026-03-01"],
    ]
    result = _apply(hr, _check(hr, _workbook([], update)).text)
    assert result.status_code == 302
    db.session.expire_all()
    moved = db.session.scalar(select(Staff).where(Staff.employee_no == "0090101"))
    left = db.session.scalar(select(Staff).where(Staff.employee_no == "0090102"))
    assert moved.store.code == "0902" and moved.id is not None
    assert not left.is_active and left.left_at is not None
    assert "调往其他营业厅 1 人，标记离职 1 人" in hr.get("/stores").text


def test_bad_rows_are_reported_by_sheet_and_row_and_nothing_changes(app, db, make_user):
    hr = _client(app, make_user)
    bad_staff = [
        ["0090101", "赵一", "0901", "营业员", "在职", None],
        ["0090101", "孙三", "0901", "营业员", "在职", None],  # duplicate 工号
        ["0090103", "", "0901", "营业员", "在职", None],  # no name
        ["0090104", "李四", "9999", "营业员", "在职", None],  # unknown store
        ["0090105", "周五", "0901", "营业员", "休假", None],  # unknown status
        ["0090106", "吴六", "0901", "营业员", "离职", "下个月"],  # bad date
    ]
    response = _check(hr, _workbook(GOOD_STORES, bad_staff))
    assert response.status_code == 422
    text = response.text
    for row in ("2", "3", "4", "5", "6", "7"):
        assert f'<td class="num">{row}</td>' in text
    assert "未知门店 9999" in text and 'name="token"' not in text
    assert db.session.scalar(select(func.count()).select_from(Store)) == 0


def test_files_that_are_not_workbooks_get_a_clear_message(app, db, make_user):
    hr = _client(app, make_user)
    for data, name in [
        (b"<html>hi</html>", "x.xlsx"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 600, "old.xls"),
        (b"", "empty.xlsx"),
    ]:
        response = _check(hr, data, name)
        assert response.status_code == 422, name
        assert "Traceback" not in response.text
    assert db.session.scalar(select(func.count()).select_from(Region)) == 0


def test_only_hr_and_admins_import(app, make_user):
    for role in (Role.MANAGER, Role.INSPECTOR, Role.REVIEWER):
        client = _client(app, make_user, role)
        assert client.get("/roster/import").status_code == 403
        assert client.get("/roster/template.xlsx").status_code == 403
    admin = _client(app, make_user, Role.ADMIN)
    template = admin.get("/roster/template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"


def test_a_check_without_a_file_asks_for_one_and_other_roles_may_not_check(app, db, make_user):
    hr = _client(app, make_user)
    _english(hr)
    token = csrf_from(hr.get("/roster/import").text)
    for data in ({}, {"file": (io.BytesIO(b""), "")}):
        response = hr.post(
            "/roster/import",
            data={"csrf_token": token, **data},
            content_type="multipart/form-data",
        )
        assert response.status_code == 303
        assert response.headers["Location"].endswith("/roster/import")
        assert "Choose the roster workbook" in hr.get("/roster/import").text
    manager = _client(app, make_user, Role.MANAGER)
    upload = {"file": (io.BytesIO(_workbook(GOOD_STORES, GOOD_STAFF)), "roster.xlsx")}
    refused = post_form(manager, "/roster/import", upload, content_type="multipart/form-data")
    assert refused.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Staff)) == 0


def test_a_forged_or_stale_apply_token_is_refused(app, make_user):
    hr = _client(app, make_user)
    token = csrf_from(hr.get("/roster/import").text)
    assert (
        hr.post(
            "/roster/import/apply", data={"csrf_token": token, "token": "../../etc"}
        ).status_code
        == 400
    )
    stale = hr.post("/roster/import/apply", data={"csrf_token": token, "token": "0" * 32})
    assert stale.status_code == 303


NUMERIC_CODES = Path(__file__).parent.parent / "data" / "xlsx" / "roster-numeric-codes.xlsx"
#: The hall and people that roster-numeric-codes.xlsx names by numbers.
REAL_STORES = [["0101001", "中山路营业厅", "0101", "市区", None, "营业"]]
REAL_STAFF = [
    ["0001001", "张伟", "0101001", "营业员", "在职", None],
    ["0001002", "李娜", "0101001", "营业员", "在职", None],
]


def _english(client) -> None:
    post_form(client, "/language", {"lang": "en"})


def _staff_numbers(db) -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(Staff.employee_no)))


def test_numeric_codes_from_excel_update_the_real_people_and_create_no_one(app, db, make_user):
    hr = _client(app, make_user)
    _apply(hr, _check(hr, _workbook(REAL_STORES, REAL_STAFF)).text)
    _english(hr)
    checked = _check(hr, NUMERIC_CODES.read_bytes())
    assert checked.status_code == 200, checked.text
    text = checked.text
    assert "0 staff will be created." in text
    assert (
        "1 staff will be updated, of whom 0 move to another hall and 1 are marked as left." in text
    )
    assert "1 staff are unchanged." in text
    assert "工号 1001 was read as 0001001" in text and "工号 1002 was read as 0001002" in text
    assert "0001002 李娜 is marked as left." in text
    applied = _apply(hr, text)
    assert applied.status_code == 302
    assert _staff_numbers(db) == ["0001001", "0001002"]  # no ghost 1001 or 1002
    left = db.session.scalar(select(Staff).where(Staff.employee_no == "0001002"))
    assert not left.is_active and left.left_at.date() == date(2026, 3, 1)
    assert db.session.scalar(select(Staff).where(Staff.employee_no == "0001001")).is_active
    page = hr.get("/stores").text
    assert "Roster applied: 0 new, 1 updated, 0 moved to another hall, 1 marked as left." in page


def test_numeric_codes_that_match_no_one_are_refused_by_row_and_nothing_is_created(
    app, db, make_user
):
    hr = _client(app, make_user)
    _apply(hr, _check(hr, _workbook(REAL_STORES, [])).text)
    _english(hr)
    response = _check(hr, NUMERIC_CODES.read_bytes())
    assert response.status_code == 422
    assert 'name="token"' not in response.text
    for row in ("2", "3"):
        assert f'<td class="num">{row}</td><td>工号</td>' in response.text
    assert "工号 1001 was stored as a number" in response.text
    assert _staff_numbers(db) == []


def test_numeric_code_matching_several_people_is_refused(app, db, make_user):
    hr = _client(app, make_user)
    twins = [["01001", "张伟", "0101001", None, "在职", None], *REAL_STAFF[:1]]
    _apply(hr, _check(hr, _workbook(REAL_STORES, twins)).text)
    _english(hr)
    numeric = _workbook([], [[1001, "张伟", "0101001", None, "离职", None]], text_columns="C")
    response = _check(hr, numeric)
    assert response.status_code == 422
    assert "matches several existing codes once zeros are added in front (0001001, 01001)" in (
        response.text
    )
    assert _staff_numbers(db) == ["0001001", "01001"]


def test_check_report_counts_every_change_and_names_namesakes_before_applying(app, db, make_user):
    hr = _client(app, make_user)
    two_halls = [*GOOD_STORES, ["0902", "下沙营业厅", "E", "东区", None, "营业"]]
    _apply(hr, _check(hr, _workbook(two_halls, GOOD_STAFF)).text)
    _english(hr)
    update = [
        ["0090101", "赵一", "0902", "营业员", "在职", None],  # moves
        ["0090102", "钱二", "0901", "引导员", "离职", "2026-03-01"],  # leaves
        ["0090109", "钱二", "0901", "营业员", "在职", None],  # a second 钱二 in 0901
        ["0090110", "孙三", "0901", "营业员", "在职", None],
    ]
    checked = _check(hr, _workbook([], update))
    text = checked.text
    assert "2 staff will be created." in text
    assert (
        "2 staff will be updated, of whom 1 move to another hall and 1 are marked as left." in text
    )
    assert "0090101 赵一 moves to hall 0902." in text
    assert "Row 4: 0090109 钱二 would be created in hall 0901 beside 0090102 钱二." in text
    assert "孙三 would be created" not in text
    assert _staff_numbers(db) == ["0090101", "0090102"]  # nothing applied yet
    _apply(hr, text)
    page = hr.get("/stores").text
    assert "Roster applied: 2 new, 2 updated, 1 moved to another hall, 1 marked as left." in page
    assert _staff_numbers(db) == ["0090101", "0090102", "0090109", "0090110"]


def test_applying_a_number_matched_to_a_vanished_person_creates_no_one(app, db, make_user):
    hr = _client(app, make_user)
    _apply(hr, _check(hr, _workbook(REAL_STORES, [])).text)
    # Checked while 0001001 existed; by the time it is applied, nobody has that 工号.
    row = RosterStaffRow(2, "0001001", "张伟", "0101001", None, True, None, matched_from="1001")
    with pytest.raises(RosterChangedError):
        apply_roster(RosterReport(staff=[row]), make_user(Role.ADMIN, "admin_r").id)
    db.session.rollback()
    assert _staff_numbers(db) == []
