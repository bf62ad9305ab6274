"""Recording audit events."""

from __future__ import annotations

from typing import Any

from inspect_app.audit.models import AuditEvent
from inspect_app.extensions import db


def record_event(
    action: str,
    obj: Any | None = None,
    *,
    actor_id: int | None = None,
    inspection_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event for the current transaction; the caller commits."""
    event = AuditEvent(
        action=action,
        object_type=type(obj).__tablename__ if obj is not None else "system",
        object_id=getattr(obj, "id", None),
        actor_id=actor_id,
        inspection_id=inspection_id,
        details=details,
    )
    db.session.add(event)
    db.session.flush()
    return event
