"""Dossier codes: ``<agency code>-<YYMMDD>-<NNNN>`` [Decree 61/2018 art. 26].

The sequence is a counter row per agency and day, bumped with one atomic
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` in the submitting
transaction: concurrent submissions queue on that row (PostgreSQL) or on the
write lock (SQLite) and never share a number; a rolled-back submission gives
its number back, so codes have no gaps but tolerate them.

A new dossier inserted in one go (the one-call submission) has its row id
before it is written, so that its first history entry, whose hash covers the
dossier's id, is made first, and the dossier is written once, with its chain
head. On PostgreSQL the dossier's INSERT takes the id from the id's sequence,
bumps the counter and writes the code itself (:func:`code_written_by_insert`),
and the entry's hash is computed there too: the submission is one statement,
atomic by itself, run without ``BEGIN`` and ``COMMIT``. On SQLite, or with a
code format whose number SQL cannot write, the counter's statement gives the
id too (:func:`next_code_and_id`), in the submitting transaction."""
from __future__ import annotations

import functools
import re
import string
from datetime import datetime

from flask import current_app
from sqlalchemy import String, bindparam, cast, func, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from builder.database import Computed, run_precompiled
from builder.models import Dossier, DossierSequence
from builder.process.calendar import VIETNAM

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@functools.cache
def _bump(dialect: str):
    """The upsert for one dialect, built once: the agency and the day are
    execute parameters (building the statement costs more than running it)."""
    table = DossierSequence.__table__
    return (
        _INSERTS[dialect](table)
        .values(agency_code=bindparam("agency_code"), day=bindparam("day"), last=literal_column("1"))
        .on_conflict_do_update(
            index_elements=[table.c.agency_code, table.c.day],
            set_={"last": table.c.last + literal_column("1")},
        )
        .returning(table.c.last)
    )


@functools.cache
def _bump_with_next_id(dialect: str):
    """The upsert that also gives the next dossier id: PostgreSQL takes it
    from the id's own sequence; SQLite, under the write lock the submission
    holds, gives max(id) + 1, as its rowid would be."""
    dossier = Dossier.__table__
    if dialect == "postgresql":
        next_id = _next_id_postgresql()
    else:
        next_id = select(func.coalesce(func.max(dossier.c.id), 0) + 1).scalar_subquery()
    return _bump(dialect).returning(next_id)


def _next_id_postgresql():
    """``nextval`` of the sequence of ``dossier.id``; the names are ours,
    written in the SQL (no parameters)."""
    dossier = Dossier.__table__
    return func.nextval(func.pg_get_serial_sequence(literal_column(f"'{dossier.name}'"),
                                                    literal_column(f"'{dossier.c.id.name}'")))


def _run(session: Session, build, agency_code: str, when: datetime):
    """Run the upsert ``build(dialect)`` for the agency's day, on the
    transaction's connection (a Core statement: no ORM execution events)."""
    connection = session.connection()
    day = when.astimezone(VIETNAM).date()
    return run_precompiled(connection, build(connection.dialect.name), {"agency_code": agency_code, "day": day})


def next_sequence(session: Session, agency_code: str, when: datetime) -> int:
    return _run(session, _bump, agency_code, when).scalar_one()


def next_dossier_code(session: Session, agency_code: str, when: datetime) -> str:
    return _format(agency_code, when, next_sequence(session, agency_code, when))


def next_code_and_id(session: Session, agency_code: str, when: datetime) -> tuple[str, int]:
    """The next dossier code and the id for a new dossier, in one statement
    (inside the transaction that inserts it)."""
    seq, dossier_id = _run(session, _bump_with_next_id, agency_code, when).one()
    return _format(agency_code, when, seq), dossier_id


def _format(agency_code: str, when: datetime, seq: int) -> str:
    template = current_app.config["DOSSIER_CODE_FORMAT"]
    return template.format(agency=agency_code, date=when.astimezone(VIETNAM), seq=seq)


# --- the code written by the dossier's INSERT (PostgreSQL) ------------------

_SEQ_SPEC = re.compile(r"(0?)(\d*)d?")  # "", "d", "4", "4d", "04", "04d": what SQL writes here


@functools.cache
def _code_in_sql(template: str):
    """The SQL of a new dossier's INSERT that takes the next id and bumps the
    counter (a CTE): the id's expression, the code format's expression, and
    the templates of the format's other parts, formatted in Python and bound
    as ``code_part_<n>``; None if a ``seq`` field has a conversion or a
    format other than a width, zero-padded or not. The code pads as Python
    does, and never cuts a longer number."""
    counter = _bump("postgresql").returning(_next_id_postgresql().label("dossier_id")).cte("counter")
    number = cast(counter.c.last, String)
    pieces, parts, pending = [], [], ""
    formatter = string.Formatter()
    for text, field, spec, conversion in formatter.parse(template):
        pending += text.replace("{", "{{").replace("}", "}}")
        if field is None:
            continue
        if field != "seq":
            pending += "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            continue
        match = _SEQ_SPEC.fullmatch(spec or "")
        if conversion or match is None:
            return None
        if pending:
            pieces.append(bindparam(f"code_part_{len(parts)}", type_=String))
            parts.append(pending)
            pending = ""
        width = int(match.group(2) or 0)
        fill = literal_column("'0'" if match.group(1) else "' '")  # constants of the format: in the SQL
        pieces.append(func.lpad(number, func.greatest(literal_column(str(width)), func.length(number)), fill)
                      if width else number)
    if pending:
        pieces.append(bindparam(f"code_part_{len(parts)}", type_=String))
        parts.append(pending)
    code = pieces[0]
    for piece in pieces[1:]:
        code = code.op("||")(piece)
    return select(counter.c.dossier_id).scalar_subquery(), select(code).scalar_subquery(), tuple(parts)


def code_written_by_insert(dialect: str) -> bool:
    """Whether a new dossier's INSERT can take its id, bump the counter and
    write its code (:func:`counted`): on PostgreSQL, with a code format SQL
    can write."""
    return dialect == "postgresql" and _code_in_sql(current_app.config["DOSSIER_CODE_FORMAT"]) is not None


def counted(agency_code: str, when: datetime) -> tuple[Computed, Computed]:
    """For a new dossier of ``agency_code`` submitted ``when`` whose INSERT
    takes its id and bumps the counter (see :func:`code_written_by_insert`):
    its id and its code, as values that INSERT computes; the id's
    ``expression`` is for the rows of the same INSERT that refer to it."""
    dossier_id, code, parts = _code_in_sql(current_app.config["DOSSIER_CODE_FORMAT"])
    local = when.astimezone(VIETNAM)
    params = {"agency_code": agency_code, "day": local.date()}
    params.update((f"code_part_{n}", part.format(agency=agency_code, date=local)) for n, part in enumerate(parts))
    return Computed(dossier_id, {}), Computed(code, params)
