"""What a monthly plan could not meet, as data: the planner reports it, the page words it.

Pure: no Flask, no database. A problem names the region, halls and inspector it concerns by id
and carries its numbers; the plan page turns it into a sentence in the reader's language with
names (planning.views), and the audit log keeps `as_record()`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class ProblemKind(enum.Enum):
    """Each thing the planner can report; the fields a kind fills are listed beside it."""

    #: A store listed twice; only its first entry is planned. store_ids
    DUPLICATE_STORE = "duplicate_store"
    #: A store asking for fewer than 0 visits; it is left out. store_ids, visits
    NEGATIVE_QUOTA = "negative_quota"
    #: An inspector listed twice; only the first entry is used. inspector_id
    DUPLICATE_INSPECTOR = "duplicate_inspector"
    #: An inspector with a capacity below 0; it is read as 0. inspector_id, capacity
    NEGATIVE_CAPACITY = "negative_capacity"
    #: A region whose stores need visits but that has no inspector. region_id, visits (wanted)
    NO_INSPECTORS = "no_inspectors"
    #: A region needing more visits than its inspectors can make.
    #: region_id, visits (wanted), capacity (the inspectors' together)
    OVER_CAPACITY = "over_capacity"
    #: The quotas cut to fit capacity. region_id, visits (planned), most (visits per store),
    #: store_ids (the stores left short)
    QUOTAS_CUT = "quotas_cut"
    #: A store needing more visits than the month has days; windows share days.
    #: region_id, store_ids, visits (planned), days (in the month)
    MORE_VISITS_THAN_DAYS = "more_visits_than_days"
    #: A region's only inspector visits stores twice in a row. region_id, inspector_id, store_ids
    LONE_INSPECTOR_REPEATS = "lone_inspector_repeats"
    #: Capacities leave no way around sending an inspector twice in a row. region_id, store_ids
    CAPACITY_FORCES_REPEATS = "capacity_forces_repeats"
    #: Loads more than one visit apart, for the no-repeat rule's sake.
    #: region_id, fewest and most (visits of the least and most loaded inspector)
    UNBALANCED = "unbalanced"


@dataclass(frozen=True)
class PlanProblem:
    """One thing the plan could not meet; `kind` says which of the other fields are filled."""

    kind: ProblemKind
    region_id: int | None = None
    store_ids: tuple[int, ...] = ()
    inspector_id: int | None = None
    visits: int | None = None
    capacity: int | None = None
    days: int | None = None
    fewest: int | None = None
    most: int | None = None

    def as_record(self) -> dict[str, Any]:
        """Return the problem as JSON-ready data: its kind's value and the fields it fills."""
        record: dict[str, Any] = {"kind": self.kind.value}
        for name in ("region_id", "inspector_id", "visits", "capacity", "days", "fewest", "most"):
            if getattr(self, name) is not None:
                record[name] = getattr(self, name)
        if self.store_ids:
            record["store_ids"] = list(self.store_ids)
        return record
