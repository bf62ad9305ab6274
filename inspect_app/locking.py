"""Concurrency helpers: row locks, insert-or-ignore and named locks, on SQLite and PostgreSQL.

PostgreSQL runs requests side by side, so "look up, then insert" and "read, then write" need
the database's help: a row lock (SELECT … FOR UPDATE), an INSERT … ON CONFLICT, or a named
transaction lock. SQLite already serialises writers (state-changing requests begin with BEGIN
IMMEDIATE, see inspect_app.sqlite), so there the same calls are plain statements.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from inspect_app.extensions import db

T = TypeVar("T")


def dialect_name() -> str:
    """The current session's database kind: "postgresql" or "sqlite"."""
    return db.session.get_bind().dialect.name


def dialect_insert(model: type):
    """An INSERT for the model with ON CONFLICT support on the current database."""
    return (pg_insert if dialect_name() == "postgresql" else sqlite_insert)(model)


def insert_or_ignore(model: type, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when this call inserted the row.

    RETURNING tells whether it did: psycopg reports no row count for such an insert.
    """
    primary = model.__table__.primary_key.columns
    statement = dialect_insert(model).values(**values).on_conflict_do_nothing().returning(*primary)
    return db.session.execute(statement).first() is not None


def lock_row(obj: T) -> T:
    """Lock the object's row for this transaction and load it afresh (PostgreSQL: FOR UPDATE).

    Everything is read again after the lock, relationships included, so a status or an answer
    another request wrote while this one waited is seen. Call it before changing the object:
    unflushed changes to it are discarded.
    """
    db.session.refresh(obj, with_for_update=True)
    return obj


def lock_name(name: str) -> None:
    """Hold a named lock until this transaction ends (PostgreSQL advisory lock).

    For read-modify-writes that span many rows (a roster import, a month's plan): the second
    request waits for the first to commit, then reads what it wrote.
    """
    if dialect_name() == "postgresql":
        key = zlib.crc32(name.encode("utf-8"))
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


@contextmanager
def unique_violation_as(error: Exception) -> Iterator[None]:
    """Run a flush in a SAVEPOINT; a unique-key clash raises `error` instead of a 500.

    The sequential path checks for the clash first and gives the same message; this catches the
    request that lost the race, with the rest of its transaction intact.
    """
    try:
        with db.session.begin_nested():
            yield
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        raise error from exc


def is_unique_violation(exc: IntegrityError) -> bool:
    """Whether the database refused a duplicate key (not a foreign key or a check)."""
    code = getattr(exc.orig, "sqlstate", None)
    if code is not None:
        return code == "23505"
    return "UNIQUE constraint failed" in str(exc.orig)
