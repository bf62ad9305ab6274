"""Regenerate the sample workbooks in tests/data/xlsx/ for the roster and checklist imports.

Run: .venv/bin/python tests/data/make_xlsx.py
roster-excel.xlsx is written with XlsxWriter, which (like Excel, unlike openpyxl) stores
text in a shared-strings table; the other workbooks are written with openpyxl.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import xlsxwriter
from openpyxl import Workbook, load_workbook

from inspect_app.checklists.loader import load_checklist_file
from inspect_app.checklists.xlsx import checklist_to_xlsx
from inspect_app.stores.roster_template import STAFF_COLUMNS, STORE_COLUMNS

XLSX = Path(__file__).resolve().parent / "xlsx"
ALL_TYPES = Path(__file__).resolve().parent / "checklists" / "all-types.yaml"
CREATED = datetime(2026, 3, 14, 10, 15, 30)

#: Each store and staff row breaks one rule (row 6 of 门店 breaks two); see test_roster_import.
BAD_STORES = [
    ("S001", "一号厅", "R01", "一区", "解放路1号", "营业"),
    ("S002", "二号厅", "R99", None, None, "营业"),  # unknown region
    ("S001", "重复厅", "R01", None, None, "营业"),  # duplicate of row 2
    (None, "无编码厅", "R01", None, None, "营业"),  # no 门店编码
    ("S005", "厅" * 201, "R01", None, None, "关闭"),  # name too long, unknown 状态
]
BAD_STAFF = [
    ("0001", "张三", "S001", "营业员", "在职", None),
    ("0002", "李四", "S404", None, "在职", None),  # unknown store
    ("0001", "王五", "S001", None, "在职", None),  # duplicate of row 2
    (None, "赵六", "S001", None, "在职", None),  # no 工号
    ("0006", None, "S001", None, "在职", None),  # no 姓名
    ("0007", "钱七", "S001", None, "在职", datetime(2026, 3, 1)),  # a date but still 在职
    ("0008", "孙八", "S001", None, "离职", "2026/2/30"),  # no such day
    ("0009", "周九", "S001", None, "休假", None),  # unknown 状态
    (None, None, None, None, None, None),  # blank row: skipped
    ("0011", "吴十", "S002", None, "离职", "2026/3/1"),  # fine: S002 is in the file
]


def _save(workbook: Workbook) -> bytes:
    workbook.properties.created = workbook.properties.modified = CREATED
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def roster_bad_rows() -> bytes:
    workbook = Workbook()
    stores = workbook.active
    stores.title = "门店"
    stores.append(STORE_COLUMNS)
    for row in BAD_STORES:
        stores.append(row)
    staff = workbook.create_sheet("员工")
    staff.append(STAFF_COLUMNS)
    for row in BAD_STAFF:
        staff.append(row)
    return _save(workbook)


def roster_excel() -> bytes:
    """A good roster as Excel stores it: shared strings, a real date cell, one numeric 工号."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"created": CREATED})
    text = workbook.add_format({"num_format": "@"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    stores = workbook.add_worksheet("门店")
    stores.write_row(0, 0, STORE_COLUMNS)
    stores.write_string(1, 0, "0101001", text)
    stores.write_row(1, 1, ["中山路营业厅", "0101", "市区", "中山路88号", "营业"])
    staff = workbook.add_worksheet("员工")
    staff.write_row(0, 0, STAFF_COLUMNS)
    staff.write_row(1, 0, ["001001", "张敏", "0101001", "营业员", "在职"], text)
    staff.write_number(2, 0, 1002)  # typed into a General column: Excel made it a number
    staff.write_row(2, 1, ["李强", "0101001", "营业员", "在职"])
    # Row 4 is left blank; row 5 has stray spaces around the values.
    staff.write_row(4, 0, [" 001005 ", "  王芳 ", "0101001 ", None, "在职"], text)
    staff.write_row(5, 0, ["001006", "赵磊", "0101001", "值班经理", "离职"], text)
    staff.write_datetime(5, 5, datetime(2026, 3, 1), day)
    workbook.close()
    return buffer.getvalue()


def roster_numeric_codes() -> bytes:
    """Staff rows whose codes Excel made numbers: 1001 for 0001001; see test_roster_import.

    The system is meant to hold hall 0101001 with 0001001 张伟 and 0001002 李娜; the file marks
    李娜 as left, and names her hall by the number 101001.
    """
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"created": CREATED})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    workbook.add_worksheet("门店").write_row(0, 0, STORE_COLUMNS)
    staff = workbook.add_worksheet("员工")
    staff.write_row(0, 0, STAFF_COLUMNS)
    # Typed into General columns: Excel stores the codes as numbers without their zeros.
    staff.write_number(1, 0, 1001)
    staff.write_row(1, 1, ["张伟", "0101001", "营业员", "在职"])
    staff.write_number(2, 0, 1002)
    staff.write_string(2, 1, "李娜")
    staff.write_number(2, 2, 101001)
    staff.write_row(2, 3, ["营业员", "离职"])
    staff.write_datetime(2, 5, datetime(2026, 3, 1), day)
    workbook.close()
    return buffer.getvalue()


def checklist_errors() -> bytes:
    """all-types.yaml as a workbook with four mistakes; see test_checklist_xlsx."""
    definition = load_checklist_file(ALL_TYPES).definition
    assert definition is not None
    workbook = load_workbook(io.BytesIO(checklist_to_xlsx(definition.to_dict())))
    items = workbook["检查项"]
    items["E4"] = "desk.id_check"  # desk.agreement takes desk.id_check's id
    items["J5"] = "starz"  # desk.attitude: an unknown type
    items["T7"] = '{"min": 0, "max": 240'  # hall.waiting_minutes: the JSON is cut off
    workbook["评级规则"]["B9"] = 40  # 3星 below 2星 (50)
    return _save(workbook)


def samples() -> dict[str, bytes]:
    """Return every sample workbook (and non-workbook) by file name."""
    excel = roster_excel()
    return {
        "roster-excel.xlsx": excel,
        "roster-bad-rows.xlsx": roster_bad_rows(),
        "roster-numeric-codes.xlsx": roster_numeric_codes(),
        "checklist-errors.xlsx": checklist_errors(),
        # What browsers save when an intranet "Excel export" is really an HTML table.
        "html-table.xlsx": "<html><body><table><tr><td>工号</td></tr></table></body></html>".encode(),
        "csv-named.xlsx": "工号,姓名,门店编码\n001001,张敏,0101001\n".encode("utf-8-sig"),
        # An encrypted workbook is an OLE2 compound file, like an old .xls.
        "encrypted.xlsx": bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504) + b"EncryptedPackage",
        "truncated.xlsx": excel[: len(excel) // 2],
    }


def main() -> None:
    XLSX.mkdir(exist_ok=True)
    for name, data in samples().items():
        (XLSX / name).write_bytes(data)
        print(f"{name:<24} {len(data) / 1024:6.1f} KB")


if __name__ == "__main__":
    main()
