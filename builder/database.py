"""Database settings and the write transaction.

SQLite (the embedded default) runs in WAL mode with ``synchronous=FULL``, so a
committed dossier survives a power loss. Its driver begins a transaction only
right before the first write (reads run outside one), so a write waits for the
lock instead of failing with "database is locked" when another process wrote
since our reads; :func:`write_transaction` goes further and takes the write
lock first (``BEGIN IMMEDIATE``), so everything it reads is read under the lock.
PostgreSQL needs neither.
"""
from __future__ import annotations

import functools
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
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _take_sqlite_write_lock(session) -> None:
    connection = session.connection()
    raw = connection.connection.dbapi_connection
    if isinstance(raw, sqlite3.Connection) and not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def write_transaction() -> Iterator:
    """One unit of work that writes: commits on success, rolls back on any
    error, so nothing is ever half-saved. Objects read before it in the request
    stay loaded; code that decides on the state of a row re-reads it inside
    (with ``FOR UPDATE`` on PostgreSQL). Jobs recorded inside it are handed
    over only after the commit."""
    from builder.jobs.queue import dispatch, forget_recorded_jobs, take_recorded_jobs

    session = db.session()  # the request's own Session, out of the scoped registry
    try:
        _take_sqlite_write_lock(session)
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        forget_recorded_jobs()
        raise
    dispatch(take_recorded_jobs())


def insert_row(session, obj) -> None:
    """Insert a new mapped object with one Core ``INSERT ... RETURNING`` and
    put it into ``session`` as a persistent, clean object, as if it had been
    loaded: for a hot path that writes a row and does not change it again in
    the transaction, where the unit of work (cascades, topological sort,
    per-attribute history) costs more than the statement. Column defaults are
    computed here, so every column is loaded and reading one costs no query.
    Relationships must have been given as their foreign keys too. A primary
    key already set is written as given; otherwise the database chooses it."""
    from sqlalchemy import inspect as sa_inspect
    from sqlalchemy.orm import make_transient_to_detached

    mapper = sa_inspect(obj).mapper
    given_key = obj.__dict__.get(mapper.get_property_by_column(mapper.local_table.primary_key.columns[0]).key)
    statement, key_attribute, columns = _insert_plan(mapper, given_key is not None)
    values = {}
    for column_key, attribute, default in columns:
        value = obj.__dict__.get(attribute)
        if value is None and default is not None:
            value = default.arg(None) if default.is_callable else default.arg
            setattr(obj, attribute, value)
        elif attribute not in obj.__dict__:
            setattr(obj, attribute, None)
        values[column_key] = value
    setattr(obj, key_attribute, session.execute(statement, values).scalar_one())
    make_transient_to_detached(obj)
    session.add(obj)


@functools.cache
def _insert_plan(mapper, with_key: bool):
    """A mapper's INSERT (built once: its values are execute parameters), the
    attribute of its primary key, and (column, attribute, default) for the
    columns written (the primary key too ``with_key``)."""
    table = mapper.local_table
    (primary_key,) = table.primary_key.columns
    columns = [(column.key, mapper.get_property_by_column(column).key, column.default)
               for column in table.columns if with_key or not column.primary_key]
    return table.insert().returning(primary_key), mapper.get_property_by_column(primary_key).key, columns
