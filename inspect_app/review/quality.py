"""Inspector quality: who scores far harsher or softer than peers at the same halls."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Integer, cast, func, select

from inspect_app.audit.models import AuditEvent
from inspect_app.auth.models import User
from inspect_app.extensions import db
from inspect_app.inspections.models import Answer, Inspection, InspectionStatus
from inspect_app.periods import Period
from inspect_app.review.models import Appeal, AppealStatus

COUNTED = (InspectionStatus.SUBMITTED, InspectionStatus.APPROVED)
Q = Decimal("0.1")  # rounded half-up, as every percentage a page shows (scoring.shown_percent)
#: Points of deviation from the peers, either way, from which an inspector is flagged.
FLAG_POINTS = Decimal(5)


@dataclass(frozen=True)
class InspectorQuality:
    inspector_id: int
    name: str
    visits: int
    mean_score: Decimal | None
    #: Mean of (own score − other inspectors' mean at the same hall in the period); None if no peers.
    deviation: Decimal | None
    compared_visits: int
    na_share: Decimal | None  # percent of answered items marked not applicable
    returned: int
    upheld_appeals: int

    @property
    def leaning(self) -> str | None:
        """How the inspector scores against peers: "strict" (FLAG_POINTS or more below them),
        "lenient" (as far above) or "normal"; None when there was no peer to compare with.
        Both ends are a finding: a lenient inspector is no better than a strict one."""
        if self.deviation is None:
            return None
        if self.deviation <= -FLAG_POINTS:
            return "strict"
        return "lenient" if self.deviation >= FLAG_POINTS else "normal"


def _submitted_or_approved_in(period: Period):
    """SQL: the visit is submitted or approved and its visit date falls in the period."""
    return (
        Inspection.visit_date >= period.start,
        Inspection.visit_date < period.end,
        Inspection.status.in_(COUNTED),
    )


def inspector_quality(period: Period) -> list[InspectorQuality]:
    """One row per inspector with visits in the period, largest deviation first."""
    visits = db.session.execute(
        select(Inspection.inspector_id, Inspection.store_id, Inspection.score_percent).where(
            *_submitted_or_approved_in(period), Inspection.score_percent.is_not(None)
        )
    ).all()
    by_store: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    by_inspector: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for inspector_id, store_id, score in visits:
        score = Decimal(str(score))
        by_store[store_id].append((inspector_id, score))
        by_inspector[inspector_id].append((store_id, score))
    na = _not_applicable_counts(period)
    returned = _count_by_inspector(
        period, AuditEvent.id, AuditEvent.inspection_id, AuditEvent.action == "inspection.return"
    )
    upheld = _count_by_inspector(
        period, Appeal.id, Appeal.inspection_id, Appeal.status == AppealStatus.UPHELD
    )
    names = dict(
        db.session.execute(
            select(User.id, User.display_name).where(User.id.in_(list(by_inspector) or [0]))
        ).all()
    )
    rows = []
    for inspector_id, own in by_inspector.items():
        differences = []
        for store_id, score in own:
            peers = [s for i, s in by_store[store_id] if i != inspector_id]
            if peers:
                differences.append(score - sum(peers) / len(peers))
        na_count, answered = na.get(inspector_id, (0, 0))
        rows.append(
            InspectorQuality(
                inspector_id=inspector_id,
                name=names.get(inspector_id, ""),
                visits=len(own),
                mean_score=(sum(s for _, s in own) / len(own)).quantize(Q, ROUND_HALF_UP),
                deviation=(sum(differences) / len(differences)).quantize(Q, ROUND_HALF_UP)
                if differences
                else None,
                compared_visits=len(differences),
                na_share=(Decimal(100 * na_count) / answered).quantize(Q, ROUND_HALF_UP)
                if answered
                else None,
                returned=int(returned.get(inspector_id, 0)),
                upheld_appeals=int(upheld.get(inspector_id, 0)),
            )
        )
    rows.sort(
        key=lambda r: (-(abs(r.deviation) if r.deviation is not None else Decimal(-1)), r.name)
    )
    return rows


def _not_applicable_counts(period: Period) -> dict[int, tuple[int, int]]:
    """{inspector id: (answers marked not applicable, answers given)} in the period's visits."""
    return dict(
        (i, (int(n or 0), int(t or 0)))
        for i, n, t in db.session.execute(
            select(
                Inspection.inspector_id,
                func.sum(cast(Answer.is_not_applicable, Integer)),
                func.count(),
            )
            .join(Inspection, Inspection.id == Answer.inspection_id)
            .where(*_submitted_or_approved_in(period), Answer.value.is_not(None))
            .group_by(Inspection.inspector_id)
        )
    )


def _count_by_inspector(period: Period, counted, inspection_id, condition) -> dict[int, int]:
    """{inspector id: rows of `counted` meeting `condition`} on the period's visits.

    `counted` and `inspection_id` are columns of one table (an audit event, an appeal) whose
    `inspection_id` names the visit.
    """
    return dict(
        db.session.execute(
            select(Inspection.inspector_id, func.count(counted))
            .join(Inspection, Inspection.id == inspection_id)
            .where(*_submitted_or_approved_in(period), condition)
            .group_by(Inspection.inspector_id)
        ).all()
    )
