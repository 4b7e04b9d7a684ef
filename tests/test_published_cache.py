"""The published catalogue cached per process (builder/process/published.py):
fewer statements per submission, and never a stale answer after a change
made in this process; another process's change shows within the TTL."""
from __future__ import annotations

import copy
import re

from sqlalchemy import select, update

from builder import detached_cache
from builder.extensions import db
from builder.forms.package import import_package
from builder.models import Procedure
from tests.helpers import BA_DINH, BIRTH_CODE, citizen, example_data, statements_of


def _draft(client, headers):
    response = client.post("/api/v1/dossiers", headers=headers, json={
        "procedure": BIRTH_CODE, "data": {}, "delivery": {"method": "online"}, "submit": False})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _one_call_package(app, birth_package) -> dict:
    """Birth registration published as TEST.ONE-CALL with every component
    optional, so that one call submits it."""
    package = copy.deepcopy(birth_package)
    package["code"] = "TEST.ONE-CALL"
    for component in package["components"]:
        component["required"] = False
    with app.app_context():
        import_package(db.session, package, published_by="tests")
        db.session.commit()
    return package


def test_a_second_submission_reads_no_service_agency_or_version(app, client, library):
    headers = citizen(client)
    _draft(client, headers)  # fills the cache
    body, statements = statements_of(app, lambda: _draft(client, headers))
    assert body["procedure"] == BIRTH_CODE and body["version"] == 1
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert not [s for s in reads if "FROM procedure" in s or "FROM agency" in s], reads
    # nor the signed-in user with their roles and profile (builder/security.py caches them too)
    assert not [s for s in reads if "FROM ab_user" in s or "FROM user_profile" in s or "FROM ab_role" in s], reads


def test_a_version_published_in_this_process_is_used_at_once(app, client, library, birth_package):
    headers = citizen(client)
    assert _draft(client, headers)["version"] == 1
    changed = copy.deepcopy(birth_package)
    changed["name"] = "Đăng ký khai sinh (mẫu mới)"
    with app.app_context():
        import_package(db.session, changed, published_by="tests")
        db.session.commit()
    assert _draft(client, headers)["version"] == 2


def test_a_service_withdrawn_in_this_process_is_refused_at_once(app, client, library):
    headers = citizen(client)
    _draft(client, headers)
    with app.app_context():
        db.session.execute(update(Procedure).where(Procedure.code == BIRTH_CODE)
                           .values(current_version_id=None))
        db.session.commit()
    response = client.post("/api/v1/dossiers", headers=headers, json={
        "procedure": BIRTH_CODE, "data": {}, "submit": False})
    assert response.status_code == 422
    assert "procedure" in response.get_json()["errors"]


def test_another_process_change_is_seen_after_the_ttl(app, client, library, monkeypatch):
    """A change this process cannot see (another worker's) is picked up when
    the entry is older than CATALOGUE_CACHE_SECONDS."""
    headers = citizen(client)
    clock = [1000.0]
    monkeypatch.setattr(detached_cache.time, "monotonic", lambda: clock[0])
    app.config["CATALOGUE_CACHE_SECONDS"] = 5
    _draft(client, headers)
    with app.app_context():  # as another process would: Core, no ORM events here
        with db.engine.begin() as connection:
            connection.execute(Procedure.__table__.update().where(Procedure.__table__.c.code == BIRTH_CODE)
                               .values(current_version_id=None))
    clock[0] += 4  # within the TTL: the cached version is still used, and valid
    assert _draft(client, headers)["version"] == 1
    clock[0] += 2  # past it: read again
    response = client.post("/api/v1/dossiers", headers=headers, json={
        "procedure": BIRTH_CODE, "data": {}, "submit": False})
    assert response.status_code == 422 and "procedure" in response.get_json()["errors"]


def test_the_cache_can_be_turned_off(app, client, library):
    app.config["CATALOGUE_CACHE_SECONDS"] = 0
    headers = citizen(client)
    _draft(client, headers)
    _, statements = statements_of(app, lambda: _draft(client, headers))
    assert [s for s in statements if "FROM procedure" in s]


def test_a_one_call_submission_writes_each_row_once(app, client, library, birth_package):
    """The hot path: the counter, the dossier, its first history entry, its
    chain head and its jobs, each written once and nothing read back; on
    PostgreSQL all in one statement, which takes the dossier's id and
    computes its code and chain head too, run in autocommit (no BEGIN, no
    COMMIT round trip)."""
    from sqlalchemy import event

    package = _one_call_package(app, birth_package)
    headers = citizen(client)
    payload = {"procedure": "TEST.ONE-CALL", "data": example_data(package), "delivery": {"method": "online"}}
    assert client.post("/api/v1/dossiers", headers=headers, json=payload).status_code == 201  # warm
    autocommit = []

    def record(conn, cursor, statement, params, context, executemany):
        autocommit.append((statement, getattr(conn.connection.dbapi_connection, "autocommit", None)))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response, statements = statements_of(app, lambda: client.post("/api/v1/dossiers", headers=headers,
                                                                       json=payload))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    body = response.get_json()
    assert response.status_code == 201 and body["status"] == 1 and body["code"], body
    submission = statements[:statements.index("COMMIT")]  # then the jobs run here (no Redis in tests)
    writing = [s for s in submission if re.search(r"\b(INSERT INTO|(?<!DO )UPDATE|DELETE FROM) ", s)]
    writes = [f"{verb.split()[0]} {table}" for s in writing
              for verb, table in re.findall(r"\b(INSERT INTO|(?<!DO )UPDATE|DELETE FROM) \"?(\w+)", s)]
    # PostgreSQL: all in one round trip; SQLite: the counter, then one INSERT per table
    postgresql = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    assert writes == ["INSERT dossier_sequence", "INSERT dossier", "INSERT dossier_history",
                      *["INSERT job_outbox"] * (2 if postgresql else 1)], statements
    assert len(writing) == (1 if postgresql else 4), writing
    if postgresql:
        assert submission == writing, submission  # the one round trip
        # the writing statement ran in autocommit: it is its own transaction
        assert [on for statement, on in autocommit if statement == writing[0]] == [True]
        # within what psycopg caches of the queries it converts: 50 parameters, 4096 characters
        assert writing[0].count("%(") <= 50 and len(writing[0]) <= 4096, writing[0]
    # no dossier is read (SQLite's next id, max(id) + 1 in the counter's statement, is the last key of the index)
    assert not [s for s in submission if "FROM dossier" in s and not s.startswith("INSERT INTO dossier_sequence")]
    with app.app_context():
        from builder.models import Dossier, JobRecord
        from builder.process.history import broken_links

        dossier = db.session.scalar(select(Dossier).where(Dossier.code == body["code"]))
        assert dossier.history_head and dossier.row_version == 1 and dossier.procedure_id
        assert broken_links(db.session, dossier.id) == []
        assert sorted(j.func for j in db.session.scalars(select(JobRecord).where(JobRecord.args == [dossier.id]))
                      ) == ["builder.jobs.tasks.notify_submitted", "builder.jobs.tasks.render_form_pdf"]


def test_a_new_dossier_links_the_shared_copies_and_no_session_takes_them(app, client, library):
    """A submission links the process's read-only copies of its service,
    version and agency (no merge). Adding the dossier, or an object linked
    to it, or rolling back must neither take them into the session nor
    expire them: the next submission reads them."""
    from sqlalchemy import inspect

    from builder.models import Attachment
    from builder.process.dossiers import create_dossier

    headers = citizen(client)
    _draft(client, headers)  # fills the cache
    with app.test_request_context():
        user_model = app.appbuilder.sm.user_model
        user = db.session.scalar(select(user_model).where(user_model.username == "001090012345"))
        dossier = create_dossier(user, {"procedure": BIRTH_CODE, "data": {}, "delivery": {"method": "online"},
                                        "submit": False})
        shared = (dossier.procedure, dossier.version, dossier.agency)
        assert all(inspect(obj).detached for obj in shared), [inspect(obj) for obj in shared]
        session = db.session()
        session.add(Attachment(dossier=dossier, component="x", filename="x.pdf", content_type="application/pdf",
                               size=1, sha256="0" * 64))
        assert all(inspect(obj).detached for obj in shared)
        session.rollback()
        assert all(inspect(obj).detached and not inspect(obj).expired_attributes for obj in shared)
        assert dossier.procedure.code == BIRTH_CODE and dossier.version.package["form"]["schema"]
    assert _draft(client, headers)["procedure"] == BIRTH_CODE


def test_the_answer_to_a_submission_is_what_reading_the_dossier_gives(app, client, library, birth_package):
    """The one-call submission answers from the shared read-only copies and
    the row it wrote, without reading anything back: its answer must be what
    GET /api/v1/dossiers/<code> gives from the database, for a submission and
    for a draft, at the service's agency and at one below it."""
    package = _one_call_package(app, birth_package)
    headers = citizen(client)
    for submit in (True, False):
        for agency in (None, BA_DINH):
            payload = {"procedure": "TEST.ONE-CALL", "data": example_data(package),
                       "delivery": {"method": "online"}, "submit": submit}
            if agency:
                payload["agency"] = agency
            answer = client.post("/api/v1/dossiers", headers=headers, json=payload)
            assert answer.status_code == 201, answer.get_json()
            created = answer.get_json()
            assert created["status"] == (1 if submit else 0)
            read = client.get(f"/api/v1/dossiers/{created['code'] or created['id']}", headers=headers)
            assert read.status_code == 200
            assert created == read.get_json()
