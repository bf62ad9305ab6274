"""SQL conditions on visits that several packages share (ratings, reports, hall pages)."""

from __future__ import annotations

from inspect_app.inspections.models import Inspection, InspectionStatus
from inspect_app.periods import Period


def approved_visits_in(period: Period):
    """SQL: the visit is approved and its visit date (a halls' date) falls in the period.

    The period's bounds are dates and `visit_date` is a date, so they are compared as they are:
    start inclusive, end exclusive. When the visit was approved does not matter.
    """
    return (
        Inspection.status == InspectionStatus.APPROVED,
        Inspection.visit_date >= period.start,
        Inspection.visit_date < period.end,
    )
