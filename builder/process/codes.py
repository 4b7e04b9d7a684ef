"""Dossier codes: ``<agency code>-<YYMMDD>-<NNNN>`` [Decree 61/2018 art. 26].

The sequence is a counter row per agency and day, bumped with one atomic
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` in the submitting
transaction: concurrent submissions queue on that row (PostgreSQL) or on the
write lock (SQLite) and never share a number; a rolled-back submission gives
its number back, so codes have no gaps but tolerate them.

A new dossier inserted in one go (the one-call submission) takes its row id
from the same statement (:func:`next_code_and_id`), so that its first history
entry, whose hash covers the dossier's id, is made before the dossier is
written, and the dossier is written once, with its chain head."""
from __future__ import annotations

import functools
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from builder.database import run_precompiled
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
        .values(agency_code=bindparam("agency_code"), day=bindparam("day"), last=1)
        .on_conflict_do_update(
            index_elements=[table.c.agency_code, table.c.day],
            set_={"last": table.c.last + 1},
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
        next_id = func.nextval(func.pg_get_serial_sequence(dossier.name, dossier.c.id.name))
    else:
        next_id = select(func.coalesce(func.max(dossier.c.id), 0) + 1).scalar_subquery()
    return _bump(dialect).returning(next_id)


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
