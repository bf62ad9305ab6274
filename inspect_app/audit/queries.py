"""Reads for the audit log page: events by kind, actor, object and time, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, true

from inspect_app.audit.models import AuditEvent
from inspect_app.extensions import db

#: Events on one page of the log.
PER_PAGE = 50
#: The actor filter's value for events the system recorded (no user).
SYSTEM = "system"


@dataclass(frozen=True)
class AuditFilter:
    """Which events to show; None: any.

    `actor` is a user's id or SYSTEM; an object is its type, or its type and id (for a visit,
    the events about its parts too); `since` and `until` are instants, `until` excluded.
    """

    action: str | None = None
    actor: int | str | None = None
    object_type: str | None = None
    object_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None

    def condition(self) -> ColumnElement[bool]:
        """Return the WHERE clause for these filters."""
        parts: list[ColumnElement[bool]] = []
        if self.action is not None:
            parts.append(AuditEvent.action == self.action)
        if self.actor == SYSTEM:
            parts.append(AuditEvent.actor_id.is_(None))
        elif self.actor is not None:
            parts.append(AuditEvent.actor_id == self.actor)
        if self.object_type is not None:
            parts.append(self._object())
        if self.since is not None:
            parts.append(AuditEvent.occurred_at >= self.since)
        if self.until is not None:
            parts.append(AuditEvent.occurred_at < self.until)
        return and_(true(), *parts)

    def _object(self) -> ColumnElement[bool]:
        same_type = AuditEvent.object_type == self.object_type
        if self.object_id is None:
            return same_type
        this_one = same_type & (AuditEvent.object_id == self.object_id)
        if self.object_type == "inspections":
            return or_(this_one, AuditEvent.inspection_id == self.object_id)
        return this_one


def count_events(audit_filter: AuditFilter) -> int:
    """Return how many events match the filters."""
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(audit_filter.condition())
    )


def page_of_events(audit_filter: AuditFilter, page: int) -> Sequence[AuditEvent]:
    """Return page `page` (from 1) of the matching events, newest first."""
    return db.session.scalars(
        select(AuditEvent)
        .where(audit_filter.condition())
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()


def recorded_kinds() -> list[str]:
    """Return every kind of event recorded so far (codes)."""
    actions = db.session.scalars(select(AuditEvent.action).distinct()).all()
    return sorted(actions)


def recorded_object_types() -> list[str]:
    """Return every kind of object events were recorded about (table names)."""
    return sorted(db.session.scalars(select(AuditEvent.object_type).distinct()).all())


def actor_ids() -> list[int]:
    """Return the ids of the users who have an event recorded."""
    return list(
        db.session.scalars(
            select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None)).distinct()
        )
    )
