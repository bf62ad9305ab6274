"""The PDF writers: plain rows in, PDF bytes out, read back with poppler's pdftotext."""

from __future__ import annotations

import io
import os
import random
import re
import shutil
import subprocess
from dataclasses import replace

import pytest
from PIL import Image, ImageChops, ImageDraw

from inspect_app.reports.pdf import (
    INSPECTION_LABEL_KEYS,
    STORE_LABEL_KEYS,
    FindingRow,
    InspectionReport,
    PhotoThumb,
    RemarkRow,
    SectionRow,
    StoreReport,
    TrendPoint,
    build_inspection_pdf,
    build_store_pdf,
)
from inspect_app.reports.pdf_layout import printable, stars_markup

LABELS = {
    "sections": "分项得分",
    "findings": "扣分项",
    "section": "分项",
    "item": "检查项",
    "lost": "扣分",
    "comment": "说明",
    "remarks": "备注与说明",
    "answer": "检查结果",
    "hall_note": "质检致营业厅",
    "employee_no": "工号",
    "appeal": "申诉",
    "action": "整改",
    "photos": "照片",
    "photo_unavailable": "照片无法显示",
    "none": "无",
    "veto": "一票否决",
    "score": "得分",
    "percent": "得分率",
    "page": "页码",
    "generated": "生成时间",
    "trend": "趋势",
    "period": "期间",
    "count": "暗访次数",
    "stars": "星级",
    "staff": "员工表现",
    "name": "姓名",
    "observations": "被观察次数",
    "failures": "扣分次数",
}
SECTIONS = (
    SectionRow("营业厅环境", "18", "20", "90.0%"),
    SectionRow("服务礼仪", "27", "30", "90.0%"),
    SectionRow("业务办理", "25", "30", "83.3%"),
    SectionRow("营销推荐", "18", "20", "90.0%"),
)
FACTS = (
    ("暗访日期", "2026-03-14 10:15"),
    ("检查表版本", "2026版 v3"),
    ("得分", "88.0 / 100"),
    ("星级", "四星"),
    ("状态", "已审核"),
)


def photo_jpeg(seed: int, size: tuple[int, int] = (320, 240)) -> bytes:
    """Return a photo-like JPEG thumbnail: shapes over a colour field with sensor grain."""
    rnd = random.Random(seed)
    image = Image.new("RGB", size, tuple(rnd.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rnd.randrange(size[0]), rnd.randrange(size[1])
        box = (x, y, x + rnd.randrange(20, 160), y + rnd.randrange(20, 120))
        draw.ellipse(box, fill=tuple(rnd.randrange(256) for _ in range(3)))
    grain = Image.frombytes("L", size, rnd.randbytes(size[0] * size[1]))
    grain = grain.point(lambda v: 128 + (v - 128) // 8)
    image = ImageChops.add(image, Image.merge("RGB", [grain] * 3), offset=-128)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


FINDINGS = (
    FindingRow("营业厅环境", "1.2", "门头灯箱破损或不亮", "2", "左侧灯箱有两个字不亮", None,
               photos=(PhotoThumb(photo_jpeg(1), "门头"), PhotoThumb(photo_jpeg(2), "灯箱特写"))),
    FindingRow("服务礼仪", "2.1", "员工未主动起身迎接", "3", "客户进门约20秒后才有人问候",
               "007315", appeal_status="申诉中", action_status="待整改"),
    FindingRow("业务办理", "3.7", "未经同意办理增值业务", "10", "暗访员明确拒绝后仍开通视频彩铃",
               "000482", photos=(PhotoThumb(photo_jpeg(3), "业务单据"),), action_status="已整改",
               is_veto=True),
)  # fmt: skip


def inspection(**changes: object) -> InspectionReport:
    """Return a realistic vetoed inspection report, with changes applied."""
    report = InspectionReport(
        title="营业厅暗访报告",
        store_line="解放路营业厅（330101001）· 城东片区",
        facts=FACTS,
        stars=4,
        percent="88.0%",
        is_vetoed=True,
        sections=SECTIONS,
        findings=FINDINGS,
        labels=LABELS,
        generated_at="2026-03-20 09:30",
    )
    return replace(report, **changes)


def store(**changes: object) -> StoreReport:
    """Return a realistic store report for a quarter, with changes applied."""
    report = StoreReport(
        title="营业厅季度报告",
        store_line="解放路营业厅（330101001）· 城东片区",
        period="2026年第一季度",
        facts=(("暗访次数", "6"), ("平均得分率", "91.4%"), ("置信区间", "88.2% – 94.6%"),
               ("片区排名", "2 / 14"), ("全省排名", "37 / 412")),
        stars=4,
        trend=tuple(TrendPoint(f"2025-{m:02d}", 2, f"{85 + m * 0.5:.1f}%", 3 + m % 3)
                    for m in range(1, 13)),
        sections=SECTIONS,
        findings=FINDINGS,
        staff=(("007315", "王芳", "4", "92.5%", "1"), ("000482", "李强", "3", "80.0%", "2")),
        labels=LABELS,
        generated_at="2026-04-01 08:00",
    )  # fmt: skip
    return replace(report, **changes)


def many_findings(count: int) -> tuple[FindingRow, ...]:
    """Return count findings, each with its own photo."""
    return tuple(
        FindingRow("服务礼仪", f"2.{i}", f"第{i}项服务规范未达标", "1", f"暗访记录第{i}条",
                   f"{i:06d}", photos=(PhotoThumb(photo_jpeg(100 + i), f"现场{i}"),))
        for i in range(count)
    )  # fmt: skip


def poppler(*command: str, pdf: bytes) -> str:
    """Run a poppler tool on the PDF on stdin; skip without poppler-utils, but fail in CI."""
    if shutil.which(command[0]) is None:
        message = f"{command[0]} is missing: apt-get install poppler-utils"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run(command, input=pdf, capture_output=True, check=True, timeout=60)
    return done.stdout.decode()


def text_of(pdf: bytes) -> str:
    """Return the PDF's text laid out as on the page, pages separated by form feeds."""
    return poppler("pdftotext", "-layout", "-enc", "UTF-8", "-", "-", pdf=pdf)


def flat_text_of(pdf: bytes) -> str:
    """Return the PDF's text in drawing order without whitespace, so wrapped cells read whole."""
    return re.sub(r"\s+", "", poppler("pdftotext", "-raw", "-enc", "UTF-8", "-", "-", pdf=pdf))


def images_listed(pdf: bytes) -> list[list[str]]:
    """Return pdfimages' table of the PDF's images, one row of columns per image."""
    return [line.split() for line in poppler("pdfimages", "-list", "-", pdf=pdf).splitlines()[2:]]


def image_count(pdf: bytes) -> int:
    """Return how many image objects the PDF embeds."""
    return pdf.count(b"/Subtype /Image")


def test_inspection_pdf_shows_store_rating_facts_sections_and_findings():
    pdf = build_inspection_pdf(inspection())
    text = text_of(pdf)
    assert "营业厅暗访报告" in text
    assert "解放路营业厅（330101001）· 城东片区" in text
    assert "88.0%" in text
    assert "★★★★☆" in text
    for label, value in FACTS:
        assert label in text
        assert value in text
    for section in SECTIONS:
        assert section.title in text
    assert "25 / 30" in text
    for finding in FINDINGS:
        assert finding.text in text
        assert finding.comment in flat_text_of(pdf)  # comments wrap in their cells
    assert "007315" in text
    assert "000482" in text
    for status in ("申诉中", "待整改", "已整改"):
        assert status in text
    for key in ("sections", "findings", "item", "comment", "employee_no", "photos"):
        assert LABELS[key] in text
    assert "生成时间 2026-03-20 09:30" in text


def test_inspector_name_appears_only_when_the_caller_passes_it():
    reviewer_facts = (*FACTS, ("暗访员", "赵明远"))
    assert "赵明远" in text_of(build_inspection_pdf(inspection(facts=reviewer_facts)))
    assert "赵明远" not in text_of(build_inspection_pdf(inspection()))


def test_veto_is_marked_on_the_rating_and_on_the_item():
    text = text_of(build_inspection_pdf(inspection()))
    assert text.count("【一票否决】") == 2
    unvetoed = inspection(is_vetoed=False, findings=FINDINGS[:2])
    assert "一票否决" not in text_of(build_inspection_pdf(unvetoed))


def test_every_photo_is_embedded_once_at_most_40_mm_wide():
    pdf = build_inspection_pdf(inspection(findings=many_findings(20)))
    assert image_count(pdf) == 20
    listing = images_listed(pdf)
    assert len(listing) == 20
    for row in listing:
        assert int(row[12]) >= 320 / (40 / 25.4) - 1  # x-ppi: 320 px over at most 40 mm


def test_portrait_photo_fits_the_40_mm_box_by_its_height():
    finding = replace(FINDINGS[0], photos=(PhotoThumb(photo_jpeg(5, (240, 320))),))
    pdf = build_inspection_pdf(inspection(findings=(finding,)))
    [row] = images_listed(pdf)
    assert int(row[13]) >= 320 / (40 / 25.4) - 1  # y-ppi


def test_multi_page_output_numbers_every_page_n_of_total():
    pages = text_of(build_inspection_pdf(inspection(findings=many_findings(20)))).split("\f")
    pages = [page for page in pages if page.strip()]
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert f"页码 {number} / {len(pages)}" in page
        assert "营业厅暗访报告" in page  # the running header


def test_zero_findings_show_the_none_label():
    pdf = build_inspection_pdf(inspection(findings=(), is_vetoed=False))
    text = text_of(pdf)
    assert re.search(r"扣分项\s+无", text)
    assert "检查项" not in text
    assert image_count(pdf) == 0


@pytest.mark.parametrize(
    "hostile",
    ["<b>加粗</b> & AT&T", "<font size=40>大</font>", "a < b > c &amp; &#x41;", "<para>&nbsp;"],
)
def test_markup_in_user_text_is_printed_literally(hostile):
    finding = replace(FINDINGS[1], comment=hostile, text=hostile, section=hostile)
    report = inspection(
        findings=(finding,),
        facts=((hostile, hostile),),
        store_line=hostile,
        sections=(SectionRow(hostile, "1", "2", "50.0%"),),
    )
    text = text_of(build_inspection_pdf(report))
    assert text.count(hostile) >= 5


def test_corrupt_thumbnails_are_skipped_with_a_note():
    good = photo_jpeg(7)
    photos = (
        PhotoThumb(b"not a jpeg at all", "门头"),
        PhotoThumb(good[: len(good) // 2], "柜台"),
        PhotoThumb(b"", ""),
        PhotoThumb(good, "等候区"),
    )
    pdf = build_inspection_pdf(inspection(findings=(replace(FINDINGS[0], photos=photos),)))
    text = text_of(pdf)
    assert text.count("照片无法显示") == 3
    for caption in ("门头", "柜台", "等候区"):
        assert caption in text
    assert image_count(pdf) == 1


def test_a_png_thumbnail_is_embedded_too():
    buffer = io.BytesIO()
    Image.open(io.BytesIO(photo_jpeg(8))).save(buffer, format="PNG")
    photos = (PhotoThumb(buffer.getvalue(), "PNG"),)
    pdf = build_inspection_pdf(inspection(findings=(replace(FINDINGS[0], photos=photos),)))
    assert image_count(pdf) == 1


def test_long_unbroken_texts_wrap_inside_the_page():
    finding = replace(
        FINDINGS[1],
        text="员工未按规范" * 30,
        comment="https://example.com/" + "a" * 400 + "\n第二行" + "长说明" * 120,
    )
    pdf = build_inspection_pdf(inspection(findings=(finding,)))
    boxes = poppler("pdftotext", "-bbox", "-", "-", pdf=pdf)
    right_edges = [float(x) for x in re.findall(r'xMax="([\d.]+)"', boxes)]
    assert right_edges
    assert max(right_edges) <= 595.3 - 15 / 25.4 * 72 + 1  # A4 width less the right margin


def test_control_characters_are_dropped_and_line_breaks_kept():
    finding = replace(FINDINGS[1], comment="态度很好\x00\x07\u200b结束\r\n下一行\t完")
    text = text_of(build_inspection_pdf(inspection(findings=(finding,))))
    assert "态度很好结束" in text
    assert "下一行 完" in text


def test_missing_label_prints_its_key():
    labels = {k: v for k, v in LABELS.items() if k != "photos"}
    text = text_of(build_inspection_pdf(inspection(labels=labels)))
    assert "photos" in text


def test_output_is_byte_stable():
    assert build_inspection_pdf(inspection()) == build_inspection_pdf(inspection())
    assert build_store_pdf(store()) == build_store_pdf(store())


def test_store_pdf_shows_period_trend_sections_findings_and_staff():
    report = store()
    pdf = build_store_pdf(report)
    text = text_of(pdf)
    for expected in ("营业厅季度报告", "解放路营业厅（330101001）", "2026年第一季度", "★★★★☆"):
        assert expected in text
    for label, value in report.facts:
        assert label in text
        assert value in text
    for point in report.trend:
        assert re.search(rf"{point.period}\s+2\s+{re.escape(point.percent)}", text)
    for section in SECTIONS:
        assert section.title in text
    for finding in FINDINGS:
        assert finding.text in text
    assert re.search(r"007315\s+王芳\s+4\s+92\.5%\s+1", text)
    assert re.search(r"000482\s+李强\s+3\s+80\.0%\s+2", text)
    for key in ("trend", "staff", "observations", "failures"):
        assert LABELS[key] in text
    assert image_count(pdf) == 3


def test_store_pdf_with_nothing_in_the_period():
    pdf = build_store_pdf(store(stars=None, trend=(), sections=(), findings=(), staff=()))
    text = text_of(pdf)
    assert len(re.findall(r"(?m)^\s*无\s*$", text)) == 4
    assert "★" not in text
    assert "页码 1 / 1" in text


def test_remarks_print_whole_however_long_and_only_when_there_are_some():
    long_text = "".join(f"第{i:03d}句备注。" for i in range(250))  # 2,000 characters
    pdf = build_inspection_pdf(
        inspection(
            remarks=(
                RemarkRow(item="工服干净整洁", answer="合格", text="袖口略有褶皱\n不扣分"),
                RemarkRow(item="暗访总体评述", answer="", text=long_text),
            )
        )
    )
    flat = flat_text_of(pdf)
    remarks = flat[flat.index("备注与说明") :]
    assert "工服干净整洁合格袖口略有褶皱不扣分" in remarks
    assert long_text in remarks
    assert "备注与说明" not in text_of(build_inspection_pdf(inspection()))


def test_the_hall_note_prints_whole_under_its_heading_and_only_when_there_is_one():
    long_line = "".join(f"第{i:03d}句致营业厅。" for i in range(200))  # about 1,800 characters
    pdf = build_inspection_pdf(inspection(hall_note=f"请加强工牌佩戴检查\r\n\n{long_line}"))
    flat = flat_text_of(pdf)
    note = flat[flat.index("质检致营业厅") : flat.index(LABELS["sections"])]
    assert "请加强工牌佩戴检查" in note and long_line in note
    assert "质检致营业厅" not in text_of(build_inspection_pdf(inspection(hall_note=" \n ")))


def test_label_keys_cover_what_the_tests_translate():
    assert set(STORE_LABEL_KEYS) == set(LABELS)
    assert set(INSPECTION_LABEL_KEYS) < set(STORE_LABEL_KEYS)


def test_one_finding_with_many_photos_flows_onto_the_next_page():
    photos = tuple(PhotoThumb(photo_jpeg(200 + i), f"现场{i}") for i in range(20))
    pdf = build_inspection_pdf(inspection(findings=(replace(FINDINGS[0], photos=photos),)))
    assert image_count(pdf) == 20
    assert "页码 2 / 2" in text_of(pdf)


def test_a_comment_longer_than_a_page_splits_across_pages():
    comment = "客户等候期间无人引导，" * 400
    pdf = build_inspection_pdf(inspection(findings=(replace(FINDINGS[0], comment=comment),)))
    pages = int(re.search(r"页码 1 / (\d+)", text_of(pdf))[1])
    assert pages >= 3
    # Every repeat is printed; only a page break (header and footer between) cuts one apart.
    assert flat_text_of(pdf).count("客户等候期间无人引导") >= 400 - (pages - 1)


@pytest.mark.parametrize(
    "comment",
    ["\n".join(f"第{i}行" for i in range(300)), "x" * 3000, "空\n\n\n\n" * 200 + "完"],
    ids=["many-lines", "latin", "blank-lines"],
)
def test_comments_of_any_shape_fit_the_pages(comment):
    photos = (PhotoThumb(photo_jpeg(9), "现场"),)
    finding = replace(FINDINGS[0], comment=comment, photos=photos)
    pdf = build_inspection_pdf(inspection(findings=(finding, FINDINGS[1])))
    assert image_count(pdf) == 1
    assert FINDINGS[1].comment in flat_text_of(pdf)


def test_store_sections_without_points_show_only_the_percentage():
    sections = (SectionRow("营业厅环境", "", "", "92.5%"), SectionRow("服务礼仪", "", "", "—"))
    text = text_of(build_store_pdf(store(sections=sections)))
    assert re.search(r"营业厅环境\s+92\.5%", text)
    assert " / " not in text.split("分项得分")[1].split("扣分项")[0]


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("解放路营业厅（330101001）· 城东片区", "解放路营业厅（330101001）· 城东片区"),
        ("94,2\u00a0%\u202f• ok", "94,2 % • ok"),
        ("a\r\nb\tc\x00\x1b\u200bd", "a\nb cd"),
        ("一\u2028二\u2029三", "一\n二\n三"),
        ("好评👍", "好评👍"),
        ("全角\u3000空格", "全角\u3000空格"),
    ],
)
def test_printable_drops_controls_and_makes_spaces_and_lines_plain(text, printed):
    assert printable(text) == printed


@pytest.mark.parametrize(
    ("stars", "filled", "empty"), [(0, 0, 5), (3, 3, 2), (5, 5, 0), (7, 5, 0), (-1, 0, 5)]
)
def test_stars_are_gold_filled_and_grey_outlined(stars, filled, empty):
    markup = stars_markup(stars)
    assert markup.count("★") == filled
    assert markup.count("☆") == empty


def test_no_rating_is_a_dash():
    assert stars_markup(None) == "—"
