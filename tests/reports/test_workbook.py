"""The HR workbook and CSV writers: plain rows in, files read back with openpyxl and calamine."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet import _writer as openpyxl_sheet_writer
from python_calamine import CalamineWorkbook

from inspect_app.config import PROJECT_ROOT
from inspect_app.reports import workbook
from inspect_app.reports.csv_export import csv_tables, csv_text, write_csv
from inspect_app.reports.workbook import WorkbookMeta, write_hr_workbook
from inspect_app.reports.workbook_tables import (
    DETAIL_COLUMNS,
    STAFF_COLUMNS,
    STORE_COLUMNS,
    DetailRow,
    StaffRow,
    StoreRatingRow,
)

META = WorkbookMeta(
    period_label="2026-10",
    scope_label="浙江省 杭州区域",
    generated_at=datetime(2026, 11, 2, 9, 15, 30),
    checklist_versions="营业厅暗访检查表 v3",
    star_thresholds="5★ ≥ 95；4★ ≥ 90；3★ ≥ 80；2★ ≥ 70；否决封顶 2★",
)
STORES = [
    StoreRatingRow("2026-10", "杭州", "00012345", "西湖文化广场营业厅", 4, Decimal("92.375"),
                   4, 0, 1, 2, "business-hall-mystery-shop", "营业厅暗访检查表", "2, 3"),
    StoreRatingRow("2026-10", "杭州", "00012346", "武林门营业厅", 0, None, None, 0, None, None,
                   "business-hall-mystery-shop", "营业厅暗访检查表", ""),
]  # fmt: skip
STAFF = [
    StaffRow("0001001", "王小明", "00012345", "西湖文化广场营业厅", "杭州", "2026-10", 3, 12,
             Decimal("21.5"), Decimal("24"), Decimal("89.583"), 2, 0, "是", 1, 4,
             Decimal("89.583")),
    # A veto: 得分率 capped at 0, the uncapped 66.667 in the last column.
    StaffRow("0000042", "李四", "00012346", "武林门营业厅", "杭州", "2026-10", 1, 3, 4.0, 6.0,
             0.0, 1, 1, "否", None, None, 66.667),
]  # fmt: skip
FORMULA_LIKE = ["=1+1", '=HYPERLINK("http://x","y")', "@SUM(A1)", "-2+3", "+1", "\tx", "\rx"]


def detail(n: int, **changes) -> DetailRow:
    """Return a realistic item-detail row numbered `n`."""
    row = DetailRow(
        inspection_id=f"5f0c9a2e-1b7d-4c4e-9d7a-{n:012d}",
        visit_date=date(2026, 10, 1 + n % 28),
        store_code="00012345",
        store_name="西湖文化广场营业厅",
        section="服务礼仪",
        item_id=f"appearance.item_{n}",
        item_text="营业员着装整洁、佩戴工牌，主动起身问候",
        result="不合格" if n % 4 == 0 else "合格",
        points_earned=Decimal("0") if n % 4 == 0 else Decimal("1.5"),
        points_possible=Decimal("1.5"),
        employee_no="0001001",
        comment="未佩戴工牌；顾客等候约 3 分钟" if n % 4 == 0 else None,
        photo_count=n % 3,
    )
    return replace(row, **changes)


def details(count: int) -> Iterator[DetailRow]:
    """Yield `count` rows lazily, as a database cursor would."""
    return (detail(n) for n in range(count))


def build(path: Path, rows=None, **kwargs) -> workbook.WorkbookSummary:
    """Write the workbook with the sample stores and staff."""
    return write_hr_workbook(path, META, STORES, STAFF, details(3) if rows is None else rows,
                             **kwargs)  # fmt: skip


def sheet_xml(path: Path) -> dict[str, str]:
    """Return each sheet's XML by sheet name, found through the workbook's relationships."""
    with zipfile.ZipFile(path) as archive:
        book = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
        targets = {
            re.search(r'Id="([^"]+)"', rel)[1]: re.search(r'Target="([^"]+)"', rel)[1]
            for rel in re.findall(r"<Relationship [^>]*>", rels)
        }
        return {
            name: archive.read("xl/" + targets[rid].removeprefix("/xl/")).decode()
            for name, rid in re.findall(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', book)
        }


def calamine_rows(path: Path, sheet: str) -> list[list]:
    """Read a sheet with calamine (Rust, the reader pandas and many importers use)."""
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def openpyxl_rows(path: Path, sheet: str, values_only: bool = True) -> list:
    """Read a sheet with openpyxl in read-only mode."""
    wb = load_workbook(path, read_only=True)
    try:
        return [list(row) for row in wb[sheet].iter_rows(values_only=values_only)]
    finally:
        wb.close()


def test_sheets_come_in_order_with_their_row_counts(tmp_path):
    summary = build(tmp_path / "hr.xlsx")
    assert CalamineWorkbook.from_path(str(tmp_path / "hr.xlsx")).sheet_names == [
        "门店星级", "员工考核", "检查明细", "说明"
    ]  # fmt: skip
    assert summary.sheet_rows == {"门店星级": 2, "员工考核": 2, "检查明细": 3}
    assert summary.detail_sheets == ("检查明细",)
    assert summary.detail_rows == 3


def test_headers_are_the_stable_chinese_names(tmp_path):
    build(tmp_path / "hr.xlsx")
    assert calamine_rows(tmp_path / "hr.xlsx", "检查明细")[0] == [
        "检查编号", "检查日期", "门店编码", "门店名称", "分项", "检查项编号", "检查项", "结果",
        "得分", "可得分", "工号", "备注", "照片数",
    ]  # fmt: skip
    assert calamine_rows(tmp_path / "hr.xlsx", "门店星级")[0] == [
        "期间", "区域", "门店编码", "门店名称", "检查次数", "平均得分", "星级", "否决次数",
        "区域排名", "总排名", "检查表编码", "检查表名称", "检查表版本",
    ]  # fmt: skip
    assert calamine_rows(tmp_path / "hr.xlsx", "员工考核")[0] == [
        "工号", "姓名", "营业厅编码", "营业厅", "区域", "期间", "暗访次数", "观察项数", "得分",
        "满分", "得分率", "不合格项数", "否决项数", "样本充足", "厅内排名", "区域排名",
        "封顶前得分率",
    ]  # fmt: skip


def test_openpyxl_reads_text_codes_real_dates_and_numbers(tmp_path):
    build(tmp_path / "hr.xlsx")
    first = openpyxl_rows(tmp_path / "hr.xlsx", "检查明细", values_only=False)[1]
    assert [cell.data_type for cell in first] == list("sdssssssnnssn")
    assert first[0].value == "5f0c9a2e-1b7d-4c4e-9d7a-000000000000"
    assert first[1].value == datetime(2026, 10, 1) and first[1].number_format == "yyyy-mm-dd"
    assert first[2].value == "00012345" and first[2].number_format == "@"
    assert first[10].value == "0001001" and first[10].number_format == "@"
    assert (first[8].value, first[9].value, first[12].value) == (0, 1.5, 0)
    assert first[11].value == "未佩戴工牌；顾客等候约 3 分钟"
    store = openpyxl_rows(tmp_path / "hr.xlsx", "门店星级", values_only=False)[1]
    assert store[5].value == 92.375 and store[5].number_format == "0.0"
    staff = openpyxl_rows(tmp_path / "hr.xlsx", "员工考核")
    assert staff[1] == ["0001001", "王小明", "00012345", "西湖文化广场营业厅", "杭州", "2026-10",
                        3, 12, 21.5, 24, 89.583, 2, 0, "是", 1, 4, 89.583]  # fmt: skip
    # Too few to rank: the ranks are empty cells, never 0; the veto's score before the cap last.
    assert staff[2] == ["0000042", "李四", "00012346", "武林门营业厅", "杭州", "2026-10", 1, 3, 4,
                        6, 0, 1, 1, "否", None, None, 66.667]  # fmt: skip


def test_calamine_reads_the_same_values_and_types(tmp_path):
    build(tmp_path / "hr.xlsx")
    rows = calamine_rows(tmp_path / "hr.xlsx", "检查明细")
    assert rows[1] == [
        "5f0c9a2e-1b7d-4c4e-9d7a-000000000000", date(2026, 10, 1), "00012345",
        "西湖文化广场营业厅", "服务礼仪", "appearance.item_0", "营业员着装整洁、佩戴工牌，主动起身问候",
        "不合格", 0.0, 1.5, "0001001", "未佩戴工牌；顾客等候约 3 分钟", 0.0,
    ]  # fmt: skip
    assert type(rows[1][1]) is date
    assert rows[2][11] == ""  # no comment: an empty cell
    staff = calamine_rows(tmp_path / "hr.xlsx", "员工考核")
    assert staff[1][0] == "0001001" and isinstance(staff[1][8], float)
    assert staff[2][-3:] == ["", "", 66.667]
    stores = calamine_rows(tmp_path / "hr.xlsx", "门店星级")
    assert stores[1][2] == "00012345" and stores[1][5] == pytest.approx(92.375)
    assert stores[1][-3:] == ["business-hall-mystery-shop", "营业厅暗访检查表", "2, 3"]
    # Not rated: empty, not zero; the checklist is named, no version behind empty figures.
    assert stores[2][5:10] == ["", "", 0.0, "", ""]
    assert stores[2][10:] == ["business-hall-mystery-shop", "营业厅暗访检查表", ""]


def test_data_sheets_have_one_frozen_filtered_header_and_no_merged_cells(tmp_path):
    build(tmp_path / "hr.xlsx")
    xml = sheet_xml(tmp_path / "hr.xlsx")
    for name, last in (("门店星级", "M3"), ("员工考核", "Q3"), ("检查明细", "M4")):
        assert re.search(r'<pane [^>]*topLeftCell="A2"[^>]*state="frozen"', xml[name]), name
        assert f'<autoFilter ref="A1:{last}"' in xml[name], name
        assert "<mergeCell" not in xml[name], name
        assert re.search(r'<col [^>]*width="12"', xml[name]), name  # widths from the columns


@pytest.mark.parametrize("text", [*FORMULA_LIKE, "#N/A", "#REF!", " 前后空格 ", "a\r\nb"])
def test_formula_like_texts_stay_plain_strings_that_read_back_exactly(tmp_path, text):
    rows = [detail(0, comment=text, store_name=text, item_text=text)]
    staff = [replace(STAFF[0], name=text, store_name=text)]
    path = tmp_path / "hr.xlsx"
    write_hr_workbook(path, replace(META, scope_label=text), STORES, staff, rows)
    for name, xml in sheet_xml(path).items():
        assert "<f>" not in xml and "<f " not in xml, name
        assert 't="e"' not in xml, name
    assert calamine_rows(path, "检查明细")[1][11] == text
    assert calamine_rows(path, "检查明细")[1][3] == text
    assert openpyxl_rows(path, "检查明细")[1][11] == text
    assert openpyxl_rows(path, "员工考核")[1][1] == text
    assert calamine_rows(path, "说明")[1][1] == text


def test_formula_like_codes_stay_text(tmp_path):
    path = tmp_path / "hr.xlsx"
    build(path, [detail(0, store_code="=1+1", employee_no="@x", inspection_id="-1")])
    assert "<f>" not in sheet_xml(path)["检查明细"]
    assert openpyxl_rows(path, "检查明细")[1][:3] == ["-1", datetime(2026, 10, 1), "=1+1"]


def test_characters_xml_cannot_hold_are_dropped_and_escapes_kept_literal(tmp_path):
    path = tmp_path / "hr.xlsx"
    build(path, [detail(0, comment="a\x0bb\x00c", item_text="字面 _x000D_ 文本")])
    row = calamine_rows(path, "检查明细")[1]
    assert row[11] == "abc"
    assert row[6] == "字面 _x000D_ 文本"  # Excel, like calamine, would turn _x000D_ into a CR


def test_item_detail_continues_on_numbered_sheets_each_with_a_header(tmp_path):
    path = tmp_path / "hr.xlsx"
    summary = build(path, details(25), max_rows=10)
    assert summary.detail_sheets == ("检查明细", "检查明细2", "检查明细3")
    assert [summary.sheet_rows[name] for name in summary.detail_sheets] == [10, 10, 5]
    xml = sheet_xml(path)
    header = calamine_rows(path, "检查明细")[0]
    seen = []
    for name, last in (("检查明细", 11), ("检查明细2", 11), ("检查明细3", 6)):
        rows = calamine_rows(path, name)
        assert rows[0] == header and len(rows) == last
        seen += [row[5] for row in rows[1:]]
        assert f'<autoFilter ref="A1:M{last}"' in xml[name]
        assert 'topLeftCell="A2"' in xml[name]
    assert seen == [f"appearance.item_{n}" for n in range(25)]
    legend = "\n".join(str(v) for row in calamine_rows(path, "说明") for v in row)
    assert "检查明细、检查明细2、检查明细3" in legend and "共 25 行" in legend


def test_an_exact_multiple_of_the_limit_opens_no_empty_sheet(tmp_path):
    summary = build(tmp_path / "hr.xlsx", details(20), max_rows=10)
    assert summary.detail_sheets == ("检查明细", "检查明细2")


def test_no_detail_rows_still_give_a_sheet_with_its_header(tmp_path):
    path = tmp_path / "hr.xlsx"
    summary = build(path, iter(()))
    assert summary.sheet_rows["检查明细"] == 0
    assert calamine_rows(path, "检查明细") == [[c.header for c in DETAIL_COLUMNS]]
    assert '<autoFilter ref="A1:M1"' in sheet_xml(path)["检查明细"]


def test_the_default_limit_is_excel_rows_less_the_header():
    assert workbook.EXCEL_MAX_DATA_ROWS + 1 == 1_048_576
    with pytest.raises(ValueError, match="max_rows"):
        build(Path("never-written.xlsx"), max_rows=1_048_576)


def test_progress_is_reported_every_ten_thousand_rows_and_at_the_end(tmp_path):
    calls = []
    build(tmp_path / "hr.xlsx", details(20_001), progress=calls.append)
    assert calls == [10_000, 20_000, 20_001]


def test_the_legend_states_the_facts_and_every_column(tmp_path):
    build(tmp_path / "hr.xlsx")
    rows = calamine_rows(tmp_path / "hr.xlsx", "说明")
    facts = {row[0]: row[1] for row in rows[:6]}
    assert facts["期间"] == "2026-10" and facts["范围"] == "浙江省 杭州区域"
    assert facts["生成时间"] == datetime(2026, 11, 2, 9, 15, 30)
    assert facts["检查表版本"] == META.checklist_versions
    assert facts["星级标准"] == META.star_thresholds
    assert facts["检查明细"] == "共 3 行，全部在工作表 检查明细"
    assert rows[7] == ["工作表", "列名", "类型", "含义"]
    described = {(row[0], row[1]): row[3] for row in rows[8:]}
    for sheet, columns in (("门店星级", STORE_COLUMNS), ("员工考核", STAFF_COLUMNS),
                           ("检查明细", DETAIL_COLUMNS)):  # fmt: skip
        for column in columns:
            assert described[(sheet, column.header)] == column.meaning


def test_sheet_names_fit_excel_limit(tmp_path):
    summary = build(tmp_path / "hr.xlsx", details(12), max_rows=1)
    names = CalamineWorkbook.from_path(str(tmp_path / "hr.xlsx")).sheet_names
    assert names[-2:] == ["检查明细12", "说明"] and len(summary.detail_sheets) == 12
    assert all(len(name) <= 31 for name in names)


def test_writes_to_a_binary_stream(tmp_path):
    buffer = io.BytesIO()
    build(buffer)
    (tmp_path / "hr.xlsx").write_bytes(buffer.getvalue())
    assert calamine_rows(tmp_path / "hr.xlsx", "员工考核")[1][0] == "0001001"


@pytest.mark.parametrize(
    "bad", [{"store_code": 12345}, {"visit_date": datetime(2026, 10, 1, 9)}, {"comment": 3}]
)
def test_wrong_types_fail_and_leave_no_files(tmp_path, bad):
    before = list(openpyxl_sheet_writer.ALL_TEMP_FILES)
    path = tmp_path / "hr.xlsx"
    with pytest.raises(TypeError):
        build(path, [detail(0), detail(1, **bad)])
    assert before == openpyxl_sheet_writer.ALL_TEMP_FILES
    assert not path.exists()


def test_a_failing_row_source_leaves_no_temporary_files(tmp_path):
    def broken() -> Iterator[DetailRow]:
        yield from details(5)
        raise RuntimeError("database went away")

    before = list(openpyxl_sheet_writer.ALL_TEMP_FILES)
    with pytest.raises(RuntimeError, match="database went away"):
        build(tmp_path / "hr.xlsx", broken(), max_rows=2)
    assert before == openpyxl_sheet_writer.ALL_TEMP_FILES


def _documented_columns(docs: str, sheet: str) -> list[tuple[str, str, str]]:
    """(header, type, field) of each row of the column table under the sheet's heading."""
    section = docs[docs.index(f"### {sheet}") :]
    table = section[section.index("| 列名 |") :].split("\n\n", 1)[0].splitlines()[2:]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table]
    return [(row[0], row[1], row[-1].strip("`")) for row in rows]


def test_docs_describe_every_sheet_and_column():
    """docs/exports.md lists each sheet's columns as the code writes them: the same headers in
    the same order, each with its type and row field; none missing, none extra."""
    docs = (PROJECT_ROOT / "docs" / "exports.md").read_text(encoding="utf-8")
    for name in ("门店星级", "员工考核", "检查明细", "检查明细2", "说明"):
        assert name in docs
    for sheet, columns in (
        ("门店星级", STORE_COLUMNS),
        ("员工考核", STAFF_COLUMNS),
        ("检查明细", DETAIL_COLUMNS),
    ):
        expected = [(c.header, c.kind, c.field) for c in columns]
        assert _documented_columns(docs, sheet) == expected, sheet


def test_csv_has_a_bom_readable_chinese_and_the_workbook_columns(tmp_path):
    stores, staff, detail_table = csv_tables(STORES, STAFF, details(3))
    path = tmp_path / "detail.csv"
    assert write_csv(path, detail_table.headers, detail_table.rows) == 3
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "西湖文化广场营业厅".encode() in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == [c.header for c in DETAIL_COLUMNS] and detail_table.name == "检查明细"
    assert rows[1] == [
        "5f0c9a2e-1b7d-4c4e-9d7a-000000000000", "2026-10-01", "00012345", "西湖文化广场营业厅",
        "服务礼仪", "appearance.item_0", "营业员着装整洁、佩戴工牌，主动起身问候", "不合格", "0",
        "1.5", "0001001", "未佩戴工牌；顾客等候约 3 分钟", "0",
    ]  # fmt: skip
    assert stores.headers == tuple(c.header for c in STORE_COLUMNS)
    assert staff.headers == tuple(c.header for c in STAFF_COLUMNS)
    staff_out = io.StringIO(newline="")
    write_csv(staff_out, staff.headers, staff.rows)
    assert staff_out.getvalue().startswith("\ufeff工号,姓名,")
    assert (
        "\r\n0001001,王小明,00012345,西湖文化广场营业厅,杭州,2026-10,3,12,21.5,24,89.583,2,0,是,1,4,"
        "89.583\r\n" in staff_out.getvalue()
    )
    assert "\r\n0000042,李四,00012346,武林门营业厅,杭州,2026-10,1,3,4,6,0,1,1,否,,,66.667\r\n" in (
        staff_out.getvalue()
    )


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_csv_guards_formula_like_texts_with_a_quote(tmp_path, text):
    table = csv_tables([], [], [detail(0, comment=text, store_code=text)])[2]
    path = tmp_path / "detail.csv"
    write_csv(path, table.headers, table.rows)
    with open(path, encoding="utf-8-sig", newline="") as stream:
        row = list(csv.reader(stream))[1]
    assert row[11] == "'" + text and row[2] == "'" + text


def test_csv_writes_numbers_plainly_and_never_guards_them():
    assert [csv_text(v) for v in (Decimal("-1.50"), -2.0, -3, Decimal("100.000"), None)] == [
        "-1.5", "-2", "-3", "100", ""
    ]  # fmt: skip
    assert csv_text("普通文本") == "普通文本" and csv_text("a=b") == "a=b"


def test_csv_tables_do_not_read_rows_until_written():
    consumed = []

    def source() -> Iterator[DetailRow]:
        for n in range(2):
            consumed.append(n)
            yield detail(n)

    table = csv_tables([], [], source())[2]
    assert consumed == []
    write_csv(io.StringIO(newline=""), table.headers, table.rows)
    assert consumed == [0, 1]


def test_a_sheet_is_refused_if_openpyxl_stops_calling_the_cell_hook(tmp_path):
    wb = Workbook(write_only=True)
    sheet = workbook._TableSheet(wb, "检查明细", DETAIL_COLUMNS)
    del sheet.ws._values_to_row  # what a future openpyxl ignoring the hook would amount to
    sheet.append(detail(0, comment="=1+1"))
    with pytest.raises(RuntimeError, match="_values_to_row"):
        sheet.close()
    workbook._discard(wb)


@pytest.mark.parametrize(
    ("field", "value"),
    [("photo_count", 1.5), ("photo_count", "2"), ("points_earned", "1.5"),
     ("points_possible", Decimal("NaN"))],
)  # fmt: skip
def test_numbers_must_be_numbers(tmp_path, field, value):
    header = next(column.header for column in DETAIL_COLUMNS if column.field == field)
    with pytest.raises(TypeError, match=f"^{header}: "):
        build(tmp_path / "hr.xlsx", [detail(0, **{field: value})])


def test_lxml_is_installed_so_carriage_returns_survive():

    # Without lxml openpyxl writes a CR raw and XML readers (Excel too) turn it into a line feed.
    assert openpyxl.LXML, "install lxml (a runtime dependency of the HR workbook)"
