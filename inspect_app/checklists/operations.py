"""Storing checklist definitions as immutable versions, choosing the version in use, and reading an
uploaded checklist file. Operations flush and never commit; the view commits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, select

from inspect_app.audit.operations import record_event
from inspect_app.checklists.definition import ChecklistDefinition
from inspect_app.checklists.diff import ChecklistDiff, diff_definitions
from inspect_app.checklists.loader import (
    ChecklistError,
    LoadResult,
    load_checklist_file,
    load_checklist_text,
)
from inspect_app.checklists.models import Checklist, ChecklistVersion
from inspect_app.checklists.xlsx_reader import checklist_from_xlsx
from inspect_app.db import utcnow
from inspect_app.extensions import db
from inspect_app.locking import insert_or_ignore, lock_row


@dataclass(frozen=True)
class StoredVersion:
    version: ChecklistVersion
    is_new: bool
    #: An older version became the active one again (its file was reverted).
    reactivated: bool = False


def store_version(
    definition: ChecklistDefinition,
    source_text: str,
    source_name: str,
    *,
    activate: bool = True,
    actor_id: int | None = None,
) -> StoredVersion:
    """Store the definition as a new version unless identical content is already stored."""
    # Insert-or-fetch the checklist, then lock it: two uploads at once number their versions
    # one after the other, and the same content twice is stored once.
    insert_or_ignore(
        Checklist, {"key": definition.key, "title": definition.title, "created_at": utcnow()}
    )
    checklist = db.session.scalar(select(Checklist).where(Checklist.key == definition.key))
    lock_row(checklist)
    content_hash = definition.content_hash()
    existing = db.session.scalar(
        select(ChecklistVersion).where(
            ChecklistVersion.checklist_id == checklist.id,
            ChecklistVersion.content_hash == content_hash,
        )
    )
    if existing is not None:
        if activate and activate_version(existing, actor_id=actor_id):
            return StoredVersion(existing, is_new=False, reactivated=True)
        return StoredVersion(existing, is_new=False)
    last = db.session.scalar(
        select(func.max(ChecklistVersion.number)).where(
            ChecklistVersion.checklist_id == checklist.id
        )
    )
    version = ChecklistVersion(
        checklist_id=checklist.id,
        number=(last or 0) + 1,
        content_hash=content_hash,
        definition=definition.to_dict(),
        source_text=source_text,
        source_name=source_name,
        created_by_id=actor_id,
    )
    db.session.add(version)
    db.session.flush()
    if activate or checklist.active_version_id is None:
        checklist.active_version_id = version.id
        checklist.title = definition.title
    record_event(
        "checklist.version_stored",
        version,
        actor_id=actor_id,
        key=definition.key,
        number=version.number,
        source=source_name,
        activated=checklist.active_version_id == version.id,
    )
    return StoredVersion(version, is_new=True)


def activate_version(version: ChecklistVersion, *, actor_id: int | None) -> bool:
    """Make `version` the one new inspections use; visits already started keep theirs.

    Return False (and change nothing) when it is already in use. Audited as
    ``checklist.version_activated`` with the key, the number and the previous number.
    """
    checklist = version.checklist
    if checklist.active_version_id == version.id:
        return False
    previous = checklist.active_version.number if checklist.active_version else None
    checklist.active_version_id = version.id
    db.session.flush()
    record_event(
        "checklist.version_activated",
        version,
        actor_id=actor_id,
        key=checklist.key,
        number=version.number,
        previous=previous,
    )
    return True


class NotUtf8Error(ValueError):
    """An uploaded checklist file is neither UTF-8 YAML nor an Excel workbook."""


def read_checklist_upload(data: bytes, name: str) -> tuple[LoadResult, str]:
    """Read an uploaded checklist: an Excel workbook (by its zip signature or a .xlsx name),
    else UTF-8 YAML (a BOM allowed). Return the checked result and the source text to keep
    with the version (a workbook keeps a note of its name). Raises NotUtf8Error.
    """
    if data[:2] == b"PK" or name.lower().endswith(".xlsx"):
        return checklist_from_xlsx(data, name), f"(uploaded workbook {name})"
    try:
        source_text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotUtf8Error(name) from exc
    return load_checklist_text(source_text, name), source_text


def diff_versions(old: ChecklistVersion, new: ChecklistVersion) -> ChecklistDiff:
    """What changed between two versions' definitions, item by item."""
    return diff_definitions(definition_of(old), definition_of(new))


def checklist_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def sync_directory(
    paths: list[Path], *, actor_id: int | None = None
) -> tuple[list[StoredVersion], list[ChecklistError]]:
    """Validate every file; if all are valid, store each new content as a version.

    All or nothing: one invalid file means no version is stored, so a
    half-synced set of checklists never goes live.
    """
    loaded = []
    errors: list[ChecklistError] = []
    for path in paths:
        result = load_checklist_file(path)
        errors.extend(result.errors)
        if result.definition is not None:
            loaded.append((path, result.definition))
    keys = [definition.key for _path, definition in loaded]
    for key in {k for k in keys if keys.count(k) > 1}:
        errors.append(
            ChecklistError(
                ", ".join(str(p) for p, d in loaded if d.key == key),
                None,
                None,
                _("Several files use the checklist key %(key)s.", key=key),
            )
        )
    if errors:
        return [], errors
    stored = [
        store_version(
            definition,
            path.read_text(encoding="utf-8-sig"),
            path.name,
            actor_id=actor_id,
        )
        for path, definition in loaded
    ]
    return stored, []


def definition_of(version: ChecklistVersion) -> ChecklistDefinition:
    """Return the typed definition stored with a version."""
    return ChecklistDefinition.from_dict(version.definition)


def find_version(key: str, number: int) -> ChecklistVersion | None:
    """Return version `number` of the checklist `key`, or None."""
    return db.session.scalar(
        select(ChecklistVersion)
        .join(Checklist, Checklist.id == ChecklistVersion.checklist_id)
        .where(Checklist.key == key, ChecklistVersion.number == number)
    )
