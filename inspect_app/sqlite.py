"""SQLite connection settings: WAL, a busy timeout, and write locks taken up front."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context, request
from sqlalchemy import Engine, event

#: Requests with these methods only read; their transactions do not take the write lock.
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


_read_only = ContextVar("sqlite_read_only", default=False)


@contextmanager
def deferred_transactions() -> Iterator[None]:
    """Begin transactions without the write lock here (a long export reading while others write)."""
    token = _read_only.set(True)
    try:
        yield
    finally:
        _read_only.reset(token)


def wants_write_lock(outside_requests: bool) -> bool:
    """Whether a transaction starting now should take SQLite's write lock at BEGIN."""
    if _read_only.get():
        return False
    if has_request_context():
        return request.method not in READ_ONLY_METHODS
    return outside_requests


def configure_sqlite(
    engine: Engine, busy_timeout_seconds: int, immediate_outside_requests: bool = True
) -> None:
    """Make SQLite safe for several gunicorn workers writing at once.

    pysqlite's own transaction handling issues a deferred BEGIN, so a worker
    that reads and then writes while another worker commits fails with
    "database is locked" at once, without waiting for the busy timeout (WAL
    cannot upgrade a stale read snapshot to a write). Transactions of
    state-changing requests (and of commands, by default) therefore begin with
    BEGIN IMMEDIATE, which takes the write lock up front, where the busy
    timeout applies: the same fix as Django's transaction_mode="IMMEDIATE".
    Transactions of GET and HEAD requests stay deferred, so a slow page or
    export never holds the write lock; in WAL mode readers never block writers.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_seconds * 1000)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        if wants_write_lock(immediate_outside_requests):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")
