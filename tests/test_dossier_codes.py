"""Dossier codes: <agency>-<YYMMDD>-<NNNN>, unique under concurrent submissions."""
from __future__ import annotations

import re
import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from builder.extensions import db
from builder.forms.package import import_package
from builder.models import Dossier, DossierSequence
from builder.process.calendar import VIETNAM
from builder.process.codes import code_written_by_insert, next_dossier_code
from tests.helpers import BA_DINH, citizen, example_data

THREADS, PER_THREAD = 16, 4


def test_code_format_and_day_in_vietnam_time(app):
    with app.app_context():
        # 18:30 UTC on 31 Dec is already 1 January in Hà Nội
        when = datetime(2026, 12, 31, 18, 30, tzinfo=timezone.utc)
        first = next_dossier_code(db.session, "000.00.06.H56", when)
        second = next_dossier_code(db.session, "000.00.06.H56", when)
        other_agency = next_dossier_code(db.session, "000.00.07.H56", when)
        next_day = next_dossier_code(db.session, "000.00.06.H56", datetime(2027, 1, 1, 18, 0, tzinfo=timezone.utc))
        db.session.commit()
    assert (first, second) == ("000.00.06.H56-270101-0001", "000.00.06.H56-270101-0002")
    assert other_agency == "000.00.07.H56-270101-0001"
    assert next_day == "000.00.06.H56-270102-0001"


def test_a_rolled_back_submission_gives_its_number_back(app):
    when = datetime(2026, 11, 23, 3, 0, tzinfo=timezone.utc)
    with app.app_context():
        next_dossier_code(db.session, "X", when)
        db.session.rollback()
        assert next_dossier_code(db.session, "X", when) == "X-261123-0001"


def test_concurrent_submissions_get_distinct_codes(app, client, birth_package):
    package = dict(birth_package, code="TEST.ONE-CALL")
    package["components"] = [dict(c, required=False) for c in package["components"]]
    with app.app_context():
        import_package(db.session, package)
        db.session.commit()
    headers = [citizen(client, f"001090{n:06d}") for n in range(4)]
    body = {"procedure": "TEST.ONE-CALL", "data": example_data(birth_package), "agency": BA_DINH}
    results, errors = [], []
    start = threading.Barrier(THREADS)

    def submit(n: int) -> None:
        own_client = app.test_client()
        start.wait()
        for _ in range(PER_THREAD):
            response = own_client.post("/api/v1/dossiers", headers=headers[n % 4], json=body)
            (results if response.status_code == 201 else errors).append(
                response.get_json() if response.status_code == 201 else (response.status_code, response.get_data(as_text=True)[:200]))

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    codes = [r["code"] for r in results]
    assert len(codes) == THREADS * PER_THREAD
    assert len(set(codes)) == len(codes)
    assert all(re.match(r"^000\.01\.01\.H26-\d{6}-\d{4}$", c) for c in codes)
    assert sorted(int(c[-4:]) for c in codes) == list(range(1, len(codes) + 1))
    with app.app_context():
        stored = db.session.scalars(select(Dossier.code).where(Dossier.code.is_not(None))).all()
    assert sorted(stored) == sorted(codes)


@pytest.mark.parametrize("template, in_sql", [
    ("{agency}-{date:%y%m%d}-{seq:04d}", True),
    ("{seq}", True),
    ("HS/{date:%Y}/{seq:7}/{agency}", True),
    ("{{{agency}}}-{seq:02}-{seq:d}-{seq:000006d}", True),
    ("{agency}-{seq:x}", False),
    ("{agency}-{seq!r}", False),
])
def test_the_code_written_in_sql_is_the_code_python_formats(app, client, birth_package, template, in_sql):
    """On PostgreSQL a one-call submission's INSERT writes the code itself
    (builder.process.codes.counted_code): for every format it takes, the
    code is what Python's format gives, padded alike and never cut; a format
    it does not take is written by Python, in a transaction."""
    app.config["DOSSIER_CODE_FORMAT"] = template
    package = dict(birth_package, code="TEST.ONE-CALL")
    package["components"] = [dict(c, required=False) for c in package["components"]]
    with app.app_context():
        import_package(db.session, package)
        # a number longer than the width: padding never cuts it
        db.session.add(DossierSequence(agency_code=BA_DINH, day=datetime.now(VIETNAM).date(), last=12344))
        db.session.commit()
        postgresql = db.engine.dialect.name == "postgresql"
        assert code_written_by_insert(db.engine.dialect.name) is (in_sql and postgresql)
    headers = citizen(client)
    body = {"procedure": "TEST.ONE-CALL", "data": example_data(birth_package), "agency": BA_DINH}
    response = client.post("/api/v1/dossiers", headers=headers, json=body)
    assert response.status_code == 201, response.get_json()
    code = response.get_json()["code"]
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        expected = template.format(agency=BA_DINH, date=dossier.submitted_at.astimezone(VIETNAM), seq=12345)
        assert code == dossier.code == expected
