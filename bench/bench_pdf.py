"""PDF writer cost: an inspection report with 20 photographed findings, and a store period report.

Run: .venv/bin/python bench/bench_pdf.py
Makes photo-like 320x240 thumbnails as the photo pipeline does (a 1280x960 scene with shapes, blur
and sensor grain, LANCZOS-reduced, JPEG quality 82), then times build_inspection_pdf on 20
findings with one thumbnail each and build_store_pdf on 12 trend points, 30 findings (one
thumbnail each) and 30 staff rows, 15 rounds each after one untimed warm-up (font registration).
Prints median and p90, the output size and page count. Target: inspection PDF under 1.5 s.
"""

from __future__ import annotations

import io
import os
import random
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import replace

import reportlab
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from inspect_app.reports.fonts import configured_chain, font_chain
from inspect_app.reports.pdf import (
    STORE_LABEL_KEYS,
    FindingRow,
    InspectionReport,
    PhotoThumb,
    SectionRow,
    StoreReport,
    TrendPoint,
    build_inspection_pdf,
    build_store_pdf,
)

ROUNDS = 15
TARGET_SECONDS = 1.5
SCENE = (1280, 960)
THUMB = (320, 240)
LABELS = {key: key for key in STORE_LABEL_KEYS} | {
    "sections": "分项得分", "findings": "扣分项", "section": "分项", "item": "检查项",
    "lost": "扣分", "comment": "说明", "employee_no": "工号", "photos": "照片", "none": "无",
    "veto": "一票否决", "page": "页码", "generated": "生成时间", "staff": "员工表现",
}  # fmt: skip
SECTIONS = tuple(
    SectionRow(title, f"{earned}", "30", f"{earned / 30 * 100:.1f}%")
    for title, earned in (("营业厅环境", 27), ("服务礼仪", 25), ("业务办理", 29), ("营销推荐", 22))
)


def thumbnail(seed: int) -> bytes:
    """Return a photo-like 320x240 JPEG thumbnail, reduced from a larger scene as on upload."""
    rnd = random.Random(seed)
    scene = Image.new("RGB", SCENE, tuple(rnd.randrange(60, 200) for _ in range(3)))
    draw = ImageDraw.Draw(scene)
    for _ in range(30):
        x, y = rnd.randrange(SCENE[0]), rnd.randrange(SCENE[1])
        box = (x, y, x + rnd.randrange(40, 500), y + rnd.randrange(40, 400))
        draw.ellipse(box, fill=tuple(rnd.randrange(256) for _ in range(3)))
    scene = scene.filter(ImageFilter.GaussianBlur(2))
    grain = Image.frombytes("L", SCENE, rnd.randbytes(SCENE[0] * SCENE[1]))
    grain = grain.point(lambda v: 128 + (v - 128) // 6)
    scene = ImageChops.add(scene, Image.merge("RGB", [grain] * 3), offset=-128)
    buffer = io.BytesIO()
    scene.resize(THUMB, Image.Resampling.LANCZOS).save(buffer, format="JPEG", quality=82)
    return buffer.getvalue()


def findings(count: int) -> tuple[FindingRow, ...]:
    """Return count findings with realistic Chinese texts and one distinct thumbnail each."""
    return tuple(
        FindingRow(
            section=SECTIONS[i % 4].title,
            item_id=f"{i % 4 + 1}.{i}",
            text=f"员工未按规范引导客户取号并说明等候时间（第{i}项）",
            points_lost=str(1 + i % 5),
            comment="客户进门后约二十秒无人问候，取号机旁无人引导，" * (1 + i % 3),
            employee_no=f"{7000 + i:06d}" if i % 3 else None,
            photos=(PhotoThumb(thumbnail(i), f"现场照片 {i}"),),
            appeal_status="申诉中" if i % 7 == 0 else None,
            action_status="待整改" if i % 2 else "已整改",
            is_veto=i == 5,
        )
        for i in range(count)
    )


def inspection_report() -> InspectionReport:
    return InspectionReport(
        title="营业厅暗访报告",
        store_line="解放路营业厅（330101001）· 城东片区",
        facts=(("暗访日期", "2026-03-14"), ("检查表版本", "v3"), ("得分", "86.7%")),
        stars=4,
        percent="86.7%",
        is_vetoed=True,
        sections=SECTIONS,
        findings=findings(20),
        labels=LABELS,
        generated_at="2026-03-20 09:30",
    )


def store_report() -> StoreReport:
    return StoreReport(
        title="营业厅季度报告",
        store_line="解放路营业厅（330101001）· 城东片区",
        period="2026-Q1",
        facts=(("暗访次数", "12"), ("平均得分率", "91.4%"), ("片区排名", "2 / 14")),
        stars=4,
        trend=tuple(TrendPoint(f"2025-{m:02d}", 3, f"{85 + m / 2:.1f}%", 3 + m % 3) for m in range(1, 13)),
        sections=SECTIONS,
        findings=findings(30),
        staff=tuple((f"{7000 + i:06d}", f"员工{i}", "4", f"{80 + i / 2:.1f}%", str(i % 3)) for i in range(30)),
        labels=LABELS,
        generated_at="2026-04-01 08:00",
    )  # fmt: skip


def measure(name: str, build: Callable[[], bytes]) -> float:
    """Time build over ROUNDS after a warm-up; print and return the median in seconds."""
    pdf = build()
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        build()
        samples.append(time.perf_counter() - start)
    median = statistics.median(samples)
    p90 = statistics.quantiles(samples, n=10, method="inclusive")[-1]
    pages = len(re.findall(rb"/Type /Page\b", pdf))
    print(
        f"{name:<44} median {median * 1000:6.1f} ms   p90 {p90 * 1000:6.1f} ms"
        f"   {len(pdf) / 1e6:.2f} MB, {pages} pages"
    )
    return median


def main() -> None:
    inspection, store = inspection_report(), store_report()
    thumb_sizes = [len(f.photos[0].jpeg) for f in inspection.findings]
    print(
        f"thumbnails {THUMB[0]}x{THUMB[1]} q82, mean {statistics.mean(thumb_sizes) / 1e3:.1f} kB;"
        f" {ROUNDS} rounds; {os.cpu_count()} cores; reportlab {reportlab.Version}"
    )
    # Baseline in the same run: ReportLab's CID font STSong-Light, nothing embedded (the fallback
    # when no configured font loads), against the embedded TrueType chain of PDF_FONTS.
    cid, chain = font_chain(()), configured_chain()
    print(f"embedded chain: {', '.join(os.path.basename(p) for p in chain.paths)}")
    base_i = measure(
        "inspection, CID font (baseline)", lambda: build_inspection_pdf(inspection, cid)
    )
    median = measure("inspection, embedded chain", lambda: build_inspection_pdf(inspection, chain))
    rare = replace(
        inspection,
        findings=tuple(replace(f, comment=f.comment + " 𠮷😀鿏") for f in inspection.findings),
    )
    measure(
        "inspection, chain, 𠮷 😀 鿏 in every comment", lambda: build_inspection_pdf(rare, chain)
    )
    base_s = measure("store, CID font (baseline)", lambda: build_store_pdf(store, cid))
    store_median = measure("store, embedded chain", lambda: build_store_pdf(store, chain))
    print(
        f"ratio chain / CID: inspection {median / base_i:.2f}x, store {store_median / base_s:.2f}x"
    )
    verdict = "within" if median < TARGET_SECONDS else "OVER"
    print(f"inspection median {verdict} the {TARGET_SECONDS:.1f} s target")


if __name__ == "__main__":
    main()
