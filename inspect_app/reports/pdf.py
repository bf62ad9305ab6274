"""PDF reports: one inspection's findings and one store's period summary, as bytes.

Pure: plain frozen dataclasses in, PDF bytes out; no Flask, no database, no gettext. Every text
comes from the caller already translated, headings through ``labels`` (keys in
``INSPECTION_LABEL_KEYS`` and ``STORE_LABEL_KEYS``; a missing key prints as the key itself, so a
forgotten translation shows up in the PDF instead of crashing it). Chinese is set in reportlab's
built-in CID font STSong-Light, which PDF readers supply: no font file is shipped or downloaded.
Output is byte-stable for equal input (reportlab's invariant mode fixes its date and file ID).
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, Paragraph, SimpleDocTemplate, Spacer, Table

INSPECTION_LABEL_KEYS = (
    "sections", "findings", "section", "item", "lost", "comment", "employee_no", "appeal",
    "action", "photos", "photo_unavailable", "none", "veto", "score", "percent", "page",
    "generated",
)  # fmt: skip
STORE_LABEL_KEYS = (
    *INSPECTION_LABEL_KEYS,
    *("trend", "period", "count", "stars", "staff", "name", "observations", "failures"),
)

FONT = "STSong-Light"
MAX_STARS = 5
MARGIN = 15 * mm
CONTENT_WIDTH = A4[0] - 2 * MARGIN
PHOTO_BOX = 40 * mm  # a thumbnail's longer side as printed
PHOTOS_PER_ROW = 3
GOLD, STAR_OFF, RED = "#c9a000", "#b8b8b8", "#b03a2e"
GRID, HEAD_BG, VETO_BG = (
    colors.HexColor("#c3ccd6"),
    colors.HexColor("#e9eef4"),
    colors.HexColor("#fbeceb"),
)
MUTED = colors.HexColor("#666666")


@dataclass(frozen=True)
class PhotoThumb:
    """A JPEG thumbnail (about 320 px on the long side) and its caption."""

    jpeg: bytes
    caption: str = ""


@dataclass(frozen=True)
class FindingRow:
    """A failed checklist item with its evidence and follow-up states, all texts preformatted."""

    section: str
    item_id: str
    text: str
    points_lost: str
    comment: str
    employee_no: str | None
    photos: tuple[PhotoThumb, ...] = ()
    appeal_status: str | None = None  # already translated, e.g. "申诉中", "申诉成立"
    action_status: str | None = None  # e.g. "待整改", "已整改", "已验证"
    is_veto: bool = False  # a failed veto item: marked with labels["veto"]


@dataclass(frozen=True)
class SectionRow:
    """A section's score, preformatted."""

    title: str
    earned: str
    possible: str
    percent: str


@dataclass(frozen=True)
class InspectionReport:
    """Everything one inspection's PDF shows; the caller decides which facts to include."""

    title: str
    store_line: str
    facts: tuple[tuple[str, str], ...]
    stars: int | None
    percent: str
    is_vetoed: bool
    sections: tuple[SectionRow, ...]
    findings: tuple[FindingRow, ...]
    labels: dict[str, str]
    generated_at: str


@dataclass(frozen=True)
class TrendPoint:
    """One period of a store's trend."""

    period: str
    count: int
    percent: str
    stars: int | None


@dataclass(frozen=True)
class StoreReport:
    """Everything one store's period PDF shows."""

    title: str
    store_line: str
    period: str
    facts: tuple[tuple[str, str], ...]
    stars: int | None
    trend: tuple[TrendPoint, ...]
    sections: tuple[SectionRow, ...]
    findings: tuple[FindingRow, ...]
    staff: tuple[tuple[str, ...], ...]  # 工号, name, observations, score, failures
    labels: dict[str, str]
    generated_at: str


def build_inspection_pdf(report: InspectionReport) -> bytes:
    """Return an inspection's report as PDF bytes."""
    labels, style = report.labels, _styles()
    story: list[Flowable] = [
        *_masthead(report.title, (report.store_line,), style),
        _p(_rating_markup(report.stars, report.percent, report.is_vetoed, labels), style.rating),
        _facts_table(report.facts, style),
        *_sections_block(report.sections, labels, style),
        *_findings_block(report.findings, labels, style),
    ]
    return _render(story, report.title, report.store_line, labels, report.generated_at)


def build_store_pdf(report: StoreReport) -> bytes:
    """Return a store's period report as PDF bytes."""
    labels, style = report.labels, _styles()
    story: list[Flowable] = [
        *_masthead(report.title, (report.store_line, report.period), style),
        _p(_rating_markup(report.stars, "", False, labels), style.rating),
        _facts_table(report.facts, style),
        _heading(labels, "trend", style),
        _data_table(
            ("period", "count", "percent", "stars"),
            [(p.period, str(p.count), p.percent, _stars_markup(p.stars)) for p in report.trend],
            (50, 30, 40, 60),
            labels,
            style,
            markup_columns={3},
        ),
        *_sections_block(report.sections, labels, style),
        *_findings_block(report.findings, labels, style),
        _heading(labels, "staff", style),
        _data_table(
            ("employee_no", "name", "observations", "score", "failures"),
            report.staff,
            (30, 60, 30, 30, 30),
            labels,
            style,
        ),
    ]
    header_right = f"{report.store_line} · {report.period}"
    return _render(story, report.title, header_right, labels, report.generated_at)


class _Styles(NamedTuple):
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    rating: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    number: ParagraphStyle
    caption: ParagraphStyle


@cache
def _styles() -> _Styles:
    """Register the CID font once and return the paragraph styles."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, wordWrap="CJK")
    cell = ParagraphStyle("cell", body, fontSize=8.5, leading=11.5)
    return _Styles(
        title=ParagraphStyle("title", body, fontSize=18, leading=24, spaceAfter=2),
        subtitle=ParagraphStyle("subtitle", body, fontSize=11, leading=15, textColor=MUTED),
        heading=ParagraphStyle(
            "heading", body, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4
        ),
        rating=ParagraphStyle("rating", body, fontSize=18, leading=26, spaceBefore=6, spaceAfter=4),
        body=body,
        cell=cell,
        number=ParagraphStyle("number", cell, alignment=TA_RIGHT),
        caption=ParagraphStyle("caption", cell, fontSize=7.5, leading=10, textColor=MUTED),
    )


def _label(labels: Mapping[str, str], key: str) -> str:
    return labels.get(key, key)


def _printable(text: str) -> str:
    """Drop control characters and show characters STSong-Light lacks (beyond the BMP) as □."""
    out = []
    for char in text.replace("\r\n", "\n").replace("\t", " "):
        if ord(char) > 0xFFFF:
            out.append("□")  # otherwise reportlab would print unrelated CJK glyphs for an emoji
        elif char == "\n" or unicodedata.category(char) not in ("Cc", "Cf", "Cs"):
            out.append(char)
    return "".join(out)


def _text(text: str) -> str:
    """Return user text as Paragraph markup that shows literally, line breaks kept."""
    return escape(_printable(text)).replace("\n", "<br/>")


def _p(markup: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(markup, style)


def _heading(labels: Mapping[str, str], key: str, style: _Styles) -> Paragraph:
    return _p(_text(_label(labels, key)), style.heading)


def _masthead(title: str, lines: Iterable[str], style: _Styles) -> list[Flowable]:
    return [_p(_text(title), style.title), *(_p(_text(line), style.subtitle) for line in lines)]


def _stars_markup(stars: int | None) -> str:
    if stars is None:
        return "—"
    earned = max(0, min(MAX_STARS, stars))
    parts = []
    if earned:
        parts.append(f'<font color="{GOLD}">{"★" * earned}</font>')
    if earned < MAX_STARS:
        parts.append(f'<font color="{STAR_OFF}">{"☆" * (MAX_STARS - earned)}</font>')
    return "".join(parts)


def _veto_markup(labels: Mapping[str, str]) -> str:
    return f'<font color="{RED}">【{_text(_label(labels, "veto"))}】</font>'


def _rating_markup(
    stars: int | None, percent: str, is_vetoed: bool, labels: Mapping[str, str]
) -> str:
    parts = [_stars_markup(stars) if stars is not None else "", _text(percent)]
    if is_vetoed:
        parts.append(_veto_markup(labels))
    return "&nbsp;&nbsp;".join(part for part in parts if part)


def _grid(
    rows: Sequence[Sequence[Any]], widths_mm: Sequence[float], extra: Iterable[tuple] = ()
) -> Table:
    """Return a ruled table whose first row is a header repeated on each page."""
    table = Table(list(rows), colWidths=[w * mm for w in widths_mm], repeatRows=1, hAlign="LEFT")
    table.setStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, GRID),
            ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            *((side, (0, 0), (-1, -1), 3) for side in ("LEFTPADDING", "RIGHTPADDING")),
            *((side, (0, 0), (-1, -1), 2.5) for side in ("TOPPADDING", "BOTTOMPADDING")),
            *extra,
        ]
    )
    return table


def _facts_table(facts: Sequence[tuple[str, str]], style: _Styles) -> Flowable:
    """Lay the label/value pairs out two to a row."""
    if not facts:
        return Spacer(0, 0)
    cells = [
        (_p(_text(label), style.caption), _p(_text(value), style.cell)) for label, value in facts
    ]
    rows = [
        [*cells[i], *(cells[i + 1] if i + 1 < len(cells) else ("", ""))]
        for i in range(0, len(cells), 2)
    ]
    table = Table(rows, colWidths=[24 * mm, 66 * mm] * 2, hAlign="LEFT")
    table.setStyle(
        [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID)]
    )
    return table


def _data_table(
    keys: Sequence[str],
    rows: Iterable[Sequence[str]],
    widths_mm: Sequence[float],
    labels: Mapping[str, str],
    style: _Styles,
    markup_columns: frozenset[int] | set[int] = frozenset(),
) -> Flowable:
    """Return a plain table with headers from ``labels``, or the "none" label when empty."""
    body = []
    for row in rows:
        cells = [*row, *[""] * len(keys)][: len(keys)]
        body.append(
            [
                _p(cell if i in markup_columns else _text(cell), style.cell)
                for i, cell in enumerate(cells)
            ]
        )
    if not body:
        return _p(_text(_label(labels, "none")), style.body)
    header = [_p(_text(_label(labels, key)), style.cell) for key in keys]
    return _grid([header, *body], widths_mm)


def _sections_block(
    sections: Sequence[SectionRow], labels: Mapping[str, str], style: _Styles
) -> list[Flowable]:
    rows = [(s.title, f"{s.earned} / {s.possible}", s.percent) for s in sections]
    return [
        _heading(labels, "sections", style),
        _data_table(("section", "score", "percent"), rows, (110, 35, 35), labels, style),
    ]


def _findings_block(
    findings: Sequence[FindingRow], labels: Mapping[str, str], style: _Styles
) -> list[Flowable]:
    """Return the findings table: one row per failed item, its photos in a row beneath it."""
    heading = _heading(labels, "findings", style)
    if not findings:
        return [heading, _p(_text(_label(labels, "none")), style.body)]
    status_head = f"{_label(labels, 'appeal')} / {_label(labels, 'action')}"
    keys = ("section", "item", "lost", "comment", "employee_no")
    rows: list[list[Any]] = [
        [
            *(_p(_text(_label(labels, k)), style.cell) for k in keys),
            _p(_text(status_head), style.cell),
        ]
    ]
    extra: list[tuple] = []
    for finding in findings:
        index = len(rows)
        item = f'<font size="7" color="#666666">{_text(finding.item_id)}</font><br/>'
        if finding.is_veto:
            item += _veto_markup(labels)
            extra.append(("BACKGROUND", (0, index), (-1, index), VETO_BG))
        statuses = [s for s in (finding.appeal_status, finding.action_status) if s]
        rows.append(
            [
                _p(_text(finding.section), style.cell),
                _p(item + _text(finding.text), style.cell),
                _p(_text(finding.points_lost), style.number),
                _p(_text(finding.comment), style.cell),
                _p(_text(finding.employee_no or "—"), style.cell),
                _p("<br/>".join(_text(s) for s in statuses) or "—", style.cell),
            ]
        )
        if finding.photos:
            strip = _photo_strip(finding.photos, labels, style)
            rows.append([_p(_text(_label(labels, "photos")), style.caption), strip, "", "", "", ""])
            extra += [
                ("SPAN", (1, index + 1), (-1, index + 1)),
                ("NOSPLIT", (0, index), (-1, index + 1)),
            ]
    return [heading, _grid(rows, (24, 52, 14, 44, 18, 28), extra)]


def _photo_strip(photos: Sequence[PhotoThumb], labels: Mapping[str, str], style: _Styles) -> Table:
    """Return the thumbnails side by side, ``PHOTOS_PER_ROW`` to a row, each over its caption."""
    cells: list[Any] = [_photo_cell(photo, labels, style) for photo in photos]
    cells += [""] * (-len(cells) % PHOTOS_PER_ROW)
    rows = [cells[i : i + PHOTOS_PER_ROW] for i in range(0, len(cells), PHOTOS_PER_ROW)]
    table = Table(rows, colWidths=[PHOTO_BOX + 10 * mm] * PHOTOS_PER_ROW, hAlign="LEFT")
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    return table


def _photo_cell(photo: PhotoThumb, labels: Mapping[str, str], style: _Styles) -> list[Flowable]:
    """Return a thumbnail over its caption, or a note that the photo is unavailable."""
    image = _thumbnail(photo.jpeg)
    captions = [photo.caption] if image else [_label(labels, "photo_unavailable"), photo.caption]
    return [
        *([image] if image else []),
        *(_p(_text(c), style.caption) for c in captions if c),
    ]


def _thumbnail(data: bytes) -> Image | None:
    """Return a flowable at most ``PHOTO_BOX`` on its longer side, or None if Pillow cannot read it."""
    try:
        with PILImage.open(io.BytesIO(data)) as picture:
            picture.load()  # decode fully: a truncated file fails here, not inside doc.build
            width, height = picture.size
            if picture.format != "JPEG":  # JPEG goes in as it is; anything else is re-encoded
                buffer = io.BytesIO()
                picture.convert("RGB").save(buffer, format="JPEG", quality=85)
                data = buffer.getvalue()
    except (OSError, ValueError, SyntaxError, PILImage.DecompressionBombError):
        return None
    scale = PHOTO_BOX / max(width, height)
    return Image(io.BytesIO(data), width=width * scale, height=height * scale)


class _ReportCanvas(Canvas):
    """A canvas that holds its pages back so each can carry the header and "n / N"."""

    def __init__(
        self, *args: Any, header: tuple[str, str], footer: str, page_label: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._header, self._footer, self._page_label = header, footer, page_label
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_furniture(number, total)
            super().showPage()
        super().save()

    def _draw_furniture(self, number: int, total: int) -> None:
        width, height = A4
        left, right = MARGIN, width - MARGIN
        self.saveState()
        self.setStrokeColor(GRID)
        self.setLineWidth(0.5)
        self.line(left, height - 14 * mm, right, height - 14 * mm)
        self.line(left, 12 * mm, right, 12 * mm)
        self.setFillColor(MUTED)
        self.setFont(FONT, 8.5)
        title, right_text = self._header
        self.drawString(left, height - 12 * mm, title)
        room = CONTENT_WIDTH - self.stringWidth(title, FONT, 8.5) - 10 * mm
        self.drawRightString(right, height - 12 * mm, _fit(right_text, room, 8.5))
        self.drawString(left, 8 * mm, self._footer)
        self.drawRightString(right, 8 * mm, f"{self._page_label} {number} / {total}")
        self.restoreState()


def _fit(text: str, width: float, size: float) -> str:
    """Return text cut with an ellipsis to fit in width points."""
    if pdfmetrics.stringWidth(text, FONT, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", FONT, size) > width:
        text = text[:-1]
    return text + "…"


def _render(
    story: list[Flowable],
    title: str,
    header_right: str,
    labels: Mapping[str, str],
    generated_at: str,
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
        title=_printable(title),
        creator="inspect_app",
        invariant=1,
    )
    canvasmaker = partial(
        _ReportCanvas,
        header=(_printable(title), _printable(header_right)),
        footer=_printable(f"{_label(labels, 'generated')} {generated_at}"),
        page_label=_printable(_label(labels, "page")),
    )
    doc.build(story, canvasmaker=canvasmaker)
    return buffer.getvalue()
