"""PDFs print every character a user can type: a chain of embedded fonts, read back with poppler."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from inspect_app.config import Config, settings_from_env
from inspect_app.inspections.models import Inspection
from inspect_app.reports.fonts import CID_FONT, FontChain, font_files
from inspect_app.reports.pdf import build_inspection_pdf, build_store_pdf
from inspect_app.reports.pdf_layout import PdfWriter
from tests.fixtures.review import (
    FAILED_HALL_ITEM,
    FAILED_STAFF_ITEM,
    PASSED_ITEM,
    post,
    submit_visit,
)
from tests.fixtures.visits import VISIT_UUID
from tests.reports.test_pdf import FINDINGS, flat_text_of, inspection, poppler, store, text_of

#: 𠮷 (U+20BB7, CJK Extension B), 😀 (U+1F600) and 鿏 (U+9FCF, a 2011 addition to the URO)
#: are missing from STSong-Light and from WenQuanYi Zen Hei; the chain's later fonts have them.
RARE = ("𠮷", "😀", "鿏")
COMMENT = "吉野家的𠮷字不是吉，客户笑了😀；鿏是第109号元素"


@pytest.fixture
def chain() -> FontChain:
    """The default chain; skip without its Debian fonts, but fail in CI, which installs them."""
    missing = [p for p in font_files(Config.PDF_FONTS) if not Path(p).is_file()]
    if missing:
        message = f"PDF fonts missing: {missing}: apt-get install the packages in .ci/run"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return FontChain(font_files(Config.PDF_FONTS))


def fonts_of(pdf: bytes) -> list[dict[str, str]]:
    """Return pdffonts' table: name, type and the emb/sub/uni flags of every font the PDF uses."""
    rows = poppler("pdffonts", "-", pdf=pdf).splitlines()[2:]
    fonts = []
    for row in rows:
        name, *rest = row.split()
        emb, sub, uni = rest[-5:-2]
        fonts.append({"name": name, "emb": emb, "sub": sub, "uni": uni})
    return fonts


def with_comment(comment: str, **changes: object) -> tuple:
    """Return the findings with the service finding's comment replaced."""
    return (replace(FINDINGS[1], comment=comment, **changes), FINDINGS[0], FINDINGS[2])


def test_inspection_pdf_prints_rare_characters_and_chinese(chain):
    store_line = "𠮷祥路营业厅😀（330101001）· 城东片区"
    report = inspection(findings=with_comment(COMMENT), store_line=store_line)
    pdf = build_inspection_pdf(report, chain)
    assert COMMENT in flat_text_of(pdf)  # the cell wraps it
    text = text_of(pdf)
    assert text.count(store_line) == 2  # under the title and in the running header
    for char in RARE:
        assert char in text
    assert "□" not in text and "[U+" not in text


def test_store_pdf_prints_rare_characters_and_chinese(chain):
    staff = (("007315", "王𠮷", "4", "92.5%", "1", "0"),)
    report = store(findings=with_comment(COMMENT), staff=staff, period="2026年第一季度😀")
    pdf = build_store_pdf(report, chain)
    assert COMMENT in flat_text_of(pdf)
    text = text_of(pdf)
    assert "王𠮷" in text
    assert "2026年第一季度😀" in text
    assert "□" not in text


def test_fonts_are_embedded_as_subsets(chain):
    pdf = build_inspection_pdf(inspection(findings=with_comment(COMMENT)), chain)
    fonts = fonts_of(pdf)
    names = [font["name"] for font in fonts]
    assert any(name.endswith("+WenQuanYiZenHei-0") for name in names)  # the body font
    assert len(fonts) >= 2  # and the fallbacks that 𠮷, 😀 and 鿏 needed
    for font in fonts:  # nothing left to the viewer: no Helvetica, no STSong-Light
        assert re.fullmatch(r"[A-Z]{6}\+\S+", font["name"]), font
        assert (font["emb"], font["sub"], font["uni"]) == ("yes", "yes", "yes"), font


def test_fonts_load_only_when_a_character_needs_them(chain):
    names = [font["name"] for font in fonts_of(build_inspection_pdf(inspection(), chain))]
    assert names and all(name.endswith("+WenQuanYiZenHei-0") for name in names)


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("\ue000", "[U+E000]"),  # private use: any font's glyph there would be a guess
        ("\U0010fffd", "[U+10FFFD]"),
        ("\U00030000", "[U+30000]"),  # CJK Extension G: in no font of the chain
    ],
)
def test_a_character_no_font_has_prints_its_code_point(chain, typed, printed):
    comment = f"前{typed}后"
    text = text_of(build_inspection_pdf(inspection(findings=with_comment(comment)), chain))
    assert f"前{printed}后" in text


def test_invisible_characters_are_not_replaced(chain):
    # U+FE0F asks for the emoji form of ❤; U+200D joins 👩 and 💻 (Unicode's default ignorables)
    comment = "满意❤\ufe0f员工👩\u200d💻\u034f完"
    text = text_of(build_inspection_pdf(inspection(findings=with_comment(comment)), chain))
    assert "满意❤员工👩💻完" in text
    assert "[U+" not in text


def test_markup_beside_rare_characters_is_printed_literally(chain):
    hostile = '😀<b>&amp;</b><font name="Helvetica">𠮷</font> & 鿏'
    report = inspection(findings=with_comment(hostile, text=hostile), store_line=hostile)
    pdf = build_inspection_pdf(report, chain)
    assert text_of(pdf).count(hostile) == 2  # under the title and in the running header
    assert flat_text_of(pdf).count(re.sub(r"\s", "", hostile)) == 4  # and the wrapped cells


def test_output_with_fallback_fonts_is_byte_stable(chain):
    report = inspection(findings=with_comment(COMMENT))
    assert build_inspection_pdf(report, chain) == build_inspection_pdf(report, chain)


def test_without_the_fonts_pdfs_fall_back_to_the_cid_font_and_warn(caplog, tmp_path):
    missing = str(tmp_path / "wqy-zenhei.ttc")
    with caplog.at_level(logging.WARNING, logger="inspect_app.reports.fonts"):
        chain = FontChain((missing,))
    assert chain.body == CID_FONT and not chain.is_embedded
    assert missing in caplog.text and "fonts-wqy-zenhei" in caplog.text
    pdf = build_inspection_pdf(inspection(findings=with_comment(f"{COMMENT} ✓")), chain)
    assert [(f["name"], f["emb"]) for f in fonts_of(pdf)] == [(CID_FONT, "no")]
    flat = flat_text_of(pdf)
    # The stand-ins of before: □ past U+FFFF, √ for ✓; 鿏 is a blank in STSong-Light.
    assert "吉野家的□字不是吉，客户笑了□；" in flat and "第109号元素√" in flat
    assert "营业厅季度报告" in text_of(build_store_pdf(store(), chain))


def test_a_file_that_is_not_a_truetype_font_is_skipped(chain, caplog, tmp_path):
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font at all")
    with caplog.at_level(logging.WARNING, logger="inspect_app.reports.fonts"):
        skipping = FontChain((str(broken), *chain.paths))
    assert str(broken) in caplog.text
    assert skipping.body == chain.body
    pdf = build_inspection_pdf(inspection(findings=with_comment(COMMENT)), skipping)
    assert COMMENT in flat_text_of(pdf)


def test_pdf_fonts_setting_is_a_path_list():
    assert settings_from_env({"INSPECT_PDF_FONTS": "/a.ttf:/b.ttc"})["PDF_FONTS"] == "/a.ttf:/b.ttc"
    assert font_files("/a.ttf: /b.ttc::") == ("/a.ttf", "/b.ttc")
    assert font_files(["/a.ttf"]) == ("/a.ttf",)
    assert font_files("") == ()
    assert font_files(Config.PDF_FONTS)[0].endswith("wqy-zenhei.ttc")


@pytest.fixture
def approved_with_rare_characters(db, visit, reviewer):
    """An approved visit whose two findings' comments carry 𠮷, 😀 and 鿏."""
    submit_visit(
        visit,
        **{
            FAILED_STAFF_ITEM: {"value": "fail", "employee_no": "00001", "comment": COMMENT},
            FAILED_HALL_ITEM: {"value": "fail", "comment": "洗手台𠮷有积水😀鿏"},
        },
    )
    assert post(reviewer, f"/review/{visit.uuid}/approve").status_code == 302
    return visit


def test_downloaded_pdfs_print_rare_characters(chain, approved_with_rare_characters, manager, db):
    response = manager.get(f"/results/{VISIT_UUID}/report.pdf")
    assert response.status_code == 200
    flat = flat_text_of(response.data)
    assert COMMENT in flat and "洗手台𠮷有积水😀鿏" in flat
    inspection_row = db.session.scalar(select(Inspection))
    response = manager.get(
        f"/stores/{inspection_row.store_id}/report.pdf",
        query_string={"period": f"{inspection_row.visit_date:%Y-%m}"},
    )
    assert response.status_code == 200
    flat = flat_text_of(response.data)
    assert COMMENT in flat and "洗手台𠮷有积水😀鿏" in flat
    assert all(font["emb"] == "yes" for font in fonts_of(response.data))


def test_downloads_without_the_fonts_still_work(
    app, approved_with_rare_characters, manager, monkeypatch, tmp_path
):
    monkeypatch.setitem(app.config, "PDF_FONTS", str(tmp_path / "none.ttf"))
    response = manager.get(f"/results/{VISIT_UUID}/report.pdf")
    assert response.status_code == 200
    assert [font["name"] for font in fonts_of(response.data)] == [CID_FONT]
    assert "吉野家的□字不是吉" in flat_text_of(response.data)


def test_the_inspection_pdf_prints_the_remark_and_comments_on_passed_items(
    chain, db, visit, reviewer, manager
):
    """Every word the inspector typed is in the printable record, not only failed items' notes
    (found in the issue 13 trial: the overall remark and a passed item's comment were missing)."""
    submit_visit(
        visit,
        **{
            PASSED_ITEM: {"value": "pass", "comment": "工服整洁𠮷，\n胸牌端正😀"},
            "process.remark": {"value": "\t整体服务良好鿏\n第二行"},
        },
    )
    assert post(reviewer, f"/review/{visit.uuid}/approve").status_code == 302
    response = manager.get(f"/results/{VISIT_UUID}/report.pdf")
    assert response.status_code == 200
    flat = flat_text_of(response.data)
    remarks = flat[flat.index("备注与说明") :]
    assert "工服整洁𠮷，胸牌端正😀" in remarks and "合格" in remarks
    assert "整体服务良好鿏第二行" in remarks


def test_english_wraps_at_spaces_and_chinese_between_characters(chain):
    """The trial saw "Hall environmen" / "t" in an English PDF's narrow column."""
    writer = PdfWriter({}, chain)
    english = writer.text("Hall environment")
    chinese = writer.text("厅堂环境 Hall")
    assert english.style.wordWrap is None and chinese.style.wordWrap == "CJK"
    lines = english.breakLines([60]).lines  # narrower than the two words together
    assert [" ".join(line[1]) for line in lines] == ["Hall", "environment"]
