"""Which checklist and period a ratings page or report is about, read from the query string."""

from __future__ import annotations

from typing import NamedTuple

from flask import abort, request
from sqlalchemy import select

from inspect_app.calendar import halls_today
from inspect_app.checklists.definition import RatingRules
from inspect_app.checklists.models import Checklist
from inspect_app.checklists.operations import definition_of
from inspect_app.extensions import db
from inspect_app.periods import Period, PeriodError, parse_period


class RatingSelection(NamedTuple):
    """The checklists in use (by key), the chosen one, the period and the chosen one's rules."""

    checklists: list[Checklist]
    checklist: Checklist
    period: Period
    rules: RatingRules


def rating_selection() -> RatingSelection | None:
    """The checklist and period a ratings page is about, from the query string.

    Returns None when no checklist is in use; otherwise the checklists in use by key, the chosen
    one (the first unless `checklist` names another), the period (`period`, default the halls'
    current month) and the chosen one's rules in use. An unreadable period aborts with 400.
    """
    checklists = db.session.scalars(
        select(Checklist).where(Checklist.active_version_id.is_not(None)).order_by(Checklist.key)
    ).all()
    if not checklists:
        return None
    chosen = request.args.get("checklist", type=int)
    checklist = next((c for c in checklists if c.id == chosen), checklists[0])
    try:
        # The halls' today, not the server's: near midnight UTC they are a day apart.
        period = parse_period(request.args.get("period"), halls_today())
    except PeriodError:
        abort(400)
    rules = definition_of(checklist.active_version).rating
    return RatingSelection(list(checklists), checklist, period, rules)
