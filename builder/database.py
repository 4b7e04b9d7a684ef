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
    table, values = row_values(obj)
    (key,) = insert_rows(session, [(table, values)])
    adopt(session, obj, key)


def row_values(obj) -> tuple:
    """The table of a new mapped object and the values of its row, with the
    column defaults computed and set on the object (the primary key only if
    it was given). Then :func:`insert_rows` writes it, and :func:`adopt`
    makes the object the session's."""
    from sqlalchemy import inspect as sa_inspect

    mapper = sa_inspect(obj).mapper
    key_column = mapper.local_table.primary_key.columns[0]
    given_key = obj.__dict__.get(mapper.get_property_by_column(key_column).key)
    values = {}
    for column_key, attribute, default in _columns(mapper, given_key is not None):
        value = obj.__dict__.get(attribute)
        if value is None and default is not None:
            value = default.arg(None) if default.is_callable else default.arg
            setattr(obj, attribute, value)
        elif attribute not in obj.__dict__:
            setattr(obj, attribute, None)
        values[column_key] = value
    return mapper.local_table, values


def adopt(session, obj, key) -> None:
    """Put a new object whose row was written (with primary key ``key``)
    into ``session`` as persistent and clean, as if it had been loaded."""
    from sqlalchemy import inspect as sa_inspect
    from sqlalchemy.orm import make_transient_to_detached

    mapper = sa_inspect(obj).mapper
    setattr(obj, mapper.get_property_by_column(mapper.local_table.primary_key.columns[0]).key, key)
    make_transient_to_detached(obj)
    session.add(obj)


@functools.cache
def _columns(mapper, with_key: bool) -> list:
    """(column, attribute, default) of the columns a new row is written with
    (the primary key too ``with_key``)."""
    return [(column.key, mapper.get_property_by_column(column).key, column.default)
            for column in mapper.local_table.columns if with_key or not column.primary_key]


def insert_rows(session, rows: list) -> list[int]:
    """Insert ``rows``, each ``(table, values)``, in that order, and return
    their primary keys in the same order. Consecutive rows of one table with
    the same columns go in one multi-row INSERT. On PostgreSQL all of them go
    in one statement, each INSERT a data-modifying CTE: one round trip, not
    one per table (a foreign key between them holds: it is checked at the
    statement's end). Statements are built once per shape, the values being
    their parameters. Keys come back in the rows' order because each INSERT
    gives its rows ascending keys in the order of its VALUES."""
    groups: list[tuple] = []  # (table, columns, [values, ...])
    for table, values in rows:
        columns = tuple(values)
        if groups and groups[-1][0] is table and groups[-1][1] == columns:
            groups[-1][2].append(values)
        else:
            groups.append((table, columns, [values]))
    shape = tuple((table, columns, len(batch)) for table, columns, batch in groups)
    params = {f"g{g}r{r}{column}": value for g, (_t, _c, batch) in enumerate(groups)
              for r, values in enumerate(batch) for column, value in values.items()}
    keys: dict[int, list[int]] = {}
    if session.get_bind().dialect.name == "postgresql":
        for group, key in session.execute(_combined_insert(shape), params):
            keys.setdefault(group, []).append(key)
    else:
        for number in range(len(groups)):
            statement = _group_insert(shape[number], number)
            keys[number] = list(session.execute(statement, params).scalars())
    return [key for number in range(len(groups)) for key in sorted(keys[number])]


@functools.lru_cache(maxsize=64)
def _group_insert(group: tuple, number: int):
    """``INSERT ... VALUES (..), (..) RETURNING key`` of one group, its values
    named ``g<group>r<row><column>``."""
    from sqlalchemy import bindparam

    table, columns, count = group
    rows = [{column: bindparam(f"g{number}r{row}{column}", type_=table.c[column].type) for column in columns}
            for row in range(count)]
    (primary_key,) = table.primary_key.columns
    return table.insert().values(rows).returning(primary_key)


@functools.lru_cache(maxsize=64)
def _combined_insert(shape: tuple):
    """The groups' INSERTs as CTEs of one statement that returns (group, key)."""
    from sqlalchemy import literal_column, select, union_all

    selects = []
    for number, group in enumerate(shape):
        inserted = _group_insert(group, number).cte(f"inserted_{number}")
        (key,) = inserted.c
        selects.append(select(literal_column(str(number)).label("group_number"), key.label("key")))
        selects[-1] = selects[-1].select_from(inserted)
    return union_all(*selects) if len(selects) > 1 else selects[0]
