"""SQLite connection settings: WAL, a busy timeout, and write locks taken up front."""

from __future__ import annotations

from sqlalchemy import Engine, event


def configure_sqlite(engine: Engine, busy_timeout_seconds: int) -> None:
    """Make SQLite safe for several gunicorn workers writing at once.

    pysqlite's own transaction handling issues a deferred BEGIN, so two workers
    that read and then write can deadlock and one gets "database is locked"
    at once, without waiting for the busy timeout. Taking over BEGIN and
    issuing BEGIN IMMEDIATE makes every transaction take the write lock up
    front, where the busy timeout applies (the same fix as Django's
    transaction_mode="IMMEDIATE"). Readers are never blocked in WAL mode.
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
        connection.exec_driver_sql("BEGIN IMMEDIATE")
