"""Regions, stores (business halls), the staff roster and its history (postings)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, event, text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from inspect_app.calendar import local_date
from inspect_app.db import Base, TimestampMixin


class Region(TimestampMixin, Base):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(default=True)

    stores: Mapped[list[Store]] = relationship(back_populates="region", order_by="Store.code")


class Store(TimestampMixin, Base):
    __tablename__ = "stores"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The operator's hall code, kept as text so leading zeros survive.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    is_active: Mapped[bool] = mapped_column(default=True)

    region: Mapped[Region] = relationship(back_populates="stores")
    staff: Mapped[list[Staff]] = relationship(back_populates="store", order_by="Staff.employee_no")


class Staff(TimestampMixin, Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 工号, the employee number HR keys appraisal on; text, leading zeros kept.
    employee_no: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    position: Mapped[str | None] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(default=True)
    #: When the person left; staff are never deleted so their history stays.
    left_at: Mapped[datetime | None]

    store: Mapped[Store] = relationship(back_populates="staff")
    #: Where the person worked when: the roster of a past date is read from these.
    postings: Mapped[list[StaffPosting]] = relationship(
        back_populates="staff", cascade="all, delete-orphan", order_by="StaffPosting.id"
    )


class StaffPosting(Base):
    """A stretch of days one person was on one hall's roster, both ends included.

    `Staff.store_id` is the hall now; the postings say which hall's roster a person was on
    on any date, so a past-dated visit is checked against the roster as it stood then.
    """

    __tablename__ = "staff_postings"
    __table_args__ = (
        CheckConstraint(
            "started_on IS NULL OR ended_on IS NULL OR ended_on >= started_on",
            name="ended_after_started",
        ),
        Index("ix_staff_postings_store_dates", "store_id", "started_on", "ended_on"),
        # A person is on at most one roster from now on; ended postings are history.
        Index(
            "uq_staff_postings_open_per_staff",
            "staff_id",
            unique=True,
            sqlite_where=text("ended_on IS NULL"),
            postgresql_where=text("ended_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    #: The halls' date of the first day; NULL: there since before the records began.
    started_on: Mapped[date | None]
    #: The halls' date of the last day; NULL: still there.
    ended_on: Mapped[date | None]

    staff: Mapped[Staff] = relationship(back_populates="postings")
    store: Mapped[Store] = relationship()

    def covers(self, day: date) -> bool:
        """Whether the person was on this hall's roster on `day`."""
        return (self.started_on is None or self.started_on <= day) and (
            self.ended_on is None or day <= self.ended_on
        )


@event.listens_for(Session, "before_flush")
def _post_new_staff(session: Session, flush_context, instances) -> None:
    """A staff member saved without a posting has been at their hall since before records.

    The roster import and the admin page record when a new person started; anything else that
    adds staff (fixtures, scripts) gets what migration 0009 gave everyone: a posting with no
    start, ended on the day they left. Someone marked as left without a date gets none.
    """
    for obj in list(session.new):
        if not isinstance(obj, Staff) or obj.postings:
            continue
        if obj.is_active is False:
            if obj.left_at is None:
                continue
            ended_on = local_date(obj.left_at)
        else:
            ended_on = None
        if obj.store is not None:
            obj.postings.append(StaffPosting(store=obj.store, ended_on=ended_on))
        else:
            obj.postings.append(StaffPosting(store_id=obj.store_id, ended_on=ended_on))
