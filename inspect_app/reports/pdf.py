"""PDF reports: one inspection's findings and one store's period summary, as bytes.

The public API: the frozen dataclasses a caller fills in, and the two writers. Pure: plain rows
in, PDF bytes out; no Flask, no database, no gettext. Every text comes from the caller already
formatted and translated, headings through ``labels`` (keys in ``INSPECTION_LABEL_KEYS`` and
``STORE_LABEL_KEYS``; a missing key prints as the key itself, so a forgotten translation shows up
in the PDF instead of crashing it). Layout lives in `pdf_layout` (what both reports share),
`pdf_inspection` and `pdf_store`. Text is set in the TrueType fonts of the PDF_FONTS setting,
embedded as subsets, each character in the first font that has it (`fonts`); without those
fonts, in reportlab's CID font STSong-Light, which PDF readers supply. No font is downloaded. Equal input
and fonts give equal bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspect_app.reports.pdf_inspection import INSPECTION_LABEL_KEYS, build_inspection_pdf
from inspect_app.reports.pdf_store import STORE_LABEL_KEYS, build_store_pdf

__all__ = [
    "INSPECTION_LABEL_KEYS",
    "STORE_LABEL_KEYS",
    "FindingRow",
    "InspectionReport",
    "PhotoThumb",
    "RemarkRow",
    "SectionRow",
    "StoreReport",
    "TrendPoint",
    "build_inspection_pdf",
    "build_store_pdf",
]


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
    is_veto: bool = False  # a failed veto item: marked 【labels["veto"]】 on a red ground


@dataclass(frozen=True)
class SectionRow:
    """A section's score, preformatted; earned and possible may both be "" (averages)."""

    title: str
    earned: str
    possible: str
    percent: str


@dataclass(frozen=True)
class RemarkRow:
    """An item that did not fail but carries words: a free-text answer or a comment."""

    item: str  # the item's text in the visit's own checklist version
    answer: str  # the answer in words (合格, 4 星 …), "" for a free-text item
    text: str  # the free text as typed, then the comment, one per line


@dataclass(frozen=True)
class InspectionReport:
    """Everything one inspection's PDF shows; the caller decides which facts to include."""

    title: str  # e.g. "营业厅暗访报告"
    store_line: str  # e.g. "解放路营业厅（330101001）· 城东片区"
    facts: tuple[tuple[str, str], ...]  # label/value pairs, in order
    stars: int | None
    percent: str  # e.g. "94.2%"
    is_vetoed: bool
    sections: tuple[SectionRow, ...]
    findings: tuple[FindingRow, ...]
    labels: dict[str, str]  # INSPECTION_LABEL_KEYS, translated
    generated_at: str
    #: Remarks and comments on items that did not fail, so every word typed is printed.
    remarks: tuple[RemarkRow, ...] = ()
    #: The reviewer's note to the hall (Inspection.hall_note); the notes to the inspector never.
    hall_note: str = ""


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
    facts: tuple[tuple[str, str], ...]  # inspections, mean, interval, stars, ranks ...
    stars: int | None
    trend: tuple[TrendPoint, ...]
    sections: tuple[SectionRow, ...]  # averaged over the period
    findings: tuple[FindingRow, ...]  # the period's failed items, with thumbnails
    staff: tuple[tuple[str, ...], ...]  # 工号, name, person-items, score, failed, veto
    labels: dict[str, str]  # STORE_LABEL_KEYS, translated
    generated_at: str
