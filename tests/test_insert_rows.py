"""builder.database.insert_rows: rows of several tables in one go (one
statement on PostgreSQL), each given back its own key, in order, and
nothing written when one of them fails."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from builder.database import insert_rows, write_transaction
from builder.extensions import db
from builder.models import JobRecord
from builder.models.types import utcnow
from tests.helpers import statements_of

OUTBOX = JobRecord.__table__


def _job(func: str, queue: str = "default", **extra) -> tuple:
    return OUTBOX, {"func": func, "args": [func], "queue": queue, "state": "pending", "attempts": 0,
                    "created_at": utcnow(), **extra}


def test_each_row_gets_its_own_key_in_order(app):
    rows = [_job("a"), _job("b"), _job("c", "pdf", last_error="x"), _job("d"), _job("e")]

    def write():
        with app.app_context():
            with write_transaction() as session:
                return insert_rows(session, rows)

    keys, statements = statements_of(app, write)
    assert len(set(keys)) == 5
    with app.app_context():
        found = {row.id: row.func for row in db.session.scalars(select(JobRecord))}
    assert [found[key] for key in keys] == ["a", "b", "c", "d", "e"]
    inserts = [s for s in statements if "INSERT INTO" in s]
    # one statement on PostgreSQL; elsewhere one per run of rows with the same columns (a b | c | d e)
    assert len(inserts) == (1 if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else 3)


def test_a_failing_row_writes_none_of_them(app):
    with app.app_context():
        with pytest.raises(IntegrityError):
            with write_transaction() as session:
                insert_rows(session, [_job("kept?"), _job(None)])  # func may not be NULL
        assert db.session.scalar(select(func.count(JobRecord.id))) == 0


def test_a_precompiled_statement_writes_what_execute_writes(app):
    """run_precompiled: the same row as ``connection.execute`` (the JSON and
    the time through their column types); a statement that needs a default
    computed in Python (here ``created_at``) is left to ``execute``."""
    from sqlalchemy import insert

    from builder.database import run_precompiled

    statement = insert(OUTBOX).returning(OUTBOX.c.id)
    with app.app_context():
        with write_transaction() as session:
            connection = session.connection()
            first = run_precompiled(connection, statement, _job("a")[1]).scalar_one()
            second = connection.execute(statement, _job("a")[1]).scalar_one()
            defaulted = run_precompiled(connection, statement, {"func": "b", "args": ["b"]}).scalar_one()
        rows = {row.id: row for row in db.session.scalars(select(JobRecord))}
        assert {first, second, defaulted} == set(rows)
        made, expected = rows[first], rows[second]
        assert (made.func, made.args, made.queue, made.state, made.attempts) == \
               (expected.func, expected.args, expected.queue, expected.state, expected.attempts) == \
               ("a", ["a"], "default", "pending", 0)
        assert abs((made.created_at - expected.created_at).total_seconds()) < 60
        assert made.created_at.utcoffset() is not None  # stored and read back as UTC
        assert rows[defaulted].created_at is not None and rows[defaulted].args == ["b"]
