"""Dossier codes: ``<agency code>-<YYMMDD>-<NNNN>`` [Decree 61/2018 art. 26].

The sequence is a counter row per agency and day, bumped with one atomic
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` in the submitting
transaction: concurrent submissions queue on that row (PostgreSQL) or on the
write lock (SQLite) and never share a number; a rolled-back submission gives
its number back, so codes have no gaps but tolerate them."""
from __future__ import annotations

import functools
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from builder.models import DossierSequence
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


def next_sequence(session: Session, agency_code: str, when: datetime) -> int:
    statement = _bump(session.get_bind().dialect.name)
    day = when.astimezone(VIETNAM).date()
    return session.execute(statement, {"agency_code": agency_code, "day": day}).scalar_one()


def next_dossier_code(session: Session, agency_code: str, when: datetime) -> str:
    seq = next_sequence(session, agency_code, when)
    template = current_app.config["DOSSIER_CODE_FORMAT"]
    return template.format(agency=agency_code, date=when.astimezone(VIETNAM), seq=seq)
