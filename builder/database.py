"""Database settings and the write transaction.

SQLite (the embedded default) runs in WAL mode with ``synchronous=FULL``, so a
committed dossier survives a power loss, and write transactions start with
``BEGIN IMMEDIATE``, so concurrent submissions queue on the write lock instead
of failing half-way with "database is locked". PostgreSQL needs neither.
"""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from builder.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 30_000


def database_url(app: Flask) -> str:
    url = app.config.get("DATABASE_URL") or app.config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        url = "sqlite:///" + os.path.join(app.instance_path, "motcua.db")
    if url.startswith("postgres://"):  # the form many hosts hand out
        url = "postgresql://" + url[len("postgres://"):]
    return url


def configure_database(app: Flask) -> None:
    url = database_url(app)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if url.startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    else:
        options.setdefault("pool_pre_ping", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event below emit BEGIN, so we choose its mode.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn) -> None:
    if conn.dialect.name != "sqlite":
        return
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


@contextmanager
def write_transaction() -> Iterator:
    """One unit of work that writes: commits on success, rolls back on any
    error, so nothing is ever half-saved. Reads done before it in the request
    are discarded (nothing was written yet). Jobs recorded inside it are
    handed over only after the commit."""
    from builder.jobs.queue import dispatch, forget_recorded_jobs, take_recorded_jobs

    session = db.session()  # the request's own Session, out of the scoped registry
    if session.in_transaction():
        session.rollback()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        forget_recorded_jobs()
        raise
    dispatch(take_recorded_jobs())
