"""The audit log page: every recorded event, filtered by kind, actor, object and date, paged."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from inspect_app.audit import bp
from inspect_app.audit.forms import AuditFilterForm
from inspect_app.audit.labels import (
    AUDIT_LABELS,
    OBJECT_LABELS,
    Namer,
    audit_label,
    detail_lines,
    object_label,
)
from inspect_app.audit.models import AuditEvent
from inspect_app.audit.queries import (
    PER_PAGE,
    SYSTEM,
    AuditFilter,
    actor_ids,
    count_events,
    page_of_events,
    recorded_kinds,
    recorded_object_types,
)
from inspect_app.auth.models import Role, User
from inspect_app.auth.permissions import Permission, requires
from inspect_app.calendar import day_start, format_instant
from inspect_app.checklists.models import Checklist, ChecklistVersion
from inspect_app.checklists.version_texts import checklist_title
from inspect_app.extensions import db
from inspect_app.inspections.models import Assignment, Inspection
from inspect_app.stores.models import Region, Staff, Store
from inspect_app.templating import ROLE_LABELS


@dataclass(frozen=True)
class EventRow:
    """One event as the page shows it, in words."""

    when: str
    kind: str
    actor: str
    object_kind: str
    object_name: str
    object_type: str
    object_id: int | None
    details: list[tuple[str, str, bool]]  # field, value, whether the value is a code


@bp.route("/admin/audit")
@requires(Permission.VIEW_AUDIT)
def audit_log():
    """List the events matching the filters, newest first, PER_PAGE to a page.

    Bad filters (an unknown kind or person, a date that is not one, dates reversed, a page past
    the last) answer 400 with the form and what is wrong, and list nothing.
    """
    form = AuditFilterForm(formdata=request.args)
    _set_choices(form)
    if not form.validate():
        return _page(form, [error for errors in form.errors.values() for error in errors]), 400
    audit_filter = AuditFilter(
        action=form.kind.data or None,
        actor=_actor(form.actor.data),
        object_type=form.object_type.data or None,
        object_id=form.object_id.data,
        since=day_start(form.since.data) if form.since.data else None,
        until=day_start(form.until.data + timedelta(days=1)) if form.until.data else None,
    )
    total = count_events(audit_filter)
    page = form.page.data or 1
    last = max(1, -(-total // PER_PAGE))
    if page > last:
        message = _("There is no page %(page)s: these events fill %(last)s.", page=page, last=last)
        return _page(form, [message]), 400
    events = page_of_events(audit_filter, page)
    return _page(form, [], rows=_rows(events), total=total, page=page)


def _page(
    form: AuditFilterForm,
    errors: list[str],
    rows: Sequence[EventRow] = (),
    total: int = 0,
    page: int = 1,
) -> str:
    return render_template(
        "audit/log.html",
        form=form,
        errors=errors,
        rows=rows,
        total=total,
        page=page,
        page_size=PER_PAGE,
    )


def _actor(value: str) -> int | str | None:
    if not value:
        return None
    return SYSTEM if value == SYSTEM else int(value)


def _set_choices(form: AuditFilterForm) -> None:
    """Offer every kind of event and object (labelled, or recorded) and every actor in the log."""
    kinds = set(AUDIT_LABELS) | set(recorded_kinds())
    form.kind.choices = [("", _("Anything")), *_by_label(kinds, audit_label)]
    types = set(OBJECT_LABELS) | set(recorded_object_types())
    form.object_type.choices = [("", _("Anything")), *_by_label(types, object_label)]
    people = db.session.execute(
        select(User.id, User.display_name, User.username)
        .where(User.id.in_(actor_ids()))
        .order_by(User.display_name, User.id)
    ).all()
    form.actor.choices = [
        ("", _("Anyone")),
        (SYSTEM, _("The system")),
        *((str(user_id), f"{name} ({username})") for user_id, name, username in people),
    ]


def _by_label(codes: Iterable[str], label) -> list[tuple[str, str]]:
    return sorted(((code, label(code)) for code in codes), key=lambda pair: pair[1])


def _rows(events: Sequence[AuditEvent]) -> list[EventRow]:
    """Word the events: kinds, people and objects by name, details readable."""
    ids: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.object_id is not None:
            ids[event.object_type].add(event.object_id)
        if event.actor_id is not None:
            ids["users"].add(event.actor_id)
        _collect_detail_ids(event, ids)
    names = _object_names(ids)
    namers = _namers(names)
    return [
        EventRow(
            when=format_instant(event.occurred_at),
            kind=audit_label(event.action),
            actor=names["users"].get(event.actor_id or 0, "")
            if event.actor_id is not None
            else _("The system"),
            object_kind=object_label(event.object_type),
            object_name=_object_name(event, names),
            object_type=event.object_type,
            object_id=event.object_id,
            details=detail_lines(event.action, event.details or {}, namers),
        )
        for event in events
    ]


#: Detail fields holding ids, and what they are ids of.
_DETAIL_IDS = {"inspector": "users", "region_id": "regions", "store_ids": "stores"}


def _collect_detail_ids(event: AuditEvent, ids: dict[str, set[int]]) -> None:
    for key, kind in _DETAIL_IDS.items():
        stack: list[Any] = [(event.details or {}).get(key)]
        while stack:
            value = stack.pop()
            if isinstance(value, list):
                stack.extend(value)
            elif isinstance(value, int) and not isinstance(value, bool):
                ids[kind].add(value)


def _namers(names: dict[str, dict[int, str]]) -> dict[str, Namer]:
    def by_id(kind: str) -> Namer:
        return lambda value: names[kind].get(value) if isinstance(value, int) else None

    titles = {c.key: checklist_title(c) for c in db.session.scalars(select(Checklist))}
    return {
        "role": lambda value: str(ROLE_LABELS[Role(value)]) if value in set(Role) else None,
        "key": lambda value: titles.get(value) if isinstance(value, str) else None,  # a checklist
        **{key: by_id(kind) for key, kind in _DETAIL_IDS.items()},
    }


def _object_name(event: AuditEvent, names: dict[str, dict[int, str]]) -> str:
    if event.object_id is None:
        return ""
    return names.get(event.object_type, {}).get(event.object_id) or f"#{event.object_id}"


def _object_names(ids: dict[str, set[int]]) -> dict[str, dict[int, str]]:
    """Return {object type: {id: name}} for the users, halls, regions, staff, visits and
    checklist versions named on the page (other objects show by number)."""
    names: dict[str, dict[int, str]] = defaultdict(dict)
    for kind, query in _NAME_QUERIES.items():
        if ids.get(kind):
            for object_id, *parts in db.session.execute(query(ids[kind])):
                names[kind][object_id] = _join(kind, parts)
    return names


def _join(kind: str, parts: list[Any]) -> str:
    if kind == "users":
        return f"{parts[0]} ({parts[1]})"
    if kind == "staff":
        return f"{parts[0]} · {parts[1]}"
    if kind == "checklist_versions":
        return _("%(title)s, version %(n)s", title=parts[0], n=parts[1])
    if kind in ("inspections", "assignments"):
        return f"{parts[0]} · {parts[1]}" if parts[1] else str(parts[0])
    return str(parts[0])


_NAME_QUERIES = {
    "users": lambda ids: select(User.id, User.display_name, User.username).where(User.id.in_(ids)),
    "stores": lambda ids: select(Store.id, Store.name).where(Store.id.in_(ids)),
    "regions": lambda ids: select(Region.id, Region.name).where(Region.id.in_(ids)),
    "staff": lambda ids: select(Staff.id, Staff.name, Staff.employee_no).where(Staff.id.in_(ids)),
    "inspections": lambda ids: (
        select(Inspection.id, Store.name, Inspection.visit_date)
        .join(Store, Store.id == Inspection.store_id)
        .where(Inspection.id.in_(ids))
    ),
    "assignments": lambda ids: (
        select(Assignment.id, Store.name, Assignment.window_start)
        .join(Store, Store.id == Assignment.store_id)
        .where(Assignment.id.in_(ids))
    ),
    "checklist_versions": lambda ids: (
        select(ChecklistVersion.id, Checklist.title, ChecklistVersion.number)
        .join(Checklist, Checklist.id == ChecklistVersion.checklist_id)
        .where(ChecklistVersion.id.in_(ids))
    ),
}
