"""The HR tables' shapes: the plain rows the workbook and CSV writers take, their sheet names, and
their stable Chinese columns (header, row field, kind, width, meaning; documented in
docs/exports.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

STORE_SHEET, STAFF_SHEET, DETAIL_SHEET, LEGEND_SHEET = "门店星级", "员工考核", "检查明细", "说明"
Number = Decimal | float | int


@dataclass(frozen=True, slots=True)
class StoreRatingRow:
    """One store's rating for the period on one checklist; None where the store had no
    inspection on it."""

    period: str
    region: str
    store_code: str
    store_name: str
    inspections: int
    mean_score: Number | None  # percent, 0-100
    stars: int | None
    vetoes: int
    rank_in_region: int | None
    rank_overall: int | None
    checklist_key: str
    checklist_title: str
    checklist_versions: str  # the version numbers behind the figures, "2, 3"; "" without any


@dataclass(frozen=True, slots=True)
class StaffRow:
    """One person's appraisal at one hall for the period (a person moved between halls has a row
    per hall); ranks are None when the sample is too small to rank."""

    employee_no: str
    name: str
    store_code: str
    store_name: str
    region: str
    period: str
    visits: int
    person_items: int
    points_earned: Number
    points_possible: Number
    score: Number | None  # percent, 0-100, capped by a veto finding
    failed_items: int
    veto_findings: int
    enough: str  # 是 / 否
    rank_in_hall: int | None
    rank_in_region: int | None
    score_before_cap: Number | None  # percent, 0-100; the same as score without a veto


@dataclass(frozen=True, slots=True)
class DetailRow:
    """One checklist item's answer in one inspection; points are None when not applicable."""

    inspection_id: str
    visit_date: date
    store_code: str
    store_name: str
    section: str
    item_id: str
    item_text: str
    result: str
    points_earned: Number | None
    points_possible: Number | None
    employee_no: str | None
    comment: str | None
    photo_count: int


class Column(NamedTuple):
    """A column: its stable header, the dataclass field, its kind, width and meaning."""

    header: str
    field: str
    kind: str  # text, code, date, datetime, int, number, percent
    width: float
    meaning: str


def _columns(table: str) -> tuple[Column, ...]:
    """Parse a header|field|kind|width|meaning table, one column a line."""
    rows = (line.split("|") for line in table.strip().splitlines())
    return tuple(Column(h, f, k, float(w), m) for h, f, k, w, m in rows)


STORE_COLUMNS = _columns("""
期间|period|text|14|评比期间，写法同应用内：如 2026-11、2026-Q4、2026-10-01..2026-10-31
区域|region|text|14|门店所属区域
门店编码|store_code|code|12|门店编码（文本，保留前导零）
门店名称|store_name|text|28|门店名称
检查次数|inspections|int|10|期间内审核通过的检查次数
平均得分|mean_score|percent|10|审核通过的检查得分的平均值，0–100，显示一位小数；无检查时为空
星级|stars|int|8|期间星级（已按否决上限封顶）；无检查时为空
否决次数|vetoes|int|10|期间内触发否决项的检查次数
区域排名|rank_in_region|int|10|区域内名次：先比星级、再比平均得分，均从高到低，并列同名次；无检查时为空
总排名|rank_overall|int|10|导出范围内的名次，规则同区域排名；无检查时为空
检查表编码|checklist_key|code|28|评定所用检查表的编码（文本）。每个营业厅、每个检查表各占一行：在用的检查表对每个营业厅都有一行，期间内有审核通过检查的其他检查表也各有一行；星级、排名只在同一检查表内比较（新增列，排在最后）
检查表名称|checklist_title|text|24|该检查表的名称（新增列）
检查表版本|checklist_versions|text|12|期间内计入的检查所用的检查表版本号，跨版本时按从旧到新用逗号分隔，如 2, 3（星级按其中最新版本的规则）；无检查时为空（新增列）
""")
STAFF_COLUMNS = _columns("""
工号|employee_no|code|12|员工工号（文本，保留前导零）
姓名|name|text|10|员工姓名
营业厅编码|store_code|code|12|暗访所在营业厅的编码（文本）；员工调动过的，每个营业厅各占一行
营业厅|store_name|text|28|暗访所在营业厅的名称
区域|region|text|14|该营业厅所属区域
期间|period|text|14|考核期间，写法同应用内：如 2026-11、2026-Q4、2026-10-01..2026-10-31
暗访次数|visits|int|10|期间内审核通过、有该员工观察项的暗访次数
观察项数|person_items|int|10|记到该员工的观察项数（适用、已作答、计分的员工项，合格与否都算）
得分|points_earned|number|10|这些观察项的得分合计
满分|points_possible|number|10|这些观察项的满分合计
得分率|score|percent|10|得分 ÷ 满分 × 100，四舍五入到 0.001，显示一位小数；有否决项时按检查表规定的否决上限封顶（默认 0）；满分为 0 时为空
不合格项数|failed_items|int|10|其中不合格的观察项数（低于该项不合格线；只扣部分分的不算）
否决项数|veto_findings|int|10|其中不合格的一票否决项数
样本充足|enough|text|10|观察项数达到检查表规定的最少项数（默认 10）为“是”，否则为“否”
厅内排名|rank_in_hall|int|10|在该营业厅内按得分率从高到低的名次，并列同名次；样本不足时为空、不参与排名
区域排名|rank_in_region|int|10|在该区域内的名次，规则同厅内排名
封顶前得分率|score_before_cap|percent|12|否决封顶前的得分率（得分 ÷ 满分 × 100）；无否决项时与得分率相同；满分为 0 时为空（新增列，排在最后）
""")
DETAIL_COLUMNS = _columns("""
检查编号|inspection_id|code|38|检查记录编号（文本），同一次检查的各行相同
检查日期|visit_date|date|12|到店检查的日期
门店编码|store_code|code|12|门店编码（文本，保留前导零）
门店名称|store_name|text|28|门店名称
分项|section|text|16|检查项所属的分项
检查项编号|item_id|code|12|检查表中的检查项编号（文本）
检查项|item_text|text|50|检查项内容
结果|result|text|10|检查结果，用检查表的文字，如 合格、不合格、不适用、选项文字、4★、17 分钟；备注为所填文字
得分|points_earned|number|8|该项得分；不适用或不计分（如备注）时为空
可得分|points_possible|number|8|该项满分；不适用或不计分（如备注）时为空
工号|employee_no|code|12|该项记到的员工工号（文本）；未记到个人时为空
备注|comment|text|40|检查员的备注，原样保留
照片数|photo_count|int|8|该项所附照片张数
""")
KIND_LABELS = {
    "text": "文本",
    "code": "文本（编码）",
    "date": "日期",
    "datetime": "日期时间",
    "int": "整数",
    "number": "数值",
    "percent": "数值（百分数 0–100）",
}
