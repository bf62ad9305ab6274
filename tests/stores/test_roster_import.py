"""The roster upload: template, row checks, and every kind of file that is not a good XLSX."""

from __future__ import annotations

import functools
import io
import random
import re
import time
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from inspect_app.stores.roster_import import read_roster
from inspect_app.stores.roster_rows import RosterReport
from inspect_app.stores.roster_template import (
    STAFF_COLUMNS,
    STORE_COLUMNS,
    roster_template,
)
from tests.stores.roster_files import roster_workbook

XLSX = Path(__file__).parent.parent / "data" / "xlsx"
STORE = ("S001", "一号厅", "R01", "一区", "解放路1号", "营业")
PERSON = ("0001", "张三", "S001", "营业员", "在职", None)


def roster(stores: list[tuple] | None = None, staff: list[tuple] | None = None, **columns) -> bytes:
    """Return a roster workbook; a sheet whose rows are None is left out."""
    return roster_workbook(stores, staff, **columns)


def read(
    data: bytes, stores: Any = (), regions: Any = (), staff_numbers: Any = (), **kw: Any
) -> RosterReport:
    """Read a roster as if the database had these store and region codes and 工号."""
    return read_roster(
        data,
        existing_store_codes=set(stores),
        existing_region_codes=set(regions),
        existing_staff_numbers=set(staff_numbers),
        **kw,
    )


def where(report: RosterReport) -> list[tuple]:
    return [(e.sheet, e.row_number, e.column) for e in report.errors]


def store(**changes: Any) -> tuple:
    """Return the good store row with some columns changed."""
    return tuple(changes.get(name, value) for name, value in zip(STORE_COLUMNS, STORE, strict=True))


def person(**changes: Any) -> tuple:
    """Return the good staff row with some columns changed."""
    return tuple(
        changes.get(name, value) for name, value in zip(STAFF_COLUMNS, PERSON, strict=True)
    )


def test_template_reads_back_without_errors_or_warnings():
    report = read(roster_template())
    assert report.ok and report.errors == [] and report.warnings == []
    assert [(s.code, s.region_code, s.is_active) for s in report.stores] == [
        ("0101001", "0101", True),
        ("0102001", "0102", False),
    ]
    assert [(r.code, r.name) for r in report.regions] == [("0101", "市区"), ("0102", "滨江区")]
    assert [(p.employee_no, p.is_active, p.left_on) for p in report.staff] == [
        ("001001", True, None),
        ("001002", False, date(2026, 3, 1)),
    ]


def test_template_layout():
    workbook = load_workbook(io.BytesIO(roster_template()))
    assert workbook.sheetnames == ["门店", "员工", "说明"]
    for title, columns in (("门店", STORE_COLUMNS), ("员工", STAFF_COLUMNS)):
        sheet = workbook[title]
        assert tuple(c.value for c in sheet[1]) == columns
        assert sheet.freeze_panes == "A2"
        assert sheet.max_row == 3
        for name in ("门店编码", "区域编码", "工号"):
            if name in columns:
                letter = "ABCDEF"[columns.index(name)]
                assert sheet.column_dimensions[letter].number_format == "@"
                assert sheet[f"{letter}2"].number_format == "@"
    notes = " ".join(str(c.value) for row in workbook["说明"].iter_rows() for c in row)
    for word in ("在职", "离职", "营业", "停业", *STORE_COLUMNS, *STAFF_COLUMNS):
        assert word in notes


BAD_STORE_ROWS = [
    pytest.param({"门店编码": None}, "门店编码", "门店编码 is missing.", id="no-code"),
    pytest.param({"门店名称": "  "}, "门店名称", "门店名称 is missing.", id="blank-name"),
    pytest.param({"区域编码": None}, "区域编码", "区域编码 is missing.", id="no-region"),
    pytest.param({"区域编码": "R404", "区域名称": None}, "区域编码", "Unknown region R404", id="unknown-region"),
    pytest.param({"门店编码": "S" * 33}, "门店编码", "longer than 32 characters", id="long-code"),
    pytest.param({"门店名称": "厅" * 201}, "门店名称", "longer than 200 characters", id="long-name"),
    pytest.param({"区域名称": "区" * 101}, "区域名称", "longer than 100 characters", id="long-region-name"),
    pytest.param({"地址": "路" * 301}, "地址", "longer than 300 characters", id="long-address"),
    pytest.param({"状态": "关门"}, "状态", "状态 must be one of: 营业, 停业.", id="unknown-status"),
    pytest.param({"门店编码": 12.5}, "门店编码", "must be text", id="fractional-code"),
    pytest.param({"门店名称": True}, "门店名称", "must be text", id="boolean-name"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "column", "message"), BAD_STORE_ROWS)
def test_bad_store_row_is_reported_at_its_cell(changes, column, message):
    report = read(roster([STORE, store(**{"门店编码": "S002", **changes})], [PERSON]))
    assert where(report) == [("门店", 3, column)]
    assert message in report.errors[0].message
    assert [s.row_number for s in report.stores] == [2]


BAD_STAFF_ROWS = [
    pytest.param({"工号": None}, "工号", "工号 is missing.", id="no-number"),
    pytest.param({"姓名": None}, "姓名", "姓名 is missing.", id="no-name"),
    pytest.param({"门店编码": None}, "门店编码", "门店编码 is missing.", id="no-store"),
    pytest.param({"门店编码": "S404"}, "门店编码", "Unknown store S404", id="unknown-store"),
    pytest.param({"工号": "0" * 33}, "工号", "longer than 32 characters", id="long-number"),
    pytest.param({"姓名": "张" * 101}, "姓名", "longer than 100 characters", id="long-name"),
    pytest.param({"岗位": "岗" * 101}, "岗位", "longer than 100 characters", id="long-position"),
    pytest.param({"工号": 1002.5}, "工号", "must be text", id="fractional-number"),
    pytest.param({"工号": -1002}, "工号", "must be text", id="negative-number"),
    pytest.param({"工号": datetime(2026, 1, 1)}, "工号", "must be text", id="date-as-number"),
    pytest.param({"状态": "休假"}, "状态", "状态 must be one of: 在职, 离职.", id="unknown-status"),
    pytest.param({"状态": "离职", "离职日期": "2026/2/30"}, "离职日期", "must be a date", id="no-such-day"),
    pytest.param({"状态": "离职", "离职日期": "下周"}, "离职日期", "must be a date", id="words"),
    pytest.param({"状态": "离职", "离职日期": 46082}, "离职日期", "must be a date", id="serial-number"),
    pytest.param({"离职日期": datetime(2026, 3, 1)}, "离职日期", "状态 is not 离职", id="date-while-employed"),
    pytest.param({"状态": None, "离职日期": "2026-03-01"}, "离职日期", "状态 is not 离职", id="date-blank-status"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "column", "message"), BAD_STAFF_ROWS)
def test_bad_staff_row_is_reported_at_its_cell(changes, column, message):
    report = read(roster([STORE], [PERSON, person(**{"工号": "0002", **changes})]))
    assert where(report) == [("员工", 3, column)]
    assert message in report.errors[0].message
    assert [p.row_number for p in report.staff] == [2]


def test_duplicate_employee_number_is_reported_on_every_row():
    other = person(姓名="李四")
    report = read(roster([STORE], [PERSON, person(工号="0002"), other, other]))
    assert where(report) == [("员工", 2, "工号"), ("员工", 4, "工号"), ("员工", 5, "工号")]
    assert report.errors[0].message == "工号 0001 is on more than one row: 2, 4, 5."
    assert [p.employee_no for p in report.staff] == ["0002"]


def test_duplicate_store_code_is_reported_on_both_rows():
    report = read(roster([STORE, store(门店名称="另一厅")], [PERSON]))
    assert where(report) == [("门店", 2, "门店编码"), ("门店", 3, "门店编码")]
    assert "S001 is on more than one row: 2, 3." in report.errors[0].message


def test_every_error_in_a_file_is_reported():
    report = read((XLSX / "roster-bad-rows.xlsx").read_bytes())
    assert sorted(where(report)) == sorted(
        [
            ("门店", 2, "门店编码"),  # S001 twice
            ("门店", 3, "区域编码"),  # unknown region
            ("门店", 4, "门店编码"),
            ("门店", 5, "门店编码"),  # missing
            ("门店", 6, "门店名称"),  # too long
            ("门店", 6, "状态"),
            ("员工", 2, "工号"),  # 0001 twice
            ("员工", 3, "门店编码"),  # unknown store
            ("员工", 4, "工号"),
            ("员工", 5, "工号"),  # missing
            ("员工", 6, "姓名"),  # missing
            ("员工", 7, "离职日期"),  # a date on an 在职 row
            ("员工", 8, "离职日期"),  # 2026/2/30
            ("员工", 9, "状态"),
        ]
    )
    assert not report.ok
    # Errors come sheet by sheet, row by row; the rows without errors are still cleaned.
    assert [(e.sheet, e.row_number) for e in report.errors] == sorted(
        ((e.sheet, e.row_number) for e in report.errors), key=lambda k: (k[0] != "门店", k[1])
    )
    assert [p.row_number for p in report.staff] == [11]
    assert report.staff[0].left_on == date(2026, 3, 1)


def test_excel_written_roster_keeps_text_codes_and_refuses_an_unknown_number():
    report = read((XLSX / "roster-excel.xlsx").read_bytes())
    assert where(report) == [("员工", 3, "工号")]  # 1002: a number, and no 工号 matches it
    assert report.errors[0].message == (
        "工号 1002 was stored as a number, so its leading zeros may be lost, and no existing "
        "code matches it. Format the column as text and type the code in full."
    )
    assert [p.employee_no for p in report.staff] == ["001001", "001005", "001006"]
    assert [p.row_number for p in report.staff] == [2, 5, 6]
    assert (report.staff[1].name, report.staff[1].store_code) == ("王芳", "0101001")
    assert (report.staff[2].is_active, report.staff[2].left_on) == (False, date(2026, 3, 1))


def test_excel_written_roster_matches_its_number_to_the_one_padded_employee_number():
    report = read((XLSX / "roster-excel.xlsx").read_bytes(), staff_numbers={"001002"})
    assert report.ok
    assert [p.employee_no for p in report.staff] == ["001001", "001002", "001005", "001006"]
    assert report.staff[1].matched_from == "1002"
    assert [(w.sheet, w.row_number, w.column) for w in report.warnings] == [("员工", 3, "工号")]
    assert report.warnings[0].message == (
        "工号 1002 was read as 001002, the only existing code it matches once zeros are added "
        "in front."
    )


NUMERIC_CODES = XLSX / "roster-numeric-codes.xlsx"
#: What the system holds for roster-numeric-codes.xlsx.
NUMERIC_STORES = {"0101001", "0101002"}
NUMERIC_STAFF = {"0001001", "0001002", "0002001", "0000100"}


def test_numeric_codes_from_excel_are_matched_to_the_existing_codes():
    report = read(NUMERIC_CODES.read_bytes(), NUMERIC_STORES, staff_numbers=NUMERIC_STAFF)
    assert report.ok
    assert [(p.employee_no, p.matched_from, p.store_code) for p in report.staff] == [
        ("0001001", "1001", "0101001"),
        ("0001002", "1002", "0101001"),
    ]
    assert (report.staff[1].is_active, report.staff[1].left_on) == (False, date(2026, 3, 1))
    assert [(w.row_number, w.column) for w in report.warnings] == [
        (2, "工号"),
        (3, "工号"),
        (3, "门店编码"),
    ]


def test_numeric_codes_from_excel_without_their_people_are_refused_row_by_row():
    report = read(NUMERIC_CODES.read_bytes(), NUMERIC_STORES)
    assert where(report) == [("员工", 2, "工号"), ("员工", 3, "工号")]
    assert report.staff == [] and report.warnings[0].column == "门店编码"


@pytest.mark.parametrize("number", [1001, 1001.0])
def test_a_number_matching_one_employee_number_becomes_that_number(number):
    report = read(roster([STORE], [person(工号=number)]), staff_numbers={"0001001", "0002001"})
    assert report.ok
    assert (report.staff[0].employee_no, report.staff[0].matched_from) == ("0001001", "1001")


@pytest.mark.parametrize(
    ("number", "known", "message"),
    [
        pytest.param(1001, (), "no existing code matches it", id="none"),
        pytest.param(1001, {"01001", "0001001"}, "several existing codes", id="several"),
        pytest.param(1001, {"1001", "0001001"}, "(0001001, 1001)", id="itself-and-padded"),
        pytest.param(1001, {"A1001", "10010"}, "no existing code matches it", id="not-padding"),
        pytest.param("1001", {"01001", "001001"}, "several existing codes", id="text-several"),
    ],
)
def test_a_code_that_matches_no_or_several_codes_is_an_error_not_a_warning(number, known, message):
    report = read(roster([STORE], [person(工号=number)]), staff_numbers=known)
    assert where(report) == [("员工", 2, "工号")]
    assert message in report.errors[0].message
    assert report.staff == [] and report.warnings == []


def test_a_number_that_is_itself_a_code_stays_that_code():
    report = read(roster([STORE], [person(工号=1001)]), staff_numbers={"1001", "2001"})
    assert report.ok and report.warnings == []
    assert (report.staff[0].employee_no, report.staff[0].matched_from) == ("1001", None)


def test_digits_typed_as_text_are_matched_only_if_unknown_and_one_padded_code_exists():
    rows = [person(工号="1001"), person(工号="2002"), person(工号="0003003")]
    report = read(roster([STORE], rows), staff_numbers={"0001001", "0002002", "2002"})
    assert report.ok
    # 1001 lost its zeros; 2002 is a 工号 of its own; 0003003 is new.
    assert [(p.employee_no, p.matched_from) for p in report.staff] == [
        ("0001001", "1001"),
        ("2002", None),
        ("0003003", None),
    ]
    assert [w.row_number for w in report.warnings] == [2]


def test_numeric_store_and_region_codes_are_matched_or_refused():
    stores = [
        store(门店编码=1001, 区域编码=1, 区域名称=None),  # 0001001 in region 01
        store(门店编码=2002, 区域编码="R01"),  # no store 2002 with or without zeros
        store(门店编码="S003", 区域编码=7, 区域名称="七区"),  # a new region cannot be a number
        store(门店编码="S004", 区域编码=700, 区域名称=None),  # 0700: named on the next row
        store(门店编码="S005", 区域编码="0700", 区域名称="新区"),
    ]
    staff = [person(门店编码=1001), person(工号="0002", 门店编码=4)]
    report = read(roster(stores, staff), stores={"0001001"}, regions={"01", "R01"})
    assert where(report) == [
        ("门店", 3, "门店编码"),
        ("门店", 4, "区域编码"),
        ("员工", 3, "门店编码"),
    ]
    assert [(s.code, s.region_code) for s in report.stores] == [
        ("0001001", "01"),
        ("S004", "0700"),
        ("S005", "0700"),
    ]
    assert [p.store_code for p in report.staff] == ["0001001"]


def test_leading_zeros_of_text_codes_are_kept():
    zeros = store(门店编码="000123", 区域编码="007")
    report = read(roster([zeros], [person(工号="000042", 门店编码="000123")]))
    assert report.ok and report.warnings == []
    assert (report.stores[0].code, report.stores[0].region_code) == ("000123", "007")
    assert (report.staff[0].employee_no, report.staff[0].store_code) == ("000042", "000123")


@pytest.mark.parametrize(
    "value", [datetime(2026, 3, 1), date(2026, 3, 1), "2026-03-01", "2026/3/1", " 2026年3月1日 "]
)
def test_leaving_dates_in_any_accepted_form(value):
    report = read(roster([STORE], [person(状态="离职", 离职日期=value)]))
    assert report.ok
    assert (report.staff[0].is_active, report.staff[0].left_on) == (False, date(2026, 3, 1))


def test_left_staff_need_no_date_and_become_inactive():
    report = read(roster([STORE], [person(状态="离职")]))
    assert report.ok
    assert (report.staff[0].is_active, report.staff[0].left_on) == (False, None)


def test_blank_rows_are_skipped_spaces_stripped_and_blank_status_is_active():
    blank = (None, "  ", None, None, None, None)
    spaced = (" 0001 ", " 张三\t", " S001", None, None, None)
    report = read(roster([STORE, blank], [blank, spaced]))
    assert report.ok
    assert report.staff[0].row_number == 3
    assert (report.staff[0].employee_no, report.staff[0].name) == ("0001", "张三")
    assert (report.staff[0].store_code, report.staff[0].is_active) == ("S001", True)


def test_region_named_on_one_row_serves_the_other_rows():
    second = store(门店编码="S002", 区域编码="R02", 区域名称="二区")
    third = store(门店编码="S003", 区域编码="R02", 区域名称=None)
    report = read(roster([STORE, second, third], [PERSON]))
    assert report.ok
    assert [(r.code, r.name) for r in report.regions] == [("R01", "一区"), ("R02", "二区")]


def test_a_region_given_two_names_is_an_error():
    second = store(门店编码="S002", 区域名称="第一区")
    report = read(roster([STORE, second], [PERSON]))
    assert where(report) == [("门店", 3, "区域名称")]


def test_codes_already_in_the_system_satisfy_references():
    old_region = store(区域编码="OLD-R", 区域名称=None)
    old_store = person(门店编码="OLD-S")
    assert read(roster([old_region], [old_store]), stores={"OLD-S"}, regions={"OLD-R"}).ok
    assert where(read(roster([old_region], [old_store]))) == [
        ("门店", 2, "区域编码"),
        ("员工", 2, "门店编码"),
    ]


def test_only_staff_rows_may_be_uploaded_with_an_empty_store_sheet():
    report = read(roster([], [person(门店编码="OLD-S")]), stores={"OLD-S"})
    assert report.ok and report.stores == [] and len(report.staff) == 1


def test_unknown_column_is_a_warning_and_ignored():
    columns = (*STAFF_COLUMNS, "备注")
    report = read(roster([STORE], [(*PERSON, "新员工")], staff_columns=columns))
    assert report.ok
    assert [(w.sheet, w.row_number, w.column) for w in report.warnings] == [("员工", 1, "备注")]


def test_a_staff_only_workbook_is_read_against_the_halls_in_the_system():
    moved = person(工号="0002", 门店编码="S002")
    report = read(roster(None, [PERSON, moved]), stores={"S001", "S002"})
    assert report.ok, report.errors
    assert report.stores == [] and report.regions == []
    assert [(p.employee_no, p.store_code) for p in report.staff] == [
        ("0001", "S001"),
        ("0002", "S002"),
    ]


def test_a_staff_only_workbook_naming_an_unknown_hall_is_refused_on_that_row():
    report = read(roster(None, [PERSON, person(工号="0002", 门店编码="S404")]), stores={"S001"})
    assert where(report) == [("员工", 3, "门店编码")]
    assert "Unknown store S404" in report.errors[0].message


def test_a_stores_only_workbook_is_read():
    report = read(roster([STORE], None))
    assert report.ok and [s.code for s in report.stores] == ["S001"] and report.staff == []


def test_a_workbook_with_neither_sheet_names_both():
    workbook = Workbook()
    workbook.active.title = "Sheet1"
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = read(buffer.getvalue())
    assert where(report) == [("门店", None, None), ("员工", None, None)]
    assert [e.message for e in report.errors] == [
        "The workbook has no sheet named 门店.",
        "The workbook has no sheet named 员工.",
    ]


@pytest.mark.parametrize("stores, staff", [(None, []), ([], None)], ids=["staff", "stores"])
def test_a_single_sheet_without_rows_is_an_empty_workbook(stores, staff):
    report = read(roster(stores, staff))
    assert [e.message for e in report.errors] == ["The workbook has no store or staff rows."]


def test_missing_column_is_one_error_naming_it_and_skips_the_rows():
    columns = tuple(c for c in STAFF_COLUMNS if c != "工号")
    rows = [PERSON[1:], (None, None, None, None, "离职日期不是日期")]
    report = read(roster([STORE], rows, staff_columns=columns))
    assert where(report) == [("员工", 1, "工号")]
    assert report.errors[0].message == "The sheet 员工 has no column 工号 in its first row."
    assert report.stores and report.staff == []


def test_column_given_twice_is_an_error():
    columns = (*STAFF_COLUMNS, "姓名")
    report = read(roster([STORE], [(*PERSON, "李四")], staff_columns=columns))
    assert where(report) == [("员工", 1, "姓名")]


def test_sheet_without_a_header_row():
    report = read(roster([STORE], [], staff_columns=()))
    assert where(report) == [("员工", 1, None)]


def test_workbook_without_any_rows():
    report = read(roster([], []))
    assert [e.message for e in report.errors] == ["The workbook has no store or staff rows."]


@functools.cache
def zip_bomb(megabytes: int) -> bytes:
    """Return a zip whose sheet member inflates to `megabytes` MB of zeros (about 1 KB per MB)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(megabytes):
                member.write(bytes(1 << 20))
    return buffer.getvalue()


def rewrite_member(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """Return the workbook with one zip member's bytes passed through `change`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            body = source.read(info.filename)
            archive.writestr(info.filename, change(body) if info.filename == name else body)
    return buffer.getvalue()


def entity_bomb() -> bytes:
    """Return the template with a billion-laughs entity expanded in the 员工 sheet."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    )
    row = b'<row r="9"><c r="A9" t="inlineStr"><is><t>&lol9;</t></is></c></row>'

    def add_row(xml: bytes) -> bytes:
        return f"<!DOCTYPE worksheet [{entities}]>".encode() + xml.replace(
            b"</sheetData>", row + b"</sheetData>"
        )

    return rewrite_member(roster_template(), "xl/worksheets/sheet2.xml", add_row)


def other_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


FILES = [
    pytest.param(lambda: b"", "The file is empty.", id="empty"),
    pytest.param(lambda: (XLSX / "html-table.xlsx").read_bytes(), "not an Excel workbook", id="html"),
    pytest.param(lambda: (XLSX / "csv-named.xlsx").read_bytes(), "not an Excel workbook", id="csv"),
    pytest.param(lambda: bytes(range(256)) * 4, "not an Excel workbook", id="random-bytes"),
    pytest.param(lambda: (XLSX / "encrypted.xlsx").read_bytes(), "password-protected", id="encrypted"),
    pytest.param(lambda: bytes.fromhex("d0cf11e0a1b11ae1") + bytes(1024), "97-2003 (.xls)", id="xls"),
    pytest.param(lambda: (XLSX / "truncated.xlsx").read_bytes(), "damaged", id="truncated-zip"),
    pytest.param(other_zip, "could not be read", id="zip-of-something-else"),
    pytest.param(lambda: zip_bomb(200), "more than 50 MB", id="zip-bomb"),
    pytest.param(lambda: zip_bomb(10), "a zip bomb?", id="high-ratio"),
    pytest.param(entity_bomb, "could not be read", id="xml-entity-bomb"),
]  # fmt: skip


@pytest.mark.parametrize(("make", "message"), FILES)
def test_files_that_are_not_a_good_xlsx_give_one_clear_error(make, message):
    report = read(make())
    assert [(e.sheet, e.row_number, e.column) for e in report.errors] == [(None, None, None)]
    assert message in report.errors[0].message
    assert report.stores == [] and report.staff == []


def test_zip_bomb_sample_is_small():
    assert len(zip_bomb(200)) < 400_000


def test_a_hundred_thousand_rows_are_refused_quickly():
    workbook = Workbook(write_only=True)
    workbook.create_sheet("门店").append(STORE_COLUMNS)
    staff = workbook.create_sheet("员工")
    staff.append(STAFF_COLUMNS)
    for number in range(100_001):
        staff.append([f"{number:06d}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    started = time.perf_counter()
    report = read(buffer.getvalue())
    assert time.perf_counter() - started < 10
    assert [e.message for e in report.errors] == [
        "The sheet 员工 has more than 20,000 rows; split it into smaller files."
    ]


def test_max_rows_is_configurable_and_blank_rows_do_not_count():
    staff = [person(工号=f"{n:04d}") for n in range(3)]
    blank = (None,) * 6
    assert read(roster([STORE], [staff[0], blank, blank, *staff[1:]]), max_rows=3).ok
    report = read(roster([STORE], [*staff, person(工号="9999")]), max_rows=3)
    assert "more than 3 rows" in report.errors[0].message


def test_a_wrong_dimension_in_the_file_does_not_hide_rows():
    data = roster([STORE], [person(工号=f"{n:04d}") for n in range(5)])
    data = rewrite_member(
        data,
        "xl/worksheets/sheet2.xml",
        lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:F2"/>', xml),
    )
    assert len(read(data).staff) == 5


def test_openpyxl_warnings_about_styles_do_not_fail_the_read():
    # Some exporters write no cell styles; openpyxl warns, and pytest makes warnings errors.
    data = rewrite_member(
        roster_template(),
        "xl/styles.xml",
        lambda xml: re.sub(rb"<cellStyles.*?</cellStyles>", b"", xml),
    )
    with pytest.warns(UserWarning, match="no default style"):
        load_workbook(io.BytesIO(data), read_only=True).close()
    assert read(data).ok


@settings(max_examples=60)
@given(st.data())
def test_damaged_workbooks_never_raise(data):
    original = bytearray((XLSX / "roster-excel.xlsx").read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(original) - 1))
        original[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(original)))
    report = read(bytes(original[:cut]))
    assert report.ok or all(isinstance(e.message, str) and e.message for e in report.errors)


def test_random_bytes_after_a_zip_signature_never_raise():
    for seed in range(20):
        blob = b"PK\x03\x04" + random.Random(seed).randbytes(200 + seed * 50)
        assert not read(blob).ok
