"""Writing the HR workbook's item detail: ours (openpyxl write-only) against XlsxWriter.

Run: .venv/bin/python bench/bench_workbook.py [ROWS]   (default 100,000)
Builds ROWS realistic item-detail rows once (Chinese texts, dates, decimals, 工号 and codes as
text), then writes them alternately with `write_hr_workbook` and with XlsxWriter in
constant_memory mode (same cell types and formats, header, widths, frozen pane, autofilter), five
rounds each, and prints the medians and their ratio (target: ours <= 1.5x). Then writes the same
rows, streamed from a generator, in a fresh child process and prints its peak RSS growth from
/proc/self/status VmHWM (target < 200 MB). XlsxWriter is only the baseline: `pip install
xlsxwriter`; the app does not depend on it.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from openpyxl import LXML

from inspect_app.reports.workbook import WorkbookMeta, write_hr_workbook
from inspect_app.reports.workbook_tables import DETAIL_COLUMNS, DetailRow

ROUNDS = 5
SECTIONS = ["服务礼仪", "营业环境", "业务办理", "终端销售", "宽带受理", "投诉处理", "安全规范"]
RESULTS = ["合格", "合格", "合格", "合格", "不合格", "不适用"]
COMMENTS = [
    None,
    None,
    "",
    "营业员未主动起身问候，等候约3分钟",
    "叫号屏故障，顾客排队秩序混乱；已拍照",
    "=未佩戴工牌",
    "资费说明与宣传单不一致，套餐 129 元/月",
]
META = WorkbookMeta("2026年10月", "全省", datetime(2026, 11, 1, 8, 30), "v3", "5★ ≥ 95")


def detail_rows(count: int, seed: int = 11) -> Iterator[DetailRow]:
    """Yield `count` item-detail rows: 67 items per inspection, like the default checklist."""
    rng = random.Random(seed)
    start = date(2026, 10, 1)
    inspection, store, visit = "", "", start
    for n in range(count):
        item = n % 67
        if item == 0:
            inspection = f"{rng.getrandbits(128):032x}"
            store = f"{rng.randrange(30_000):08d}"
            visit = start + timedelta(days=rng.randrange(31))
        result = rng.choice(RESULTS)
        possible = None if result == "不适用" else Decimal(rng.choice(("1", "2", "3", "1.5")))
        earned = None if possible is None else (possible if result == "合格" else Decimal(0))
        yield DetailRow(
            inspection_id=inspection,
            visit_date=visit,
            store_code=store,
            store_name=f"中国电信{store[-4:]}营业厅（人民路店）",
            section=SECTIONS[item % len(SECTIONS)],
            item_id=f"S{item // 10 + 1}.{item % 10 + 1:02d}",
            item_text=f"检查项{item + 1}：营业员着装整洁、佩戴工牌，主动问候顾客",
            result=result,
            points_earned=earned,
            points_possible=possible,
            employee_no=f"{rng.randrange(1, 60_000):07d}" if item % 3 == 0 else None,
            comment=rng.choice(COMMENTS),
            photo_count=rng.choice((0, 0, 0, 1, 2)),
        )


def write_ours(path: Path, rows: list[DetailRow]) -> None:
    """Write the workbook with the app's writer (empty store and staff sheets)."""
    write_hr_workbook(path, META, [], [], rows)


def write_xlsxwriter(path: Path, rows: list[DetailRow]) -> None:
    """Write the same detail sheet with XlsxWriter's constant_memory mode."""
    import xlsxwriter  # noqa: PLC0415 - the baseline is optional (pip install xlsxwriter)

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("检查明细")
    bold = wb.add_format({"bold": True})
    text = wb.add_format({"num_format": "@"})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    for index, column in enumerate(DETAIL_COLUMNS):
        ws.set_column(index, index, column.width)
    ws.freeze_panes(1, 0)
    for index, column in enumerate(DETAIL_COLUMNS):
        ws.write_string(0, index, column.header, bold)
    number_cols = {8, 9}
    for r, row in enumerate(rows, 1):
        values = (
            row.inspection_id,
            row.visit_date,
            row.store_code,
            row.store_name,
            row.section,
            row.item_id,
            row.item_text,
            row.result,
            row.points_earned,
            row.points_possible,
            row.employee_no,
            row.comment,
            row.photo_count,
        )
        for c, value in enumerate(values):
            if value is None:
                continue
            if c == 1:
                ws.write_datetime(r, c, value, day)
            elif c in number_cols:
                ws.write_number(r, c, float(value))
            elif c == 12:
                ws.write_number(r, c, value)
            elif c in (0, 2, 5, 10):
                ws.write_string(r, c, value, text)
            else:
                ws.write_string(r, c, value)
    ws.autofilter(0, 0, len(rows), len(DETAIL_COLUMNS) - 1)
    wb.close()


def peak_rss_child(count: int) -> None:
    """In this fresh process: stream `count` rows into a workbook, print the RSS growth in kB."""

    def status(key: str) -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
        raise KeyError(key)

    with tempfile.TemporaryDirectory() as tmp:
        Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
        before = status("VmRSS:")
        write_hr_workbook(Path(tmp) / "m.xlsx", META, [], [], detail_rows(count))
        print(status("VmHWM:") - before)


def main() -> None:
    """Time both writers, then measure our peak memory in a child process."""
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        peak_rss_child(int(sys.argv[2]))
        return
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rows = list(detail_rows(count))
    ours, theirs = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(ROUNDS):
            for writer, times, name in (
                (write_ours, ours, "ours.xlsx"),
                (write_xlsxwriter, theirs, "xw.xlsx"),
            ):
                started = time.perf_counter()
                writer(Path(tmp) / name, rows)
                times.append(time.perf_counter() - started)
        sizes = {name: (Path(tmp) / name).stat().st_size for name in ("ours.xlsx", "xw.xlsx")}
    ours_median, theirs_median = statistics.median(ours), statistics.median(theirs)
    print(f"{count:,} item-detail rows x {len(DETAIL_COLUMNS)} columns, {ROUNDS} rounds each")
    print(f"openpyxl write-only (lxml: {LXML}): median {ours_median:.2f} s, ", end="")
    print(f"min {min(ours):.2f} s, max {max(ours):.2f} s, file {sizes['ours.xlsx'] / 1e6:.1f} MB")
    print(f"XlsxWriter constant_memory:        median {theirs_median:.2f} s, ", end="")
    print(f"min {min(theirs):.2f} s, max {max(theirs):.2f} s, file {sizes['xw.xlsx'] / 1e6:.1f} MB")
    print(f"ratio ours / XlsxWriter: {ours_median / theirs_median:.2f}x (target <= 1.5x)")
    print(f"rows per second (ours): {count / ours_median:,.0f}")
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(count)],
        check=True,
        capture_output=True,
        text=True,
    )
    growth_kb = int(child.stdout.strip())
    print(f"peak RSS growth of ours, streamed, fresh process: {growth_kb / 1024:.1f} MB (< 200 MB)")


if __name__ == "__main__":
    main()
