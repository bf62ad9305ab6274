"""The inspection PDF, and the layout both reports share: text, tables, pages, photos.

Import the report types and writers from `inspect_app.reports.pdf`. This module takes those types
only as annotations, so `pdf` can import the writers without a cycle. Which font sets each
character is `inspect_app.reports.fonts`' business: every text passes through the writer's chain.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from functools import cache, partial
from typing import TYPE_CHECKING, Any, NamedTuple
from xml.sax.saxutils import escape

from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, Paragraph, SimpleDocTemplate, Table

from inspect_app.reports.fonts import FontChain, configured_chain

if TYPE_CHECKING:
    from inspect_app.reports.pdf import (
        FindingRow,
        InspectionReport,
        PhotoThumb,
        RemarkRow,
        SectionRow,
    )

#: The labels an inspection report uses; the store report adds its own.
INSPECTION_LABEL_KEYS = (
    "sections", "findings", "section", "item", "lost", "comment", "employee_no", "appeal",
    "action", "photos", "photo_unavailable", "none", "veto", "score", "percent", "page",
    "generated", "remarks", "answer",
)  # fmt: skip

MAX_STARS = 5
MARGIN = 15 * mm
CONTENT_WIDTH = A4[0] - 2 * MARGIN
PHOTO_BOX = 40 * mm  # a thumbnail's longer side as printed
PHOTOS_PER_ROW = 3  # a row of photos each, so that no row is taller than a page
COMMENT_LINES = 24  # lines of a comment per table row, for the same reason
COMMENT_LINE_CHARS = 13  # Chinese characters a line of the comment column holds
GOLD, STAR_OFF, RED, MUTED = "#c9a000", "#b8b8b8", "#b03a2e", "#666666"
GRID, HEAD_BG, VETO_BG = (colors.HexColor(c) for c in ("#c3ccd6", "#e9eef4", "#fbeceb"))


def build_inspection_pdf(report: InspectionReport, fonts: FontChain | None = None) -> bytes:
    """Return an inspection's report as PDF bytes, set in fonts (default: the PDF_FONTS setting)."""
    writer = PdfWriter(report.labels, fonts)
    story = [
        *writer.masthead(report.title, report.store_line),
        writer.rating(report.stars, report.percent, report.is_vetoed),
        writer.facts(report.facts),
        *sections_block(writer, report.sections),
        *findings_block(writer, report.findings),
        *remarks_block(writer, report.remarks),
    ]
    return writer.render(story, report.title, report.store_line, report.generated_at)


def sections_block(writer: PdfWriter, sections: Sequence[SectionRow]) -> list[Flowable]:
    """Return the section scores under their heading; no score column for bare averages."""
    if any(s.earned or s.possible for s in sections):
        rows = [(s.title, f"{s.earned} / {s.possible}", s.percent) for s in sections]
        table = writer.table(("section", "score", "percent"), rows, (110, 35, 35))
    else:
        rows = [(s.title, s.percent) for s in sections]
        table = writer.table(("section", "percent"), rows, (110, 35))
    return [writer.heading("sections"), table]


def findings_block(writer: PdfWriter, findings: Sequence[FindingRow]) -> list[Flowable]:
    """Return the failed items under their heading, each item's photos in a row beneath it."""
    if not findings:
        return [writer.heading("findings"), writer.nothing()]
    keys = ("section", "item", "lost", "comment", "employee_no")
    status_head = f"{writer.label('appeal')} / {writer.label('action')}"
    rows: list[list[Any]] = [
        [*(writer.text(writer.label(k)) for k in keys), writer.text(status_head)]
    ]
    extra: list[tuple] = []
    for finding in findings:
        _add_finding(writer, finding, rows, extra)
    return [
        writer.heading("findings"),
        ruled_table(writer.fonts.body, rows, (24, 52, 14, 44, 18, 28), extra),
    ]


def remarks_block(writer: PdfWriter, remarks: Sequence[RemarkRow]) -> list[Flowable]:
    """Return the remarks and comments on items that did not fail; nothing when there are none.

    A long text continues on further rows (as a finding's comment does), so no row outgrows a page.
    """
    if not remarks:
        return []
    rows: list[list[Any]] = [[writer.text(writer.label(k)) for k in ("item", "answer", "comment")]]
    extra: list[tuple] = []
    for remark in remarks:
        parts = _comment_parts(remark.text)
        rows.append([writer.text(remark.item), writer.text(remark.answer), writer.text(parts[0])])
        for part in parts[1:]:
            rows.append(["", "", writer.text(part)])
            extra.append(("LINEABOVE", (0, len(rows) - 1), (-1, len(rows) - 1), 0.5, colors.white))
    return [writer.heading("remarks"), ruled_table(writer.fonts.body, rows, (56, 30, 94), extra)]


def _add_finding(
    writer: PdfWriter, finding: FindingRow, rows: list[list[Any]], extra: list[tuple]
) -> None:
    """Append a finding's row, rows for the rest of a long comment, and rows of its photos."""
    first = len(rows)
    item = f'<font size="7" color="{MUTED}">{plain(finding.item_id)}</font><br/>'
    if finding.is_veto:
        item += writer.veto_markup()
    statuses = [plain(s) for s in (finding.appeal_status, finding.action_status) if s]
    comment = _comment_parts(finding.comment)
    rows.append(
        [
            writer.text(finding.section),
            writer.markup(item + plain(finding.text)),
            writer.text(finding.points_lost, writer.style.number),
            writer.text(comment[0]),
            writer.text(finding.employee_no or "—"),
            writer.markup("<br/>".join(statuses) or "—"),
        ]
    )
    for part in comment[1:]:
        rows.append(["", "", "", writer.text(part), "", ""])
        extra.append(("LINEABOVE", (0, len(rows) - 1), (-1, len(rows) - 1), 0.5, colors.white))
    if finding.is_veto:
        extra.append(("BACKGROUND", (0, first), (-1, len(rows) - 1), VETO_BG))
    for start in range(0, len(finding.photos), PHOTOS_PER_ROW):
        label = writer.text(writer.label("photos"), writer.style.caption) if not start else ""
        strip = _photo_strip(writer, finding.photos[start : start + PHOTOS_PER_ROW])
        rows.append([label, strip, "", "", "", ""])
        extra.append(("SPAN", (1, len(rows) - 1), (-1, len(rows) - 1)))
        if start:
            extra.append(("LINEABOVE", (0, len(rows) - 1), (-1, len(rows) - 1), 0.5, colors.white))
    if finding.photos and len(comment) < 2:  # the item stays on the page of its first photos
        extra.append(("NOSPLIT", (0, first), (-1, first + 1)))


def _comment_parts(comment: str) -> list[str]:
    """Cut a comment into parts that each fill at most `COMMENT_LINES` lines of its column."""
    comment = re.sub(r"\n\s*\n\s*\n", "\n\n", comment.replace("\r\n", "\n").strip())
    longest = COMMENT_LINES * COMMENT_LINE_CHARS
    pieces = []
    for line in comment.split("\n"):
        pieces += [line[i : i + longest] for i in range(0, len(line), longest)] or [""]
    parts: list[list[str]] = [[]]
    used = 0
    for piece in pieces:
        lines = max(1, -(-len(piece) // COMMENT_LINE_CHARS))
        if parts[-1] and used + lines > COMMENT_LINES:
            parts.append([])
            used = 0
        parts[-1].append(piece)
        used += lines
    return ["\n".join(part) for part in parts]


def _photo_strip(writer: PdfWriter, photos: Sequence[PhotoThumb]) -> Table:
    """Return the thumbnails side by side, each over its caption."""
    cells = [_photo_cell(writer, photo) for photo in photos]
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]
    return table_in(writer.fonts.body, [cells], [PHOTO_BOX + 8 * mm] * len(cells), style)


def _photo_cell(writer: PdfWriter, photo: PhotoThumb) -> list[Flowable]:
    """Return a thumbnail over its caption, or a note that the photo is unavailable."""
    image = _thumbnail(photo.jpeg)
    if image is None:
        captions = [writer.label("photo_unavailable"), photo.caption]
        return [writer.text(c, writer.style.caption) for c in captions if c]
    return [image, *([writer.text(photo.caption, writer.style.caption)] if photo.caption else [])]


def _thumbnail(data: bytes) -> Image | None:
    """Return an image at most `PHOTO_BOX` on its longer side, or None if Pillow cannot read it."""
    try:
        with PILImage.open(io.BytesIO(data)) as picture:
            picture.load()  # decode fully: a truncated file fails here, not inside doc.build
            width, height = picture.size
            if picture.format != "JPEG":  # a JPEG is embedded as it is; anything else re-encoded
                buffer = io.BytesIO()
                picture.convert("RGB").save(buffer, format="JPEG", quality=85)
                data = buffer.getvalue()
    except Exception:  # corrupt data raises many kinds (OSError, SyntaxError, struct.error ...)
        return None
    scale = PHOTO_BOX / max(width, height)
    return Image(io.BytesIO(data), width=width * scale, height=height * scale)


class Styles(NamedTuple):
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    rating: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    number: ParagraphStyle
    caption: ParagraphStyle


@cache
def report_styles(font: str) -> Styles:
    """Return the paragraph styles with font, a registered font's name, as their body font."""
    # wordWrap="CJK" may break between any two characters: Chinese has no spaces to break at.
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    cell = ParagraphStyle("cell", body, fontSize=8.5, leading=11.5)
    return Styles(
        title=ParagraphStyle("title", body, fontSize=18, leading=24, spaceAfter=2),
        subtitle=ParagraphStyle("subtitle", body, fontSize=11, leading=15, textColor=MUTED),
        heading=ParagraphStyle("heading", body, fontSize=13, leading=18, spaceBefore=10),
        rating=ParagraphStyle("rating", body, fontSize=18, leading=24),
        body=body,
        cell=cell,
        number=ParagraphStyle("number", cell, alignment=TA_RIGHT),
        caption=ParagraphStyle("caption", cell, fontSize=7.5, leading=10, textColor=MUTED),
    )


def printable(text: str) -> str:
    """Return text with control and format characters dropped, lines and spaces made plain.

    CR LF and the line and paragraph separators become LF, a tab a space, and other spaces than
    the ideographic one a plain space (Babel puts no-break and thin spaces in numbers). Which
    font prints each remaining character is the font chain's business.
    """
    out = []
    for char in text.replace("\r\n", "\n"):
        category = unicodedata.category(char)
        if char == "\n" or category in ("Zl", "Zp"):
            out.append("\n")
        elif char == "\t" or (category == "Zs" and char != "\u3000"):
            out.append(" ")
        elif category not in ("Cc", "Cf", "Cs"):
            out.append(char)
    return "".join(out)


def plain(text: str) -> str:
    """Return user text as Paragraph markup that shows it literally, line breaks kept."""
    return escape(printable(text)).replace("\n", "<br/>")


def stars_markup(stars: int | None) -> str:
    """Return ★ for each star earned in gold and ☆ for the rest in grey; a dash for no rating."""
    if stars is None:
        return "—"
    earned = max(0, min(MAX_STARS, stars))
    parts = []
    if earned:
        parts.append(f'<font color="{GOLD}">{"★" * earned}</font>')
    if earned < MAX_STARS:
        parts.append(f'<font color="{STAR_OFF}">{"☆" * (MAX_STARS - earned)}</font>')
    return "".join(parts)


def table_in(
    font: str, rows: Sequence[Sequence[Any]], widths: Sequence[float] | None, style: list, **kw: Any
) -> Table:
    """Return a left-aligned table in font, so that no page names a font it does not embed."""
    table = Table(list(rows), colWidths=widths, hAlign="LEFT", **kw)
    table.setStyle([("FONTNAME", (0, 0), (-1, -1), font), *style])
    return table


def ruled_table(
    font: str,
    rows: Sequence[Sequence[Any]],
    widths_mm: Sequence[float],
    extra: Iterable[tuple] = (),
) -> Table:
    """Return a ruled table whose first row is a header repeated on each page."""
    return table_in(
        font,
        rows,
        [w * mm for w in widths_mm],
        [
            ("GRID", (0, 0), (-1, -1), 0.5, GRID),
            ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            *((side, (0, 0), (-1, -1), 3) for side in ("LEFTPADDING", "RIGHTPADDING")),
            *((side, (0, 0), (-1, -1), 2.5) for side in ("TOPPADDING", "BOTTOMPADDING")),
            *extra,
        ],
        repeatRows=1,
    )


class PdfWriter:
    """Make one report's flowables from the caller's translated labels, and render the pages."""

    def __init__(self, labels: Mapping[str, str], fonts: FontChain | None = None) -> None:
        self.labels = labels
        self.fonts = fonts or configured_chain()
        self.style = report_styles(self.fonts.body)

    def label(self, key: str) -> str:
        """Return the caller's text for key, or the key itself when it is missing."""
        return self.labels.get(key, key)

    def text(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        """Return a paragraph that shows user text literally."""
        return self.markup(plain(text), style)

    def markup(self, markup: str, style: ParagraphStyle | None = None) -> Paragraph:
        """Return a paragraph of markup built here, its user parts already through `plain`."""
        return Paragraph(self.fonts.markup(markup), style or self.style.cell)

    def heading(self, key: str) -> Paragraph:
        """Return a section heading with the label for key."""
        return self.text(self.label(key), self.style.heading)

    def nothing(self) -> Paragraph:
        """Return the "none" label, shown where a list is empty."""
        return self.text(self.label("none"), self.style.body)

    def veto_markup(self) -> str:
        """Return the red 【veto】 mark."""
        return f'<font color="{RED}">【{plain(self.label("veto"))}】</font>'

    def masthead(self, title: str, *lines: str) -> list[Flowable]:
        """Return the title and the lines under it."""
        subtitles = [self.text(line, self.style.subtitle) for line in lines]
        return [self.text(title, self.style.title), *subtitles]

    def rating(self, stars: int | None, percent: str = "", is_vetoed: bool = False) -> Table:
        """Return the line of large stars, percentage and veto mark, whichever are given."""
        cells = [(stars_markup(stars), 36)] if stars is not None else []
        cells += [(plain(percent), 30)] if percent else []
        cells += [(self.veto_markup(), 60)] if is_vetoed else []
        row = [self.markup(markup, self.style.rating) for markup, _ in cells] or [""]
        widths = [w * mm for _, w in cells] or None
        style = [("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 6)]
        return table_in(self.fonts.body, [row], widths, style)

    def facts(self, facts: Sequence[tuple[str, str]]) -> Table:
        """Lay label/value pairs out two to a row."""
        cells = [(self.text(k, self.style.caption), self.text(v)) for k, v in facts]
        cells += [("", "")] * (len(cells) % 2)
        rows = [[*cells[i], *cells[i + 1]] for i in range(0, len(cells), 2)] or [[""] * 4]
        style = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
            ("LEFTPADDING", (0, 0), (0, -1), 0),
        ]
        return table_in(self.fonts.body, rows, [24 * mm, 66 * mm] * 2, style)

    def table(
        self,
        keys: Sequence[str],
        rows: Iterable[Sequence[str]],
        widths_mm: Sequence[float],
        markup_columns: Collection[int] = (),
    ) -> Flowable:
        """Return a table headed by the labels for keys, or the "none" label when it is empty."""
        body = []
        for row in rows:
            cells = [*row, *[""] * len(keys)][: len(keys)]
            body.append(
                [
                    self.markup(cell) if i in markup_columns else self.text(cell)
                    for i, cell in enumerate(cells)
                ]
            )
        if not body:
            return self.nothing()
        head = [self.text(self.label(k)) for k in keys]
        return ruled_table(self.fonts.body, [head, *body], widths_mm)

    def render(
        self, story: list[Flowable], title: str, header_right: str, generated_at: str
    ) -> bytes:
        """Lay the story out on A4 with the running header and footer; return the PDF."""
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=20 * mm,
            bottomMargin=17 * mm,
            title=_one_line(title),
            creator="inspect_app",
            invariant=1,  # a fixed date and file ID: equal input, equal bytes
            initialFontName=self.fonts.body,  # each page's initial font: not Helvetica, unembedded
        )
        canvasmaker = partial(
            _ReportCanvas,
            fonts=self.fonts,
            header=(_one_line(title), _one_line(header_right)),
            footer=_one_line(f"{self.label('generated')} {generated_at}"),
            page_label=_one_line(self.label("page")),
        )
        doc.build(story, canvasmaker=canvasmaker)
        return buffer.getvalue()


class _ReportCanvas(Canvas):
    """A canvas that holds its pages back so that each can carry the header and "n / N"."""

    def __init__(
        self,
        *args: Any,
        fonts: FontChain,
        header: tuple[str, str],
        footer: str,
        page_label: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._fonts = fonts
        self._header, self._footer, self._page_label = header, footer, page_label
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_header_and_footer(number, total)
            super().showPage()
        super().save()

    def _draw_header_and_footer(self, number: int, total: int) -> None:
        width, height = A4
        left, right, size = MARGIN, width - MARGIN, 8.5
        self.saveState()
        self.setStrokeColor(GRID)
        self.setLineWidth(0.5)
        self.line(left, height - 14 * mm, right, height - 14 * mm)
        self.line(left, 12 * mm, right, 12 * mm)
        self.setFillColor(colors.HexColor(MUTED))
        title, store = self._header
        fonts = self._fonts
        self._draw_runs(left, height - 12 * mm, title, size)
        room = CONTENT_WIDTH - fonts.width(title, size) - 10 * mm
        store = _fit(fonts, store, room, size)
        self._draw_runs(right - fonts.width(store, size), height - 12 * mm, store, size)
        self._draw_runs(left, 8 * mm, self._footer, size)
        pages = f"{self._page_label} {number} / {total}"
        self._draw_runs(right - fonts.width(pages, size), 8 * mm, pages, size)
        self.restoreState()

    def _draw_runs(self, x: float, y: float, text: str, size: float) -> None:
        """Draw one line of text from x, each run in its font of the chain."""
        for font, run in self._fonts.runs(text):
            self.setFont(font, size)
            self.drawString(x, y, run)
            x += self.stringWidth(run, font, size)


def _fit(fonts: FontChain, text: str, width: float, size: float) -> str:
    """Return text, cut short with an ellipsis to fit in width points."""
    if fonts.width(text, size) <= width:
        return text
    while text and fonts.width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _one_line(text: str) -> str:
    """Return text fit for drawString: printable, on one line."""
    return " ".join(printable(text).split("\n"))
