"""Database settings and the write transaction.

SQLite (the embedded default) runs in WAL mode with ``synchronous=FULL``, so a
committed dossier survives a power loss. Its driver begins a transaction only
right before the first write (reads run outside one), so a write waits for the
lock instead of failing with "database is locked" when another process wrote
since our reads; :func:`write_transaction` goes further and takes the write
lock first (``BEGIN IMMEDIATE``), so everything it reads is read under the lock,
after taking its turn among this machine's writers (:class:`SqliteWriters`).
PostgreSQL needs none of this.
"""
from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.engine import Engine

from builder.extensions import db

try:
    import fcntl
except ImportError:  # not on Windows: SQLite's busy handler alone orders the writers there
    fcntl = None

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
    ping_after = None
    if url.startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    elif "pool_pre_ping" not in options:  # the instance's own choice stands
        ping_after = float(app.config.get("DATABASE_PING_AFTER_SECONDS", 0))
        options["pool_pre_ping"] = ping_after <= 0
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    if ping_after and ping_after > 0:
        with app.app_context():
            _ping_when_idle(db.engine, ping_after)


_USED_AT = "motcua_used_at"


def _ping_when_idle(engine: Engine, after: float) -> None:
    """Check a pooled connection with a ping (one round trip) before it is
    used only if it has been idle ``after`` seconds or more, as HikariCP
    does with its ``aliveBypassWindowMs`` (500 ms): a connection returned a
    moment ago is trusted. A dead one is replaced before the request uses
    it, and the pool's other connections of that age with it (the server
    restarted); a server that went away within the window costs the one
    request that finds out an error, and the pool is then renewed."""
    from sqlalchemy.exc import InvalidatePoolError

    dialect = engine.dialect

    def used(_dbapi_connection, record, *_rest) -> None:
        record.info[_USED_AT] = time.monotonic()

    def check(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get(_USED_AT, float("-inf")) < after:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise InvalidatePoolError(f"ping failed: {error}") from error  # the pool connects afresh
            raise

    event.listen(engine, "connect", used)
    event.listen(engine, "checkin", used)
    event.listen(engine, "checkout", check)


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


class SqliteWriters:
    """This machine's writers to one SQLite file, taking turns in the kernel.

    SQLite lets one writer in at a time; another one that finds the file
    locked is put to sleep by its busy handler (1 ms, then 2, 5, 10 ms...)
    and is not woken when the lock frees, so under load a writer sleeps
    longer than it waits, and the CPU idles meanwhile. Our write
    transactions first queue on an ``flock`` of ``<database>-writers`` (and
    on a lock of the process's threads, as flock is per open file), which
    hands the turn on as soon as it is released. SQLite's own lock still
    guards the file; this only orders our writers before they ask for it.
    A thread may enter again (a write transaction inside another): the turn
    is given back when the outermost one ends."""

    _opening = threading.Lock()

    def __init__(self, database_path: str):
        self.path = database_path + "-writers"
        self._per_process: dict[int, _Turn] = {}

    def __enter__(self):
        pid = os.getpid()  # a forked child opens its own file: flock is shared across a fork
        turn = self._per_process.get(pid)
        if turn is None:
            with self._opening:  # one open file per process, whichever thread comes first
                turn = self._per_process.get(pid)
                if turn is None:
                    turn = self._per_process[pid] = _Turn(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666))
        turn.threads.acquire()
        if turn.depth == 0:
            try:
                fcntl.flock(turn.fd, fcntl.LOCK_EX)
            except BaseException:
                turn.threads.release()
                raise
        turn.depth += 1
        return self

    def __exit__(self, *_exc) -> None:
        turn = self._per_process[os.getpid()]
        turn.depth -= 1
        try:
            if turn.depth == 0:
                fcntl.flock(turn.fd, fcntl.LOCK_UN)
        finally:
            turn.threads.release()


class _Turn:
    """One process's side of :class:`SqliteWriters`."""

    def __init__(self, fd: int):
        self.fd, self.threads, self.depth = fd, threading.RLock(), 0


_WRITERS: dict[str, SqliteWriters] = {}


def _sqlite_writers(connection) -> SqliteWriters | contextlib.nullcontext:
    url = connection.engine.url
    if (fcntl is None or url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:")
            or not current_app.config.get("SQLITE_WRITER_QUEUE", True)):
        return contextlib.nullcontext()
    path = os.path.abspath(url.database)
    writers = _WRITERS.get(path)
    return writers if writers is not None else _WRITERS.setdefault(path, SqliteWriters(path))


def _take_sqlite_write_lock(connection) -> None:
    raw = connection.connection.dbapi_connection
    if isinstance(raw, sqlite3.Connection) and not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def write_transaction(one_statement: bool = False) -> Iterator:
    """One unit of work that writes: commits on success, rolls back on any
    error, so nothing is ever half-saved. Objects read before it in the request
    stay loaded; code that decides on the state of a row re-reads it inside
    (with ``FOR UPDATE`` on PostgreSQL). Jobs recorded inside it are handed
    over only after the commit.

    ``one_statement`` says the block writes with a single statement, which is
    atomic by itself (the one-call submission): on PostgreSQL it then runs in
    autocommit, sparing the round trips of ``BEGIN`` and ``COMMIT``, unless
    the session is already in a transaction. Elsewhere it changes nothing."""
    from builder.jobs.queue import dispatch, forget_recorded_jobs, take_recorded_jobs

    session = db.session()  # the request's own Session, out of the scoped registry
    # its connection first: a writer waiting for its turn holds one, so the one whose
    # turn it is must not wait for the pool
    if one_statement and not session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        connection = session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    else:
        connection = session.connection()
    with _sqlite_writers(connection):
        try:
            _take_sqlite_write_lock(connection)
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            forget_recorded_jobs()
            raise
    dispatch(take_recorded_jobs())


def row_values(obj) -> tuple:
    """The table of a new mapped object and the values of its row, with the
    column defaults computed and set on the object (the primary key only if
    it was given). Then :func:`insert_rows` writes it, and :func:`adopt`
    makes the object the session's: for a hot path that writes a row and does
    not change it again in the transaction, where the unit of work (cascades,
    topological sort, per-attribute history) costs more than the statement.
    As the defaults are computed here, every column is loaded and reading one
    costs no query. Relationships must have been given as their foreign keys
    too."""
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


class Computed:
    """A column's value that the INSERT of :func:`insert_rows` computes itself
    (PostgreSQL only): ``expression`` is built once and kept, as the
    statement is cached by its shape, and ``params`` are its bind values;
    after the INSERT, ``value`` is what was written."""

    __slots__ = ("expression", "params", "value")

    def __init__(self, expression, params: dict):
        self.expression, self.params, self.value = expression, params, None


def insert_rows(session, rows: list) -> list[int]:
    """Insert ``rows``, each ``(table, values)``, in that order, and return
    their primary keys in the same order. On PostgreSQL they all go in one
    statement, each row a data-modifying CTE: one round trip, not one per row
    (a foreign key between them holds: it is checked at the statement's end);
    a value may be :class:`Computed` there. Elsewhere, consecutive rows of one
    table go in one multi-row INSERT (SQLAlchemy's insertmanyvalues), whose
    keys come back in the rows' order once sorted, as the rows take ascending
    keys in the order of the VALUES. The statements are built and compiled
    once per shape, and run on the transaction's connection: pending ORM
    changes are not flushed first (nothing here needs them; the commit
    flushes them). A column whose value is None and that has no default is
    left out of the INSERT (it is NULL all the same): fewer parameters, which
    also keeps a submission's statement within what psycopg caches of the
    queries it converts (50 parameters, 4096 characters)."""
    rows = [(table, {column: value for column, value in values.items()
                     if value is not None or table.c[column].default is not None})
            for table, values in rows]
    connection = session.connection()  # Core statements: no ORM execution events
    if connection.dialect.name == "postgresql":
        return _insert_in_one_statement(connection, rows)
    if any(isinstance(value, Computed) for _table, values in rows for value in values.values()):
        raise TypeError("a Computed value is written by PostgreSQL's combined INSERT only")
    keys: list[int] = []
    start = 0
    while start < len(rows):
        table, columns = rows[start][0], tuple(rows[start][1])
        end = start + 1
        while end < len(rows) and rows[end][0] is table and tuple(rows[end][1]) == columns:
            end += 1
        statement = _plain_insert(table)
        if end - start == 1:
            keys.append(run_precompiled(connection, statement, rows[start][1]).scalar_one())
        else:
            keys += sorted(connection.execute(statement, [values for _t, values in rows[start:end]]).scalars())
        start = end
    return keys


def _insert_in_one_statement(connection, rows: list) -> list[int]:
    shape, params, computed = [], {}, []
    for number, (table, values) in enumerate(rows):
        columns = []
        for column, value in values.items():
            if isinstance(value, Computed):
                columns.append((column, value.expression))
                params.update(value.params)
                computed.append(value)
            else:
                columns.append((column, None))
                params[f"r{number}{column}"] = value
        shape.append((table, tuple(columns)))
    row = run_precompiled(connection, _combined_insert(tuple(shape)), params).one()
    for value, result in zip(computed, row[len(rows):]):
        value.value = result
    return list(row[:len(rows)])


@functools.cache
def _plain_insert(table):
    (primary_key,) = table.primary_key.columns
    return table.insert().returning(primary_key)


@functools.lru_cache(maxsize=64)
def _combined_insert(shape: tuple):
    """One statement of single-row INSERT CTEs, the values of row ``n`` named
    ``r<n><column>`` (or a :class:`Computed` expression, given in the shape),
    that returns one row: the key of each row in order, then each computed
    value as it was written."""
    from sqlalchemy import bindparam, select, true

    keys, computed, product = [], [], None
    for number, (table, columns) in enumerate(shape):
        (primary_key,) = table.primary_key.columns
        expressions = [table.c[column] for column, expression in columns if expression is not None]
        inserted = (table.insert()
                    .values({column: bindparam(f"r{number}{column}", type_=table.c[column].type)
                             if expression is None else expression
                             for column, expression in columns})
                    .returning(primary_key.label("key"), *expressions)
                    .cte(f"inserted_{number}"))
        keys.append(inserted.c.key)
        computed += [inserted.c[column.key] for column in expressions]
        product = inserted if product is None else product.join(inserted, true())
    # each CTE writes one row: their product is the one row of the answer
    return select(*keys, *computed).select_from(product)


def run_precompiled(connection, statement, params: dict):
    """Run a Core ``statement`` that is built once and kept (the hot path's
    INSERTs and the code counter) with ``params``, as ``connection.execute``
    would, for less: it is compiled once per dialect and set of parameter
    names, and sent with ``exec_driver_sql`` (the engine's events still see
    it), so a call skips the compiled cache's lookup and the building of the
    parameters through the compiled form; values still go through their
    columns' types. A statement that needs more than its parameters (a
    column default computed in Python, an expanding IN) is run by
    ``execute``. About 4 % of a one-call submission's CPU."""
    compiled = _compiled(statement, connection.dialect, tuple(params))
    if compiled is None:  # it needs more than its parameters: execute does the rest
        return connection.execute(statement, params)
    sql, names, defaults, processors = compiled
    values = dict(defaults)
    values.update(params)
    for name, process in processors:
        if name in values:  # None too: a JSON column may write it as JSON null, as execute would
            values[name] = process(values[name])
    if names is None:
        return connection.exec_driver_sql(sql, values)
    return connection.exec_driver_sql(sql, tuple(values[name] for name in names))


@functools.lru_cache(maxsize=256)  # shapes are few; this only bounds an unforeseen variety
def _compiled(statement, dialect, keys: tuple) -> tuple | None:
    """(SQL, the parameter order for a positional driver or None, the
    literal values, the type processors) of ``statement`` on ``dialect``,
    given the parameters ``keys`` (an INSERT without values takes its
    columns from them, as with ``execute``); None if executing it needs
    more than its parameters (a column's Python-side default)."""
    compiled = statement.compile(dialect=dialect, column_keys=sorted(keys))
    binds = compiled.binds
    if (compiled.insert_prefetch or compiled.update_prefetch or compiled.escaped_bind_names
            or any(b.callable or b.expanding or b.literal_execute for b in binds.values())):
        return None
    defaults = {name: bind.value for name, bind in binds.items() if bind.value is not None}
    processors = []
    for name, bind in binds.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors.append((name, process))
    names = list(compiled.positiontup) if compiled.positiontup else None
    return compiled.string, names, defaults, tuple(processors)
