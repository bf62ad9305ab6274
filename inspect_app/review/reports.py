"""Turn a visit into the plain rows the PDF writer takes (and send the bytes)."""

from __future__ import annotations

from datetime import tzinfo
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from inspect_app.calendar import format_instant, now_in
from inspect_app.checklists.answer_text import answer_in_words
from inspect_app.checklists.answer_text import points_text as points
from inspect_app.checklists.definition import ChecklistDefinition
from inspect_app.inspections.models import Inspection, PhotoPurpose
from inspect_app.inspections.storage import PhotoStorage
from inspect_app.reports.pdf import (
    FindingRow,
    InspectionReport,
    PhotoThumb,
    RemarkRow,
    SectionRow,
)
from inspect_app.review.models import Appeal, CorrectiveActionItem
from inspect_app.scoring.inspection import InspectionScore


def _percent(value) -> str:
    return "—" if value is None else f"{float(value):.1f}%"


def pdf_labels() -> dict[str, str]:
    return {
        "sections": _("Sections"),
        "findings": _("Failed items"),
        "section": _("Section"),
        "item": _("Item"),
        "lost": _("Points lost"),
        "comment": _("Comment"),
        "employee_no": _("Employee no."),
        "appeal": _("Appeal"),
        "action": _("Corrective action"),
        "photos": _("Photos"),
        "none": _("None"),
        "veto": _("Veto"),
        "page": _("Page"),
        "generated": _("Generated"),
        "staff": _("Staff"),
        "trend": _("Trend"),
        "score": _("Points"),
        "percent": _("Score"),
        "photo_unavailable": _("Photo unavailable"),
        "period": _("Period"),
        "count": _("Inspections"),
        "stars": _("Stars"),
        "name": _("Name"),
        "observations": _("Observations"),
        "failures": _("Failures"),
        "remarks": _("Remarks and comments"),
        "answer": _("Answer"),
    }


def thumbnails(photos, storage: PhotoStorage, limit: int = 4) -> tuple[PhotoThumb, ...]:
    out = []
    for photo in photos[:limit]:
        try:
            out.append(PhotoThumb(storage.get(photo.thumbnail_key)))
        except (FileNotFoundError, ValueError):
            continue
    return tuple(out)


def visit_time(inspection: Inspection, tz: tzinfo) -> str:
    """The visit's arrival and departure as the pages show them: "2026-03-14 21:20–21:55"
    (the halls' time, calendar.DISPLAY_FORMAT); "" when the arrival is not recorded."""
    if inspection.visit_started_at is None:
        return ""
    text = format_instant(inspection.visit_started_at, tz)
    if inspection.visit_ended_at is not None:
        text += "–" + format_instant(inspection.visit_ended_at, tz, "%H:%M")
    return text


def remark_rows(
    inspection: Inspection, definition: ChecklistDefinition, lang: str
) -> tuple[RemarkRow, ...]:
    """The free-text answers and the comments on items that did not fail, in checklist order.

    Failed items print with their comments among the findings; these are the rest of what the
    inspector typed (the overall remark, a note on a passed item), read with the visit's version.
    """
    answers = {a.item_id: a for a in inspection.answers if not a.is_failed}
    rows = []
    for item in definition.items:
        answer = answers.get(item.id)
        if answer is None:
            continue
        free_text = not item.item_type.scored and isinstance(answer.value, str) and answer.value
        if not free_text and not answer.comment:
            continue
        rows.append(
            RemarkRow(
                item=item.label(lang),
                answer="" if free_text else answer_in_words(item, answer.value, lang),
                text="\n".join(t for t in (free_text or "", answer.comment or "") if t),
            )
        )
    return tuple(rows)


def inspection_report(
    inspection: Inspection,
    definition: ChecklistDefinition,
    score: InspectionScore,
    *,
    appeals: dict[int, list[Appeal]],
    actions: dict[int, CorrectiveActionItem],
    storage: PhotoStorage,
    lang: str,
    tz: ZoneInfo,
    show_inspector: bool,
    labels_of: dict[str, dict],
) -> InspectionReport:
    """Collect what the PDF shows; the inspector is named only for those who may know."""
    facts = [
        (_("Visit date"), str(inspection.visit_date or "—")),
        (_("Checklist"), f"{definition.label(lang)} v{inspection.checklist_version.number}"),
        (_("Status"), str(labels_of["status"].get(str(inspection.status), inspection.status))),
        (_("Score"), _percent(inspection.score_percent)),
    ]
    if inspection.visit_started_at:
        facts.insert(1, (_("Time"), visit_time(inspection, tz)))
    if show_inspector:
        facts.append((_("Inspector"), inspection.inspector.display_name))
    section_titles = {s.id: s.label(lang) for s in definition.sections}
    sections = tuple(
        SectionRow(
            section_titles[s.section_id], f"{s.earned}", f"{s.possible}", _percent(s.percent)
        )
        for s in score.sections
    )
    evidence = {}
    for photo in inspection.photos:
        if photo.purpose == PhotoPurpose.EVIDENCE and photo.item_id:
            evidence.setdefault(photo.item_id, []).append(photo)
    findings = []
    for answer in inspection.answers:
        if not answer.is_failed:
            continue
        item = definition.item(answer.item_id)
        item_appeals = appeals.get(answer.id, [])
        action = actions.get(answer.id)
        findings.append(
            FindingRow(
                section=section_titles[item.section_id],
                item_id=item.id,
                text=item.label(lang),
                points_lost=points(answer.points_possible - answer.points_earned),
                comment=answer.comment or "",
                employee_no=answer.employee_no,
                is_veto=answer.is_veto_failed,
                photos=thumbnails(evidence.get(item.id, []), storage),
                appeal_status=str(labels_of["appeal"][str(item_appeals[-1].status)])
                if item_appeals
                else None,
                action_status=str(labels_of["action"][str(action.status)]) if action else None,
            )
        )
    stars = (
        definition.rating.stars_for(inspection.score_percent)
        if inspection.score_percent is not None
        else None
    )
    return InspectionReport(
        remarks=remark_rows(inspection, definition, lang),
        title=_("Business hall mystery-shop report"),
        store_line=f"{inspection.store.name}（{inspection.store.code}）· {inspection.store.region.name}",
        facts=tuple(facts),
        stars=stars,
        percent=_percent(inspection.score_percent),
        is_vetoed=inspection.is_vetoed,
        sections=sections,
        findings=tuple(findings),
        labels=pdf_labels(),
        generated_at=format_instant(now_in(tz), tz),
    )
