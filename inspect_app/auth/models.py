"""Users, their roles and store scope, and sign-in throttling."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_app.db import Base, str_enum, utcnow

if TYPE_CHECKING:
    from inspect_app.stores.models import Region, Store


class Role(enum.StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    INSPECTOR = "inspector"
    MANAGER = "manager"
    HR = "hr"


user_stores = Table(
    "user_stores",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("store_id", ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True),
)

user_regions = Table(
    "user_regions",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("username = lower(username)", name="username_lowercase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Bumped on sign-out, disable or password change; sessions carrying an older value end.
    session_version: Mapped[int] = mapped_column(default=1)
    #: Preferred UI language (zh_CN or en); empty means the site default.
    language: Mapped[str | None] = mapped_column(String(8))
    #: The region an inspector works in (planning uses it).
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    region: Mapped[Region | None] = relationship(foreign_keys=[region_id])
    #: Stores a manager sees directly.
    stores: Mapped[list[Store]] = relationship(secondary=user_stores)
    #: Regions whose every store a manager sees.
    regions: Mapped[list[Region]] = relationship(secondary=user_regions)

    # Flask-Login protocol, written out so that the session version is part of the id.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class LoginThrottle(Base):
    """Sign-in attempts per username and client, known or not, so both get the same answer.

    Keyed by the client too, so a stranger's wrong passwords lock only the stranger's client,
    never the real user elsewhere. Rows of past failures expire after a day.
    """

    __tablename__ = "login_throttles"
    __table_args__ = (Index("ix_login_throttles_last_failure_at", "last_failure_at"),)

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: The client's address (request.remote_addr; behind a proxy, see PROXY_FIX_HOPS).
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: Attempts since the last success, counted before the password is checked.
    failure_count: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]
