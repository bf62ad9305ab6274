"""Staff results in the HR exports and the hall PDF: one row per person and hall, read back."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from inspect_app.auth.models import Role
from inspect_app.reports.export_rows import staff_rows
from inspect_app.reports.workbook import WorkbookMeta, write_hr_workbook
from inspect_app.reports.workbook_tables import STAFF_COLUMNS
from tests.fixtures.staff_results import MONTH
from tests.reports.test_pdf import text_of

# The staff-results fixtures (an organisation, 张伟's observed November, signed-in clients).

META = WorkbookMeta("2026-11", "全部区域", datetime(2026, 12, 1, 8, 0), "v1", "—")
HEADERS = ["工号", "姓名", "营业厅编码", "营业厅", "区域", "期间", "暗访次数", "观察项数", "得分",
           "满分", "得分率", "不合格项数", "否决项数", "样本充足", "厅内排名", "区域排名",
           "封顶前得分率"]  # fmt: skip
#: 张伟 at 北一 (enough, ranked; a veto caps 65.909 at 0), 李娜 at 北一 (one item), 张伟 again
#: at 北二 (two items).
EXPECTED = [
    ["0001001", "张伟", "0101", "北一营业厅", "北区", "2026-11", 2, 11, 21.75, 33, 0, 2, 1,
     "是", 1, 1, 65.909],
    ["0001002", "李娜", "0101", "北一营业厅", "北区", "2026-11", 1, 1, 0, 3, 0, 1, 0, "否", None,
     None, 0],
    ["0001001", "张伟", "0102", "北二营业厅", "北区", "2026-11", 1, 2, 5, 5, 100, 0, 0, "否", None,
     None, 100],
]  # fmt: skip


@pytest.fixture
def workbook_path(observed, tmp_path):
    path = tmp_path / "hr.xlsx"
    write_hr_workbook(path, META, [], staff_rows(MONTH, None), iter(()))
    return path


def test_openpyxl_reads_text_numbers_and_empty_ranks(workbook_path):
    wb = load_workbook(workbook_path, read_only=True)
    try:
        rows = list(wb["员工考核"].iter_rows(values_only=False))
        assert [c.value for c in rows[0]] == HEADERS
        values = [[c.value for c in row] for row in rows[1:]]
        assert values == EXPECTED
        first = rows[1]
        assert first[0].data_type == "s" and first[0].number_format == "@"
        assert first[2].data_type == "s" and first[2].number_format == "@"
        assert [c.data_type for c in first[6:13]] == ["n"] * 7
        assert first[10].number_format == "0.0"
        assert first[16].data_type == "n" and first[16].number_format == "0.0"
    finally:
        wb.close()


def test_calamine_reads_the_same_rows_with_the_same_types(workbook_path):
    rows = CalamineWorkbook.from_path(str(workbook_path)).get_sheet_by_name("员工考核").to_python()
    assert rows[0] == HEADERS
    assert [[None if v == "" else v for v in row] for row in rows[1:]] == EXPECTED
    assert type(rows[1][0]) is str and rows[1][0] == "0001001"
    assert all(type(v) is float for v in rows[1][6:13])


def test_a_regions_export_holds_only_its_halls_with_ranks_from_the_whole_region(
    observed, staff_world
):
    north, south = staff_world.regions
    assert [r.store_code for r in staff_rows(MONTH, north.id)] == ["0101", "0101", "0102"]
    assert staff_rows(MONTH, south.id) == []  # 刘洋 was not observed: no 0 % row


def test_the_staff_csv_has_the_sheets_columns_and_keeps_leading_zeros(observed, client_as):
    hr = client_as(Role.HR, "hr_zhou")
    response = hr.get("/exports/staff.csv", query_string={"period": MONTH.key})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert rows[0] == [c.header for c in STAFF_COLUMNS] == HEADERS
    assert rows[1] == ["0001001", "张伟", "0101", "北一营业厅", "北区", "2026-11", "2", "11",
                       "21.75", "33", "0", "2", "1", "是", "1", "1", "65.909"]  # fmt: skip
    assert rows[2][-4:] == ["否", "", "", "0"]


def test_the_halls_pdf_lists_each_persons_result_with_failures_and_vetoes(
    observed, client_as, staff_world
):
    manager = client_as(Role.MANAGER, "manager_north1", stores=[staff_world.halls[0]])
    response = manager.get(
        f"/stores/{staff_world.halls[0].id}/report.pdf", query_string={"period": MONTH.key}
    )
    assert response.status_code == 200
    lines = [line.split() for line in text_of(response.data).splitlines()]
    # 工号, name, items observed, score, failed, veto; 李娜's one item is too few to rank.
    assert ["0001001", "张伟", "11", "0.0%", "2", "1"] in lines  # capped by his veto
    assert any(line[:3] == ["0001002", "李娜", "1"] and line[-2:] == ["1", "0"] for line in lines)
