"""The report assembler: a visit, or a hall's period, turned into the plain rows the PDF
writers take (`reports.pdf`). Finding rows are built here once, by `finding_row`, for both PDFs.

Texts come translated (gettext in the request's language), answers read with their own visit's
checklist version; the writers do no lookups.
"""

from __future__ import annotations

from datetime import tzinfo
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from inspect_app.calendar import format_instant, halls_now, now_in
from inspect_app.checklists.answer_text import answer_in_words
from inspect_app.checklists.answer_text import points_text as points
from inspect_app.checklists.definition import ChecklistDefinition, RatingRules
from inspect_app.checklists.models import Checklist
from inspect_app.checklists.version_texts import Definitions
from inspect_app.inspections.models import Answer, Inspection
from inspect_app.periods import Period
from inspect_app.photos.models import Photo, PhotoPurpose
from inspect_app.photos.storage import PhotoStorage
from inspect_app.ratings.findings import Finding, hall_findings, section_figures
from inspect_app.ratings.staff_queries import staff_period_ratings
from inspect_app.ratings.store_queries import StorePeriodRating, store_history, store_rank
from inspect_app.reports.pdf import (
    FindingRow,
    InspectionReport,
    PhotoThumb,
    RemarkRow,
    SectionRow,
    StoreReport,
    TrendPoint,
)
from inspect_app.review.models import Appeal, CorrectiveActionItem
from inspect_app.scoring.inspection import InspectionScore
from inspect_app.scoring.ratings import StoreRating, shown_percent
from inspect_app.stores.models import Store
from inspect_app.templating import ACTION_LABELS, APPEAL_LABELS, STATUS_LABELS

#: Most failed items the store report lists, and thumbnails per item in it.
STORE_REPORT_FINDINGS = 40
STORE_REPORT_PHOTOS = 2


def _percent(value) -> str:
    """A percentage as pages show it: one decimal, rounded half-up (shown_percent)."""
    return "—" if value is None else f"{shown_percent(value)}%"


def pdf_labels() -> dict[str, str]:
    """The headings both PDFs print, translated (keys of INSPECTION_ and STORE_LABEL_KEYS)."""
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
        "score": _("Points earned / possible"),
        "percent": _("Score rate"),
        "photo_unavailable": _("Photo unavailable"),
        "period": _("Period"),
        "count": _("Inspections"),
        "stars": _("Stars"),
        "name": _("Name"),
        "observations": _("Observations"),
        "failures": _("Failures"),
        "remarks": _("Remarks and comments"),
        "answer": _("Answer"),
        "hall_note": _("Reviewer’s note to the hall"),
    }


def thumbnails(
    photos: list[Photo], storage: PhotoStorage, limit: int = 4
) -> tuple[PhotoThumb, ...]:
    """The first `limit` photos' stored thumbnails; a photo whose file is gone is left out."""
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


def finding_row(
    answer: Answer,
    *,
    section: str,
    text: str,
    photos: tuple[PhotoThumb, ...],
    appeal: Appeal | None,
    action_item: CorrectiveActionItem | None,
) -> FindingRow:
    """One failed item as both PDFs print it: its section and item text (already in the right
    version's words), points lost, comment, 工号, veto, thumbnails, and its newest appeal's and
    corrective-action item's states in words (None where there is none)."""
    return FindingRow(
        section=section,
        item_id=answer.item_id,
        text=text,
        points_lost=points(answer.points_possible - answer.points_earned),
        comment=answer.comment or "",
        employee_no=answer.employee_no,
        is_veto=answer.is_veto_failed,
        photos=photos,
        appeal_status=str(APPEAL_LABELS[str(appeal.status)]) if appeal else None,
        action_status=str(ACTION_LABELS[str(action_item.status)]) if action_item else None,
    )


def _visit_facts(
    inspection: Inspection, definition: ChecklistDefinition, lang: str, tz: tzinfo, inspector: bool
) -> tuple[tuple[str, str], ...]:
    """The visit report's facts: date, time, checklist and version, status, score, inspector."""
    facts = [
        (_("Visit date"), str(inspection.visit_date or "—")),
        (_("Checklist"), f"{definition.label(lang)} v{inspection.checklist_version.number}"),
        (_("Status"), str(STATUS_LABELS.get(str(inspection.status), inspection.status))),
        (_("Score rate"), _percent(inspection.score_percent)),
    ]
    if inspection.visit_started_at:
        facts.insert(1, (_("Time"), visit_time(inspection, tz)))
    if inspector:
        facts.append((_("Inspector"), inspection.inspector.display_name))
    return tuple(facts)


def _visit_findings(
    inspection: Inspection,
    definition: ChecklistDefinition,
    appeals: dict[int, list[Appeal]],
    actions: dict[int, CorrectiveActionItem],
    storage: PhotoStorage,
    lang: str,
) -> tuple[FindingRow, ...]:
    """The visit's failed items in answer order, each with up to four evidence thumbnails."""
    evidence: dict[str, list[Photo]] = {}
    for photo in inspection.photos:
        if photo.purpose == PhotoPurpose.EVIDENCE and photo.item_id:
            evidence.setdefault(photo.item_id, []).append(photo)
    section_titles = {s.id: s.label(lang) for s in definition.sections}
    rows = []
    for answer in inspection.answers:
        if not answer.is_failed:
            continue
        item = definition.item(answer.item_id)
        item_appeals = appeals.get(answer.id, [])
        rows.append(
            finding_row(
                answer,
                section=section_titles[item.section_id],
                text=item.label(lang),
                photos=thumbnails(evidence.get(item.id, []), storage),
                appeal=item_appeals[-1] if item_appeals else None,
                action_item=actions.get(answer.id),
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
) -> InspectionReport:
    """Collect what the visit's PDF shows; the inspector is named only for those who may know.

    `appeals` and `actions` are by answer id (all appeals oldest first; the visit's corrective
    action's items); `definition` is the visit's own checklist version.
    """
    section_titles = {s.id: s.label(lang) for s in definition.sections}
    sections = tuple(
        SectionRow(
            section_titles[s.section_id], points(s.earned), points(s.possible), _percent(s.percent)
        )
        for s in score.sections
    )
    stars = (
        definition.rating.stars_for(inspection.score_percent)
        if inspection.score_percent is not None
        else None
    )
    store = inspection.store
    return InspectionReport(
        remarks=remark_rows(inspection, definition, lang),
        hall_note=inspection.hall_note or "",
        title=_("Business hall mystery-shop report"),
        store_line=f"{store.name}（{store.code}）· {store.region.name}",
        facts=_visit_facts(inspection, definition, lang, tz, show_inspector),
        stars=stars,
        percent=_percent(inspection.score_percent),
        is_vetoed=inspection.is_vetoed,
        sections=sections,
        findings=_visit_findings(inspection, definition, appeals, actions, storage, lang),
        labels=pdf_labels(),
        generated_at=format_instant(now_in(tz), tz),
    )


def _store_facts(
    checklist_label: str, current: StoreRating, rank: StorePeriodRating | None
) -> tuple[tuple[str, str], ...]:
    """The store report's facts: checklist, visits, mean score, its 90% interval and ranks."""
    ranked_in_region = rank is not None and rank.rank_in_region
    return (
        (_("Checklist"), checklist_label),
        (_("Inspections"), str(current.count)),
        (_("Mean score"), _percent(current.mean_percent)),
        (
            # gettext with no variables does no %-formatting: "%%" would print as is.
            _("%(level)s%% interval", level=90),
            "—"
            if current.ci_low is None
            else f"{shown_percent(current.ci_low)}–{shown_percent(current.ci_high)}",
        ),
        (
            _("Rank in region"),
            f"{rank.rank_in_region} / {rank.region_size}" if ranked_in_region else "—",
        ),
        (_("Rank overall"), str(rank.rank_overall) if rank and rank.rank_overall else "—"),
    )


def _store_findings(
    store_id: int, period: Period, lang: str, definitions: Definitions, storage: PhotoStorage
) -> tuple[FindingRow, ...]:
    """The hall's failed items of the period (`ratings.findings.hall_findings`, the dashboard's
    list), each section labelled with its checklist version when they span several."""
    found = hall_findings(store_id, period, lang, definitions, limit=STORE_REPORT_FINDINGS)
    rows = []
    for finding in found.findings:
        answer = finding.answer
        photos = found.photos.get((answer.inspection_id, answer.item_id), [])
        rows.append(
            finding_row(
                answer,
                section=_finding_section(finding, found.labelled),
                text=finding.item_text,
                photos=thumbnails(photos, storage, limit=STORE_REPORT_PHOTOS),
                appeal=finding.appeal,
                action_item=finding.action_item,
            )
        )
    return tuple(rows)


def _finding_section(finding: Finding, labelled: bool) -> str:
    """The finding's section title, with its checklist and version when `labelled`."""
    if labelled:
        return f"{finding.section_title}（{finding.version_label}）"
    return finding.section_title


def _staff_lines(period: Period, store_id: int) -> tuple[tuple[str, ...], ...]:
    """The hall's people for the period: 工号, name, person-items, score, failed, veto."""
    return tuple(
        (
            s.employee_no,
            s.name,
            str(s.rating.tally.person_items),
            _percent(shown_percent(s.rating.percent))
            + ("" if s.rating.is_enough else " · " + _("Too few")),
            str(s.rating.tally.failed_items),
            str(s.rating.tally.veto_findings),
        )
        for s in staff_period_ratings(period, store_ids=[store_id])
    )


def store_report(
    store: Store,
    checklist: Checklist,
    period: Period,
    rules: RatingRules,
    *,
    storage: PhotoStorage,
    lang: str,
) -> StoreReport:
    """Collect what the hall's period PDF shows (no inspector names): the checklist's rating,
    ranks, trend over 12 periods and sections, every failed item of the period (whichever
    checklist, at most STORE_REPORT_FINDINGS) in its own version's words, and the staff."""
    definitions = Definitions()
    history = store_history(store.id, checklist.id, period.history(12), rules)
    current = history[-1][1]
    rank = store_rank(period, checklist.id, rules, store.id)
    facts = _store_facts(definitions(checklist.active_version).label(lang), current, rank)
    findings = _store_findings(store.id, period, lang, definitions, storage)
    sections = section_figures(store.id, period, checklist, lang, definitions)
    return StoreReport(
        title=_("Business hall rating report"),
        store_line=f"{store.name}（{store.code}）· {store.region.name}",
        period=period.key,
        facts=facts,
        stars=current.stars,
        trend=tuple(
            TrendPoint(p.key, r.count, _percent(r.mean_percent), r.stars) for p, r in history
        ),
        sections=tuple(SectionRow(s.title, "", "", _percent(s.percent)) for s in sections),
        findings=findings,
        staff=_staff_lines(period, store.id),
        labels=pdf_labels(),
        generated_at=format_instant(halls_now()),
    )
