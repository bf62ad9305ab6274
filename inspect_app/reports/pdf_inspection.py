"""The inspection PDF: rating, facts, sections, failed items with their photos, remarks.

Import the report types and writers from `inspect_app.reports.pdf`. This module takes those types
only as annotations, so `pdf` can import the writers without a cycle. The layout both reports
share (styles, tables, the writer, page header and footer) is in `pdf_layout`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, Table

from inspect_app.reports.fonts import FontChain
from inspect_app.reports.pdf_layout import (
    COMMENT_LINE_CHARS,
    COMMENT_LINES,
    PHOTO_BOX,
    PHOTOS_PER_ROW,
    VETO_BG,
    PdfWriter,
    plain,
    ruled_table,
    table_in,
)

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
    "generated", "remarks", "answer", "hall_note",
)  # fmt: skip


def build_inspection_pdf(report: InspectionReport, fonts: FontChain | None = None) -> bytes:
    """Return an inspection's report as PDF bytes, set in fonts (default: the PDF_FONTS setting)."""
    writer = PdfWriter(report.labels, fonts)
    story = [
        *writer.masthead(report.title, report.store_line),
        writer.rating(report.stars, report.percent, report.is_vetoed),
        writer.facts(report.facts),
        *hall_note_block(writer, report.hall_note),
        *sections_block(writer, report.sections),
        *findings_block(writer, report.findings),
        *remarks_block(writer, report.remarks),
    ]
    return writer.render(story, report.title, report.store_line, report.generated_at)


def hall_note_block(writer: PdfWriter, note: str) -> list[Flowable]:
    """Return the reviewer's note to the hall under its heading, a paragraph a line; nothing
    when there is none."""
    lines = [line for line in note.replace("\r\n", "\n").split("\n") if line.strip()]
    if not lines:
        return []
    return [writer.heading("hall_note"), *(writer.text(line, writer.style.body) for line in lines)]


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
    item = writer.veto_markup() if finding.is_veto else ""
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
