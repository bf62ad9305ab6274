"""The roster workbook's layout and the blank template HR downloads and fills in."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

STORE_SHEET = "门店"
STAFF_SHEET = "员工"
HELP_SHEET = "说明"
STORE_COLUMNS = ("门店编码", "门店名称", "区域编码", "区域名称", "地址", "状态")
STAFF_COLUMNS = ("工号", "姓名", "门店编码", "岗位", "状态", "离职日期")
REQUIRED_COLUMNS = {
    STORE_SHEET: ("门店编码", "门店名称", "区域编码"),
    STAFF_SHEET: ("工号", "姓名", "门店编码"),
}
#: Columns holding codes: text, because Excel drops the leading zeros of numbers.
CODE_COLUMNS = ("门店编码", "区域编码", "工号")
#: 状态 values and whether they make the row active; a blank 状态 is the first one.
STORE_STATUSES = {"营业": True, "停业": False}
STAFF_STATUSES = {"在职": True, "离职": False}
#: Longest value of each column, matching the database columns.
MAX_LENGTHS = {
    STORE_SHEET: {"门店编码": 32, "门店名称": 200, "区域编码": 32, "区域名称": 100, "地址": 300},
    STAFF_SHEET: {"工号": 32, "姓名": 100, "门店编码": 32, "岗位": 100},
}
#: Rows formatted as text and offered the 状态 drop-down in the template.
TEMPLATE_ROWS = 5_000

STORE_EXAMPLES = [
    ("0101001", "中山路营业厅", "0101", "市区", "中山路88号", "营业"),
    ("0102001", "滨江营业厅", "0102", "滨江区", "江滨大道6号", "停业"),
]
STAFF_EXAMPLES = [
    ("001001", "张敏", "0101001", "营业员", "在职", None),
    ("001002", "李强", "0101001", "值班经理", "离职", date(2026, 3, 1)),
]
HELP_ROWS = [
    ("门店", "门店编码", "必填", "营业厅编码，最长32个字符，同一文件内不能重复。请保持文本格式，以免开头的0丢失。"),
    ("门店", "门店名称", "必填", "最长200个字符。"),
    ("门店", "区域编码", "必填", "门店所属区域的编码，最长32个字符。系统中还没有的区域，须在同一行填写区域名称。"),
    ("门店", "区域名称", "选填", "填写后按此名称新建区域（或更新已有区域的名称），最长100个字符。"),
    ("门店", "地址", "选填", "最长300个字符。"),
    ("门店", "状态", "选填", "营业 或 停业，留空视为营业。停业的门店不会被删除，历史记录保留。"),
    ("员工", "工号", "必填", "最长32个字符，同一文件内不能重复。请保持文本格式，以免开头的0丢失。被Excel存成数字的编码（如1001），只有补0后恰好对应系统中一个已有编码（如0001001）时才会采用，否则该行报错；门店编码、区域编码同样如此。"),
    ("员工", "姓名", "必填", "最长100个字符。"),
    ("员工", "门店编码", "必填", "员工所在门店，须在“门店”表或系统中已有。"),
    ("员工", "岗位", "选填", "最长100个字符。"),
    ("员工", "状态", "选填", "在职 或 离职，留空视为在职。离职员工被设为停用，不会被删除，暗访记录保留。"),
    ("员工", "离职日期", "选填", "只有离职员工可以填写，日期格式，或文字 2026-03-01、2026/3/1。"),
    ("", "", "", "第一行是列名，请勿修改；空行会被忽略；每个工作表最多20,000行。"),
    ("", "", "", "文件中没有出现的门店和员工保持不变；要停用，请将其状态改为停业或离职。"),
    ("", "", "", "只更新员工时可以只保留“员工”表（其中的门店须已在系统中）；只更新门店时可以只保留“门店”表。"),
    ("", "", "", "新员工和调动自导入当天起生效：之前日期的暗访仍按当时的花名册核对工号。离职员工在离职日期（未填写时为导入当天）之后不再属于该门店的花名册。"),
]  # fmt: skip
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def roster_template() -> bytes:
    """Return the roster workbook template: 门店 and 员工 with examples, and 说明."""
    workbook = Workbook()
    stores = workbook.active
    stores.title = STORE_SHEET
    _data_sheet(stores, STORE_COLUMNS, STORE_EXAMPLES, STORE_STATUSES)
    staff = workbook.create_sheet(STAFF_SHEET)
    _data_sheet(staff, STAFF_COLUMNS, STAFF_EXAMPLES, STAFF_STATUSES)
    left_column = get_column_letter(STAFF_COLUMNS.index("离职日期") + 1)
    staff.column_dimensions[left_column].number_format = "yyyy-mm-dd"
    for row in range(2, len(STAFF_EXAMPLES) + 2):
        staff[f"{left_column}{row}"].number_format = "yyyy-mm-dd"

    notes = workbook.create_sheet(HELP_SHEET)
    _header(notes, ("工作表", "列", "是否必填", "说明"), (10, 12, 10, 90))
    for row in HELP_ROWS:
        notes.append(row)
    for cells in notes.iter_rows(min_row=2):
        cells[-1].alignment = Alignment(wrap_text=True, vertical="top")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header(sheet: Worksheet, columns: tuple[str, ...], widths: tuple[int, ...]) -> None:
    sheet.append(columns)
    for index, width in enumerate(widths, start=1):
        sheet.cell(1, index).font = HEADER_FONT
        sheet.cell(1, index).fill = HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _data_sheet(
    sheet: Worksheet, columns: tuple[str, ...], examples: list[tuple], statuses: dict[str, bool]
) -> None:
    widths = tuple(30 if name in ("门店名称", "地址") else 14 for name in columns)
    _header(sheet, columns, widths)
    for example in examples:
        sheet.append(example)
    for index, name in enumerate(columns, start=1):
        if name in CODE_COLUMNS:
            letter = get_column_letter(index)
            # The column style makes cells typed later text too; the examples need their own.
            sheet.column_dimensions[letter].number_format = "@"
            for row in range(2, len(examples) + 2):
                sheet.cell(row, index).number_format = "@"
    letter = get_column_letter(columns.index("状态") + 1)
    choices = ",".join(statuses)
    validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
    validation.error = f"状态只能是：{choices}"
    validation.showErrorMessage = True
    sheet.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
