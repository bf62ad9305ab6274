"""A staff member's figures traced to the visits and items behind them, for the results page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from inspect_app.checklists.answer_text import answer_in_words
from inspect_app.checklists.definition import ChecklistDefinition, Item
from inspect_app.checklists.operations import definition_of
from inspect_app.inspections.models import Answer, Inspection

ZERO = Decimal(0)


@dataclass(frozen=True)
class FindingLine:
    """One person-item as the trace lists it."""

    item_id: str
    item_text: str
    answer: str
    earned: Decimal
    possible: Decimal
    failed: bool
    veto_failed: bool


@dataclass(frozen=True)
class VisitTrace:
    """One visit's person-items of the person: a line per item, and their sums."""

    inspection: Inspection
    lines: tuple[FindingLine, ...]

    @property
    def earned(self) -> Decimal:
        return sum((line.earned for line in self.lines), ZERO)

    @property
    def possible(self) -> Decimal:
        return sum((line.possible for line in self.lines), ZERO)


def trace_visits(answers: Iterable[Answer], lang: str) -> dict[int, list[VisitTrace]]:
    """Group the person-items (oldest visit first) by hall, then by visit, with words for each."""
    definitions: dict[int, ChecklistDefinition] = {}
    grouped: dict[int, dict[int, list[FindingLine]]] = {}
    visits: dict[int, Inspection] = {}
    for answer in answers:
        inspection = answer.inspection
        version_id = inspection.checklist_version_id
        if version_id not in definitions:
            definitions[version_id] = definition_of(inspection.checklist_version)
        try:
            item: Item | None = definitions[version_id].item(answer.item_id)
        except KeyError:
            item = None
        visits[inspection.id] = inspection
        grouped.setdefault(inspection.store_id, {}).setdefault(inspection.id, []).append(
            FindingLine(
                item_id=answer.item_id,
                item_text=item.label(lang) if item else answer.item_id,
                answer=answer_in_words(item, answer.value, lang),
                earned=answer.points_earned,
                possible=answer.points_possible,
                failed=answer.is_failed,
                veto_failed=answer.is_veto_failed,
            )
        )
    return {
        store_id: [VisitTrace(visits[i], tuple(lines)) for i, lines in by_visit.items()]
        for store_id, by_visit in grouped.items()
    }
