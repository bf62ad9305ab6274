"""Score one inspection: item, section, inspection and per-staff results from its answers.

Pure functions: a checklist definition and the stored answers in, frozen results out. No Flask,
no database, Decimal arithmetic only. The rules, in the order they are applied:

- **Items.** Each item is scored by its type through the registry,
  `item.item_type.score(item, value, fail_below=...)`. An unanswered item scores 0 of 0, so a
  draft shows a running score over what is answered. An `na` answer scores 0 of 0 (not
  applicable). An item *fails* when it earns less than its failure share of its points
  (`fail_below` on the item, else the checklist's `rating.fail_below`, 0.5 by default): a
  pass/fail item fails at 0, while partial credit above the share (4 of 5 stars, 3 of 4) loses
  points without failing. Answers for ids the checklist does not have are ignored.
- **Hidden items.** An item whose `show_if` is not met is hidden. That includes a target that is
  unanswered or is itself hidden, so conditions chain. A hidden item counts as not applicable
  whatever answer is stored: 0 of 0, `answered` false, never failed, never vetoes.
- **Sections.** Section percent = 100 x earned / possible over the section's items, or None when
  possible is 0 (everything unanswered, not applicable, hidden or unscored).
- **Inspection.** `earned` and `possible` are plain sums over all items. The weighted percent is
  sum(weight x section percent) / sum(weight) over the sections whose percent is not None, or None
  when no section has one. It uses the rounded section percents, so it can be recomputed from the
  figures that are stored and shown.
- **Veto.** Any shown veto item that failed vetoes the inspection: `is_vetoed` is true and
  percent = min(weighted percent, `rating.veto_max_percent`). Otherwise percent = weighted percent.
- **Rounding.** Percentages are rounded half-up to 0.001 (the database stores Numeric(6, 3)).
  Points are already rounded by the item types and are only summed here.
- **Staff (attribution).** A *person-item* is an item with `staff: true` that is answered,
  applicable, shown and scored. Each is attributed to exactly one of: the employee number
  (工号) named on the answer; else, unless the inspector marked the person as not identified,
  the first of the visit's served staff (接待员工, `served_by`) — passed items as much as failed
  ones; else nobody (`unattributed`, which a submission refuses). An item marked not identified
  (`unidentified`) counts for the hall but for no person. Numbers are text: surrounding spaces
  are stripped, leading zeros kept, a blank number counts as none. Per number: observations
  (person-item count), earned and possible sums, failures (failed items) and veto findings
  (failed veto items). Results are sorted by employee number, and their sums plus the
  unidentified items' equal the sums over all person-items.
- **Reasons.** One `lost_points` reason per item that lost points (earned < possible, failed
  or not; `failed` says which) with lost = possible - earned, largest loss first, then checklist
  order; then one `veto` reason per failed veto item in checklist order with lost 0, because its
  points are already in its `lost_points` reason (the cap's own effect is
  `weighted_percent - percent`). So the reasons' lost points add up to possible - earned.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Any

from inspect_app.checklists.definition import ChecklistDefinition, Item, Section

PERCENT_QUANT = Decimal("0.001")
ZERO = Decimal(0)
HUNDRED = Decimal(100)
LOST_POINTS = "lost_points"
VETO = "veto"


@dataclass(frozen=True)
class AnswerInput:
    """One item's answer as stored."""

    #: Canonical answer (as ItemType.parse_answer returns it); None if unanswered.
    value: Any
    #: 工号 named for this item; only meaningful for items with staff=True. None falls back to
    #: the visit's first served staff member.
    employee_no: str | None = None
    #: The inspector could not identify the person (the finding counts for the hall only).
    unidentified: bool = False


@dataclass(frozen=True)
class ItemResult:
    """One item's score and state."""

    item_id: str
    section_id: str
    earned: Decimal
    possible: Decimal
    answered: bool
    not_applicable: bool
    #: Its show_if condition is not met; it then also counts as not applicable.
    hidden: bool
    failed: bool
    veto_failed: bool
    #: Who the finding is attributed to (named, else the first served staff member); None for
    #: items that are not person-items, unidentified ones and unattributed ones.
    employee_no: str | None
    #: A person-item: staff=True, answered, applicable, shown and scored.
    person_item: bool = False
    #: A person-item the inspector marked as "person not identified".
    unidentified: bool = False

    @property
    def unattributed(self) -> bool:
        """A person-item attributed to nobody and not marked unidentified."""
        return self.person_item and self.employee_no is None and not self.unidentified

    @property
    def lost_points(self) -> bool:
        return self.earned < self.possible


@dataclass(frozen=True)
class SectionResult:
    """One section's points and percentage."""

    section_id: str
    weight: Decimal
    earned: Decimal
    possible: Decimal
    #: None when nothing in the section was applicable.
    percent: Decimal | None


@dataclass(frozen=True)
class Reason:
    """Why points were lost: a failed item (`lost_points`) or a failed veto item (`veto`)."""

    item_id: str
    section_id: str
    lost: Decimal
    kind: str
    #: The item failed (below its failure share), not merely lost some points.
    failed: bool = True


@dataclass(frozen=True)
class StaffResult:
    """The findings attributed to one employee number."""

    employee_no: str
    observations: int
    earned: Decimal
    possible: Decimal
    failures: int
    veto_findings: int


@dataclass(frozen=True)
class InspectionScore:
    """Everything the scoring rules produce for one inspection."""

    items: dict[str, ItemResult]
    sections: tuple[SectionResult, ...]
    #: Plain sums over the applicable items.
    earned: Decimal
    possible: Decimal
    #: Before the veto cap; None if nothing was applicable.
    weighted_percent: Decimal | None
    #: After the veto cap.
    percent: Decimal | None
    is_vetoed: bool
    #: Items that lost points, largest loss first, then the veto reasons.
    reasons: tuple[Reason, ...]
    #: Sorted by employee number.
    staff: tuple[StaffResult, ...]


def normalize_employee_no(employee_no: str | None) -> str | None:
    """Return the employee number without surrounding spaces, or None if blank."""
    if employee_no is None:
        return None
    stripped = employee_no.strip()
    return stripped or None


def quantize_percent(value: Decimal) -> Decimal:
    """Round a percentage half-up to 0.001."""
    return value.quantize(PERCENT_QUANT, rounding=ROUND_HALF_UP)


def is_visible(
    item: Item, answers: Mapping[str, AnswerInput], definition: ChecklistDefinition
) -> bool:
    """Return whether the item is shown: every show_if up its chain is met."""
    return _is_visible(item, answers, definition.item)


def _is_visible(
    item: Item, answers: Mapping[str, AnswerInput], lookup: Callable[[str], Item]
) -> bool:
    seen: set[str] = set()
    current = item
    while current.show_if is not None:
        if current.id in seen:  # a cycle can only come from a hand-made definition
            return False
        seen.add(current.id)
        answer = answers.get(current.show_if.item_id)
        if not current.show_if.is_met(answer.value if answer is not None else None):
            return False
        current = lookup(current.show_if.item_id)
    return True


def score_item(
    item: Item,
    answer: AnswerInput | None,
    visible: bool,
    *,
    fail_below: Decimal,
    served_by: Sequence[str] = (),
) -> ItemResult:
    """Score one item's answer, treating a hidden item as not applicable, and attribute it."""
    if not visible:
        return ItemResult(
            item.id, item.section_id, ZERO, ZERO, False, True, True, False, False, None
        )
    score = item.item_type.score(
        item, answer.value if answer is not None else None, fail_below=fail_below
    )
    person_item = (
        item.staff and item.item_type.scored and score.answered and not score.not_applicable
    )
    unidentified = bool(person_item and answer is not None and answer.unidentified)
    employee_no = None
    if person_item and not unidentified:
        employee_no = normalize_employee_no(answer.employee_no if answer else None) or next(
            (n for n in map(normalize_employee_no, served_by) if n), None
        )
    return ItemResult(
        item_id=item.id,
        section_id=item.section_id,
        earned=score.earned,
        possible=score.possible,
        answered=score.answered,
        not_applicable=score.not_applicable,
        hidden=False,
        failed=score.failed,
        veto_failed=item.veto and score.failed,
        employee_no=employee_no,
        person_item=person_item,
        unidentified=unidentified,
    )


def score_inspection(
    definition: ChecklistDefinition,
    answers: Mapping[str, AnswerInput],
    served_by: Sequence[str] = (),
) -> InspectionScore:
    """Score an inspection's answers against its checklist version.

    `served_by` lists the 工号 of the staff who served the inspector (接待员工), first the one
    that person-items fall back to.
    """
    # Fixed precision so a caller's decimal context cannot change the figures.
    with localcontext(Context(prec=28)):
        index = {item.id: item for item in definition.items}
        items = {
            item.id: score_item(
                item,
                answers.get(item.id),
                _is_visible(item, answers, index.__getitem__),
                fail_below=definition.fail_below(item),
                served_by=served_by,
            )
            for item in definition.items
        }
        sections = tuple(_score_section(section, items) for section in definition.sections)
        weighted = _weighted_percent(sections)
        is_vetoed = any(result.veto_failed for result in items.values())
        percent = weighted
        if is_vetoed and weighted is not None:
            percent = min(weighted, quantize_percent(definition.rating.veto_max_percent))
        return InspectionScore(
            items=items,
            sections=sections,
            earned=sum((s.earned for s in sections), ZERO),
            possible=sum((s.possible for s in sections), ZERO),
            weighted_percent=weighted,
            percent=percent,
            is_vetoed=is_vetoed,
            reasons=_reasons(items),
            staff=_staff_results(items),
        )


def _score_section(section: Section, items: Mapping[str, ItemResult]) -> SectionResult:
    results = [items[item.id] for item in section.items]
    earned = sum((r.earned for r in results), ZERO)
    possible = sum((r.possible for r in results), ZERO)
    percent = quantize_percent(HUNDRED * earned / possible) if possible else None
    return SectionResult(section.id, section.weight, earned, possible, percent)


def _weighted_percent(sections: tuple[SectionResult, ...]) -> Decimal | None:
    counted = [s for s in sections if s.percent is not None]
    total_weight = sum((s.weight for s in counted), ZERO)
    if not counted or not total_weight:
        return None
    weighted = sum((s.weight * s.percent for s in counted if s.percent is not None), ZERO)
    return quantize_percent(weighted / total_weight)


def _reasons(items: Mapping[str, ItemResult]) -> tuple[Reason, ...]:
    # `items` is in checklist order, and sorted() is stable, so ties keep that order.
    losing = [r for r in items.values() if r.lost_points]
    lost = sorted(losing, key=lambda r: r.possible - r.earned, reverse=True)
    return tuple(
        Reason(r.item_id, r.section_id, r.possible - r.earned, LOST_POINTS, r.failed) for r in lost
    ) + tuple(
        Reason(r.item_id, r.section_id, ZERO, VETO, True) for r in items.values() if r.veto_failed
    )


def _staff_results(items: Mapping[str, ItemResult]) -> tuple[StaffResult, ...]:
    grouped: dict[str, list[ItemResult]] = {}
    for result in items.values():
        if result.person_item and result.employee_no is not None:
            grouped.setdefault(result.employee_no, []).append(result)
    return tuple(
        StaffResult(
            employee_no=employee_no,
            observations=len(results),
            earned=sum((r.earned for r in results), ZERO),
            possible=sum((r.possible for r in results), ZERO),
            failures=sum(1 for r in results if r.failed),
            veto_findings=sum(1 for r in results if r.veto_failed),
        )
        for employee_no, results in sorted(grouped.items())
    )
