"""Roster upload through the pages: check, report by row, apply, idempotent, permissions."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import func, select

from inspect_app.auth.models import Role
from inspect_app.stores.models import Region, Staff, Store
from tests.conftest import csrf_from, sign_in


def _client(app, make_user, role=Role.HR):
    make_user(role, username=f"{role.value}_r")
    client = app.test_client()
    sign_in(client, f"{role.value}_r")
    return client


def _workbook(stores, staff) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "门店"
    ws.append(["门店编码", "门店名称", "区域编码", "区域名称", "地址", "状态"])
    for row in stores:
        ws.append(row)
    ws2 = wb.create_sheet("员工")
    ws2.append(["工号", "姓名", "门店编码", "岗位", "状态", "离职日期"])
    for row in staff:
        ws2.append(row)
    for sheet in (ws, ws2):
        for column in "AC":
            for cell in sheet[column]:
                cell.number_format = "@"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _check(client, data: bytes, name="roster.xlsx"):
    token = csrf_from(client.get("/roster/import").text)
    return client.post(
        "/roster/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _apply(client, page_text: str):
    import re

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
