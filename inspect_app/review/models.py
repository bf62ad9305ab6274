"""Appeals (申诉) against findings and corrective actions (整改) for failed items."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.db import Base, str_enum, utcnow

if TYPE_CHECKING:
    from inspect_app.inspections.models import Answer, Inspection


class AppealStatus(enum.StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    REJECTED = "rejected"


class Appeal(Base):
    __tablename__ = "appeals"
    __table_args__ = (
        # One open appeal per answer at a time; decided ones are history.
        Index(
            "uq_appeals_open_per_answer",
            "answer_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        CheckConstraint("(status = 'open') = (decided_at IS NULL)", name="decided_iff_closed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id"))
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[AppealStatus] = mapped_column(
        str_enum(AppealStatus, "appeal_status"), default=AppealStatus.OPEN
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    inspection: Mapped[Inspection] = relationship()
    answer: Mapped[Answer] = relationship()


class ActionStatus(enum.StrEnum):
    OPEN = "open"  # created for a failed item, nothing recorded yet
    RECORDED = "recorded"  # the store said what it did
    VERIFIED = "verified"  # a reviewer confirmed the fix
    NOT_VERIFIED = "not_verified"  # a reviewer found the fix lacking; the store records again


class CorrectiveAction(Base):
    """The hall's corrective action (整改) for one approved visit: a list of its failed items.

    `status` sums up the items: open while any item still needs the store (open or not
    verified), recorded when every item is recorded and some await verification, verified when
    every item is verified.
    """

    __tablename__ = "corrective_actions"
    __table_args__ = (Index("ix_corrective_actions_status_due", "status", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), unique=True)
    status: Mapped[ActionStatus] = mapped_column(
        str_enum(ActionStatus, "action_status"), default=ActionStatus.OPEN
    )
    due_date: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inspection: Mapped[Inspection] = relationship()
    items: Mapped[list[CorrectiveActionItem]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="CorrectiveActionItem.id"
    )


class CorrectiveActionItem(Base):
    """One failed item of a corrective action, closed with its own note and photo."""

    __tablename__ = "corrective_action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(
        ForeignKey("corrective_actions.id", ondelete="CASCADE"), index=True
    )
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id"), unique=True)
    status: Mapped[ActionStatus] = mapped_column(
        str_enum(ActionStatus, "action_item_status"), default=ActionStatus.OPEN
    )
    description: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime | None]
    verification_comment: Mapped[str | None] = mapped_column(Text)

    action: Mapped[CorrectiveAction] = relationship(back_populates="items")
    answer: Mapped[Answer] = relationship()
