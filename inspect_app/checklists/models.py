"""Checklists and their immutable versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from inspect_app.db import Base, utcnow


class Checklist(Base):
    __tablename__ = "checklists"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    #: The version new inspections use; older versions stay for the inspections made with them.
    active_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("checklist_versions.id", use_alter=True)
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[ChecklistVersion]] = relationship(
        back_populates="checklist",
        foreign_keys="ChecklistVersion.checklist_id",
        order_by="ChecklistVersion.number",
    )
    active_version: Mapped[ChecklistVersion | None] = relationship(
        foreign_keys=[active_version_id], post_update=True
    )


class ChecklistVersion(Base):
    """One distinct content of a checklist; never changed once stored."""

    __tablename__ = "checklist_versions"
    __table_args__ = (
        UniqueConstraint("checklist_id", "number"),
        UniqueConstraint("checklist_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklists.id"))
    number: Mapped[int]
    #: sha256 of the canonical JSON of the parsed definition (whitespace and comments ignored).
    content_hash: Mapped[str] = mapped_column(String(64))
    #: The parsed, validated definition as plain JSON.
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The file it was made from, as uploaded (YAML text, or a note for XLSX).
    source_text: Mapped[str] = mapped_column(Text)
    source_name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    checklist: Mapped[Checklist] = relationship(
        back_populates="versions", foreign_keys=[checklist_id]
    )


class ImmutableVersionError(RuntimeError):
    """Raised when code tries to change or delete a stored checklist version."""


@event.listens_for(Session, "before_flush")
def _refuse_version_changes(session: Session, flush_context, instances) -> None:
    for obj in session.dirty:
        if isinstance(obj, ChecklistVersion) and session.is_modified(obj):
            raise ImmutableVersionError(f"checklist version {obj.id} is immutable")
    for obj in session.deleted:
        if isinstance(obj, ChecklistVersion):
            raise ImmutableVersionError(f"checklist version {obj.id} cannot be deleted")
