"""Keeping a person's postings (roster history) in step with their hall and status.

Every change to a staff member goes through `keep_postings` with the halls' date it takes
effect: the roster import, the admin page and the demo. The rules, both ends of a posting
included:

- a new person starts at their hall that day;
- a move ends the posting at the old hall the day before and starts one at the new hall that
  day (a posting that only began that day is replaced);
- leaving ends the posting on the leaving date (the day the change is recorded when no date is
  given); postings that would start after it are dropped, and a person with no posting yet (an
  import that first names someone as already left) gets one with no start;
- coming back the day after leaving, or later the same day, carries the posting on; otherwise
  a new one starts that day.
"""

from __future__ import annotations

from datetime import date, timedelta

from inspect_app.calendar import local_date
from inspect_app.stores.models import Staff, StaffPosting


def keep_postings(person: Staff, day: date, left_on: date | None = None) -> None:
    """Bring the person's postings in line with their hall and status as changed on `day`.

    `left_on` is the leaving date when the change gives one; else it is the halls' date of
    `person.left_at`. Running it again with nothing changed changes nothing.
    """
    store_id = person.store_id if person.store_id is not None else person.store.id
    postings = sorted(person.postings, key=lambda p: (p.started_on or date.min, p.id or 0))
    current = next((p for p in postings if p.ended_on is None), None)
    if person.is_active is not False:  # None: a new person, active by default
        if current is not None and current.store_id == store_id:
            return
        latest = postings[-1] if postings else None
        if (
            current is None
            and latest is not None
            and latest.store_id == store_id
            and latest.ended_on >= day - timedelta(days=1)
        ):
            latest.ended_on = None
            return
        _kept, dropped = _end_by(postings, day - timedelta(days=1))
        # A posting that began today is moved, not replaced: the database would see the new
        # open posting before the deleted one is gone.
        posting = next((p for p in dropped if p.ended_on is None), None)
        for other in dropped:
            if other is not posting:
                person.postings.remove(other)
        if posting is None:
            posting = StaffPosting()
            person.postings.append(posting)
        posting.store_id, posting.started_on, posting.ended_on = store_id, day, None
        return
    if left_on is None and person.left_at is not None:
        left_on = local_date(person.left_at)
    if left_on is None:
        if current is None:
            return  # gone already, and no date says when
        left_on = day
    kept, dropped = _end_by(postings, left_on)
    for posting in dropped:
        person.postings.remove(posting)
    if not kept:
        person.postings.append(StaffPosting(store_id=store_id, ended_on=left_on))
    elif kept[-1].store_id == store_id and kept[-1].ended_on < left_on:
        kept[-1].ended_on = left_on  # a later leaving date than the one recorded


def _end_by(
    postings: list[StaffPosting], last_day: date
) -> tuple[list[StaffPosting], list[StaffPosting]]:
    """End every posting by `last_day`; return them, and apart those that start after it."""
    kept, dropped = [], []
    for posting in postings:
        if posting.started_on is not None and posting.started_on > last_day:
            dropped.append(posting)
            continue
        if posting.ended_on is None or posting.ended_on > last_day:
            posting.ended_on = last_day
        kept.append(posting)
    return kept, dropped
