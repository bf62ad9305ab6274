"""The store PDF for a period: rating, facts, trend, section averages, failed items and staff.

Import the report types and writers from `inspect_app.reports.pdf`; the layout is shared with the
inspection report in `pdf_layout` and `pdf_inspection`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspect_app.reports.fonts import FontChain
from inspect_app.reports.pdf_inspection import INSPECTION_LABEL_KEYS, findings_block, sections_block
from inspect_app.reports.pdf_layout import PdfWriter, stars_markup

if TYPE_CHECKING:
    from inspect_app.reports.pdf import StoreReport

#: The labels a store report uses.
STORE_LABEL_KEYS = (
    *INSPECTION_LABEL_KEYS,
    *("trend", "period", "count", "stars", "staff", "name", "observations", "failures"),
)


def build_store_pdf(report: StoreReport, fonts: FontChain | None = None) -> bytes:
    """Return a store's period report as PDF bytes, set in fonts (default: the PDF_FONTS setting)."""
    writer = PdfWriter(report.labels, fonts)
    trend = [(p.period, str(p.count), p.percent, stars_markup(p.stars)) for p in report.trend]
    # One row per person observed at this hall: 工号, name, person-items, score, failed, veto.
    staff_keys = ("employee_no", "name", "observations", "percent", "failures", "veto")
    story = [
        *writer.masthead(report.title, report.store_line, report.period),
        writer.rating(report.stars),
        writer.facts(report.facts),
        writer.heading("trend"),
        writer.table(("period", "count", "percent", "stars"), trend, (50, 30, 40, 60), {3}),
        *sections_block(writer, report.sections),
        *findings_block(writer, report.findings),
        writer.heading("staff"),
        writer.table(staff_keys, report.staff, (26, 44, 26, 40, 22, 22)),
    ]
    header_right = f"{report.store_line} · {report.period}"
    return writer.render(story, report.title, header_right, report.generated_at)
