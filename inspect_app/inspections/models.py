"""Assignments, inspections (visits), their answers and section scores (photos: inspect_app.photos)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.db import Base, TimestampMixin, str_enum, utcnow
from inspect_app.photos.models import Photo

if TYPE_CHECKING:
    from inspect_app.auth.models import User
    from inspect_app.checklists.models import Checklist, ChecklistVersion
    from inspect_app.stores.models import Staff, Store

POINTS = Numeric(9, 3)
PERCENT = Numeric(6, 3)


class AssignmentStatus(enum.StrEnum):
    PLANNED = "planned"  # proposed by the planner, not yet visible to the inspector
    PUBLISHED = "published"  # the inspector sees it
    IN_PROGRESS = "in_progress"  # a visit has been started from it
    DONE = "done"  # its inspection was submitted
    CANCELLED = "cancelled"


class TimeSlot(enum.StrEnum):
    PEAK = "peak"
    OFF_PEAK = "off_peak"


class Assignment(TimestampMixin, Base):
    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint("window_end >= window_start", name="window_ordered"),
        Index("ix_assignments_inspector_status", "inspector_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklists.id"))
    window_start: Mapped[date]
    window_end: Mapped[date]
    #: Peak or off-peak hours, so a store is seen at both over a month.
    time_slot: Mapped[TimeSlot | None] = mapped_column(str_enum(TimeSlot, "time_slot"))
    status: Mapped[AssignmentStatus] = mapped_column(
        str_enum(AssignmentStatus, "assignment_status"), default=AssignmentStatus.PLANNED
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    inspector: Mapped[User] = relationship(foreign_keys=[inspector_id])
    store: Mapped[Store] = relationship()
    checklist: Mapped[Checklist] = relationship()


class InspectionStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"


class Inspection(TimestampMixin, Base):
    __tablename__ = "inspections"
    __table_args__ = (
        CheckConstraint(
            "visit_ended_at IS NULL OR visit_started_at IS NULL "
            "OR visit_ended_at >= visit_started_at",
            name="visit_times_ordered",
        ),
        CheckConstraint("waiting_minutes IS NULL OR waiting_minutes >= 0", name="waiting_nonneg"),
        CheckConstraint(
            "score_percent IS NULL OR (score_percent >= 0 AND score_percent <= 100)",
            name="score_percent_range",
        ),
        # Roll-ups read approved inspections of a store in a date range.
        Index("ix_inspections_status_visit_date_store", "status", "visit_date", "store_id"),
        Index("ix_inspections_inspector_status", "inspector_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Generated on the phone, so a retried submission is recognised and not stored twice.
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    checklist_version_id: Mapped[int] = mapped_column(ForeignKey("checklist_versions.id"))
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: One visit per assignment (unique; unassigned visits have none).
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id"), unique=True, index=True
    )
    status: Mapped[InspectionStatus] = mapped_column(
        str_enum(InspectionStatus, "inspection_status"), default=InspectionStatus.DRAFT
    )
    visit_started_at: Mapped[datetime | None]
    visit_ended_at: Mapped[datetime | None]
    #: The local calendar day of the visit; periods and ratings group by it.
    visit_date: Mapped[date | None]
    waiting_minutes: Mapped[int | None]
    counter_no: Mapped[str | None] = mapped_column(String(32))
    #: Stored results of scoring, recomputed whenever an answer changes.
    score_percent: Mapped[Decimal | None] = mapped_column(PERCENT)
    points_earned: Mapped[Decimal | None] = mapped_column(POINTS)
    points_possible: Mapped[Decimal | None] = mapped_column(POINTS)
    is_vetoed: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The reviewer's overall comment when returning the inspection.
    return_comment: Mapped[str | None] = mapped_column(Text)
    #: The reviewer's comments per item when returning it: {item_id: comment}.
    review_comments: Mapped[dict[str, str] | None] = mapped_column(JSON)
    #: The reviewer's note to the hall, written when approving: the only reviewer text the
    #: store sees (the comments above are for the inspector and stay internal).
    hall_note: Mapped[str | None] = mapped_column(Text)
    #: sha256 of the canonical submitted content: a retry with the same content is
    #: answered as a success, different content under the same UUID with 409.
    submission_hash: Mapped[str | None] = mapped_column(String(64))
    #: Bumped by every saved draft change, so a phone can tell whether its copy is behind.
    draft_revision: Mapped[int] = mapped_column(default=0)
    #: When the server last refused a submission of this visit (incomplete or invalid), and
    #: why ({field: [messages]}), so the inspector's home page can say so; cleared on submit.
    submit_refused_at: Mapped[datetime | None]
    submit_errors: Mapped[dict[str, list[str]] | None] = mapped_column(JSON)

    store: Mapped[Store] = relationship()
    checklist_version: Mapped[ChecklistVersion] = relationship()
    inspector: Mapped[User] = relationship(foreign_keys=[inspector_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    assignment: Mapped[Assignment | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan", order_by="Answer.id"
    )
    section_scores: Mapped[list[SectionScore]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan"
    )
    photos: Mapped[list[Photo]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan", order_by="Photo.id"
    )
    #: The staff who served the inspector (接待员工), in the order chosen; person-items are
    #: attributed to the first unless the item names someone else.
    served_by: Mapped[list[ServedStaff]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan", order_by="ServedStaff.position"
    )


class ServedStaff(Base):
    """One staff member who served the inspector on a visit (接待员工)."""

    __tablename__ = "served_staff"
    __table_args__ = (
        UniqueConstraint("inspection_id", "staff_id"),
        UniqueConstraint("inspection_id", "position"),
        CheckConstraint("position >= 0", name="position_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    #: 0 for the first chosen (the default for person-items), then 1, 2 ...
    position: Mapped[int]

    inspection: Mapped[Inspection] = relationship(back_populates="served_by")
    staff: Mapped[Staff] = relationship()


class Answer(Base):
    """The inspector's answer to one checklist item in one inspection."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("inspection_id", "item_id"),
        CheckConstraint("points_possible >= 0", name="possible_nonneg"),
        CheckConstraint(
            "points_earned >= 0 AND points_earned <= points_possible", name="earned_in_range"
        ),
        CheckConstraint(
            "NOT is_not_applicable OR (points_possible = 0 AND points_earned = 0)",
            name="na_scores_nothing",
        ),
        Index("ix_answers_staff_id", "staff_id"),
        Index("ix_answers_employee_no", "employee_no"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"))
    #: The checklist item's stable id, e.g. "appearance.badge".
    item_id: Mapped[str] = mapped_column(String(100))
    #: The raw answer as its item type understands it ("pass", 3, "option_value", ...).
    value: Mapped[Any | None] = mapped_column(JSON)
    points_earned: Mapped[Decimal] = mapped_column(POINTS, default=Decimal(0))
    points_possible: Mapped[Decimal] = mapped_column(POINTS, default=Decimal(0))
    is_not_applicable: Mapped[bool] = mapped_column(default=False)
    is_failed: Mapped[bool] = mapped_column(default=False)
    #: A failed veto item (一票否决): staff appraisal counts these apart.
    is_veto_failed: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str | None] = mapped_column(Text)
    #: The staff member the finding is attributed to (a person-item: the one named on the item,
    #: else the visit's first served staff member); None when not a person-item or unidentified.
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    #: That person's 工号 (text, leading zeros kept), as on the roster.
    employee_no: Mapped[str | None] = mapped_column(String(32))
    #: The inspector named this item's person rather than taking the visit's served staff.
    is_staff_named: Mapped[bool] = mapped_column(default=False)
    #: The inspector could not identify the person: the finding counts for the hall only and
    #: is flagged to the reviewer until resolved.
    is_unidentified: Mapped[bool] = mapped_column(default=False)
    #: How the inspector described the unidentified person (e.g. "门口引导员，短发，戴眼镜").
    person_description: Mapped[str | None] = mapped_column(Text)
    #: When and by whom a reviewer resolved an unidentified person (named them, or confirmed
    #: "not identified"); None while the finding is still flagged.
    attribution_resolved_at: Mapped[datetime | None]
    attribution_resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="answers")
    staff: Mapped[Staff | None] = relationship(foreign_keys=[staff_id])


class SectionScore(Base):
    """An inspection's stored result for one checklist section."""

    __tablename__ = "section_scores"
    __table_args__ = (
        UniqueConstraint("inspection_id", "section_id"),
        CheckConstraint(
            "points_earned >= 0 AND points_earned <= points_possible", name="earned_in_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"))
    section_id: Mapped[str] = mapped_column(String(64))
    points_earned: Mapped[Decimal] = mapped_column(POINTS)
    points_possible: Mapped[Decimal] = mapped_column(POINTS)
    #: None when every item of the section was not applicable.
    percent: Mapped[Decimal | None] = mapped_column(PERCENT)

    inspection: Mapped[Inspection] = relationship(back_populates="section_scores")
