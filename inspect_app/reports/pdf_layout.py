"""The layout both PDF reports share: styles, text made printable, tables, the writer that makes
a report's flowables, and the canvas that draws each page's header and footer.

Which font sets each character is `inspect_app.reports.fonts`' business: every text passes
through the writer's chain.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from functools import cache, partial
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table

from inspect_app.reports.fonts import FontChain, configured_chain

MAX_STARS = 5
MARGIN = 15 * mm
CONTENT_WIDTH = A4[0] - 2 * MARGIN
PHOTO_BOX = 40 * mm  # a thumbnail's longer side as printed
PHOTOS_PER_ROW = 3  # a row of photos each, so that no row is taller than a page
COMMENT_LINES = 24  # lines of a comment per table row, for the same reason
COMMENT_LINE_CHARS = 13  # Chinese characters a line of the comment column holds
GOLD, STAR_OFF, RED, MUTED = "#c9a000", "#b8b8b8", "#b03a2e", "#666666"
GRID, HEAD_BG, VETO_BG = (colors.HexColor(c) for c in ("#c3ccd6", "#e9eef4", "#fbeceb"))


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


#: CJK ideographs, kana, Hangul and full-width forms: text holding any wraps character by character.
CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]")


@cache
def latin_style(style: ParagraphStyle) -> ParagraphStyle:
    """Return style wrapping at spaces (ReportLab's default) instead of between any characters."""
    return ParagraphStyle(f"{style.name}-latin", style, wordWrap=None)


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
        """Return a paragraph of markup built here, its user parts already through `plain`.

        Text with no CJK character wraps at spaces only: ReportLab's CJK wrapping breaks
        anywhere, which cut English words in two ("Hall environmen" / "t").
        """
        style = style or self.style.cell
        if not CJK.search(markup):
            style = latin_style(style)
        return Paragraph(self.fonts.markup(markup), style)

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
