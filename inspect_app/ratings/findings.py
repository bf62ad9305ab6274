"""A hall's findings and section figures, each read with the checklist version it was made with.

A period can span several versions of a checklist (an item dropped or reworded in between) and
several checklists. Every answer keeps the version of its visit (`Inspection.checklist_version`),
so its item and section text come from that version, never from the version in use today: an
item the newer version dropped still has its text, and no page looks an answer up where it
cannot be found.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from inspect_app.checklists.models import Checklist, ChecklistVersion
from inspect_app.checklists.version_texts import Definitions, item_texts
from inspect_app.extensions import db
from inspect_app.inspections.models import Answer
from inspect_app.periods import Period
from inspect_app.photos.models import Photo
from inspect_app.photos.queries import evidence_photos_by_item
from inspect_app.ratings.store_queries import failed_findings, period_versions, section_percents
from inspect_app.review.models import Appeal, CorrectiveActionItem


@dataclass(frozen=True)
class Finding:
    """A failed answer with the texts of its own checklist version and its follow-up."""

    answer: Answer
    #: The item text and section title in the visit's own version, in the page's language.
    item_text: str
    section_title: str
    checklist_id: int
    checklist_title: str
    version_number: int
    #: The newest appeal against the finding, if any.
    appeal: Appeal | None
    #: The finding's item of the visit's corrective action (None when the visit has none).
    action_item: CorrectiveActionItem | None

    @property
    def version_label(self) -> str:
        """The checklist and version the finding was made with, e.g. "营业厅暗访检查表 v2"."""
        return f"{self.checklist_title} v{self.version_number}"


def follow_ups(
    answer_ids: Iterable[int],
) -> tuple[dict[int, Appeal], dict[int, CorrectiveActionItem]]:
    """Return, by answer id, the newest appeal and the corrective-action item (two queries)."""
    ids = sorted(set(answer_ids))
    if not ids:
        return {}, {}
    appeals: dict[int, Appeal] = {}
    for appeal in db.session.scalars(
        select(Appeal).where(Appeal.answer_id.in_(ids)).order_by(Appeal.created_at, Appeal.id)
    ):
        appeals[appeal.answer_id] = appeal  # the newest wins
    items = db.session.scalars(
        select(CorrectiveActionItem).where(CorrectiveActionItem.answer_id.in_(ids))
    )
    return appeals, {item.answer_id: item for item in items}


def describe_findings(
    answers: Iterable[Answer], lang: str, definitions: Definitions | None = None
) -> list[Finding]:
    """Describe failed answers (in their order), each with its own visit's checklist version."""
    answers = list(answers)
    definitions = definitions or Definitions()
    appeals, action_items = follow_ups(a.id for a in answers)
    out = []
    for answer in answers:
        version = answer.inspection.checklist_version
        section, text = item_texts(definitions(version), answer.item_id, lang)
        out.append(
            Finding(
                answer=answer,
                item_text=text,
                section_title=section,
                checklist_id=version.checklist_id,
                checklist_title=definitions(version).label(lang),
                version_number=version.number,
                appeal=appeals.get(answer.id),
                action_item=action_items.get(answer.id),
            )
        )
    return out


def spans_versions(findings: Iterable[Finding]) -> bool:
    """Whether the findings come from more than one checklist version (then each is labelled)."""
    return len({(f.checklist_id, f.version_number) for f in findings}) > 1


@dataclass(frozen=True)
class HallFindings:
    """A hall's failed items of a period, as the dashboard and the store report show them."""

    #: Newest visit first, each in its own version's words with its follow-up.
    findings: list[Finding]
    #: Evidence photos by (inspection id, item id).
    photos: dict[tuple[int, str], list[Photo]]
    #: The findings span several checklist versions, so each names its own.
    labelled: bool


def hall_findings(
    store_id: int,
    period: Period,
    lang: str,
    definitions: Definitions | None = None,
    limit: int = 100,
) -> HallFindings:
    """The failed items of the hall's approved visits in the period (every checklist, at most
    `limit`), described with their own versions, with their evidence photos (four queries)."""
    findings = describe_findings(failed_findings(store_id, period, limit=limit), lang, definitions)
    photos = evidence_photos_by_item(sorted({f.answer.inspection_id for f in findings}))
    return HallFindings(findings, photos, spans_versions(findings))


@dataclass(frozen=True)
class SectionFigure:
    """One section's percentage over the period, titled as in the newest version that has it."""

    section_id: str
    title: str
    percent: Decimal | None


def section_figures(
    store_id: int,
    period: Period,
    checklist: Checklist,
    lang: str,
    definitions: Definitions | None = None,
) -> list[SectionFigure]:
    """The checklist's sections at the hall over the period, points pooled per section id.

    The sections are those of the version in use and of every version the period's approved
    visits were made with, in the newest version's order (a section only older versions have
    follows); each is titled as in the newest of them. Only this checklist's visits count.
    """
    definitions = definitions or Definitions()
    used = period_versions(period, checklist.id, [store_id]).get(store_id, [])
    chosen = {vid: db.session.get(ChecklistVersion, vid) for vid, _number in used}
    if checklist.active_version is not None:
        chosen[checklist.active_version.id] = checklist.active_version
    newest_first = sorted(chosen.values(), key=lambda v: v.number, reverse=True)
    titles: dict[str, str] = {}
    for version in newest_first:
        for section in definitions(version).sections:
            titles.setdefault(section.id, section.label(lang))
    percents = section_percents(store_id, period, checklist.id)
    return [SectionFigure(sid, title, percents.get(sid)) for sid, title in titles.items()]
