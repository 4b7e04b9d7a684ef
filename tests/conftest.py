"""Fixtures. Every test that takes ``app`` runs twice: on SQLite and on
PostgreSQL. Services the suite needs (PostgreSQL, Redis) must be reachable;
outside CI a missing one skips its tests with a message saying how to start
it, inside CI (CI=true) it fails them."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
import redis as redis_lib
from sqlalchemy import create_engine, text

from builder import create_app
from builder.extensions import db

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "form_library"
BIRTH = LIBRARY / "birth_registration.json"
PG_ADMIN_URL = os.environ.get("MOTCUA_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("MOTCUA_TEST_REDIS", "redis://127.0.0.1:6379/13")
IN_CI = os.environ.get("CI") == "true"
START_HINTS = {
    "postgresql": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "redis": "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no",
}

# Tables a test may fill; emptied between tests on PostgreSQL. The security
# tables of roles and permissions, and the agencies, are set up once.
PER_TEST_TABLES = [
    "delivery_event", "delivery_order",
    "payment", "dossier_document", "dossier_history", "dossier_transfer", "attachment", "dossier",
    "agency_calendar_day", "dossier_evaluation", "document_template", "agency_document",
    "dossier_sequence", "job_outbox", "procedure_version", "procedure",
    "external_identity", "user_profile", "ab_user_role", "ab_user_group", "ab_api_key", "ab_user",
]


AGENCY_SNAPSHOT: dict[str, list] = {}  # database URL -> the agency rows as loaded


def unavailable(service: str, error: Exception):
    message = f"{service} is not reachable ({error}); start it with: {START_HINTS[service]}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def base_config(instance: Path, database_url: str) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-of-at-least-thirty-two-bytes",
        "WTF_CSRF_ENABLED": False,
        "REDIS_URL": None,
        "JOB_RETRIES": 1,
    }


def prepare_database(config: dict) -> None:
    """Migrate, create roles and permissions, load agencies."""
    from builder.migrate import upgrade
    from builder.setup import load_agencies, sync_security

    app = create_app(config)
    with app.app_context():
        upgrade()
        sync_security()
        load_agencies()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.db"
    prepare_database(base_config(folder / "instance", f"sqlite:///{path}"))
    return path


@contextlib.contextmanager
def scratch_postgres(name: str):
    """A new, empty PostgreSQL database of this name (its URL), dropped after."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        admin.dispose()
        unavailable("postgresql", exc)
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory) -> str:
    with scratch_postgres(f"motcua_test_{os.getpid()}_{uuid.uuid4().hex[:6]}") as url:
        prepare_database(base_config(tmp_path_factory.mktemp("pg-instance"), url))
        engine = create_engine(url)
        with engine.connect() as conn:  # the agencies as loaded: each test starts from them
            AGENCY_SNAPSHOT[url] = conn.execute(text(
                "SELECT coalesce(json_agg(row_to_json(agency)), '[]') FROM agency")).scalar()
        engine.dispose()
        yield url


@pytest.fixture
def fresh_database(request, tmp_path):
    """An empty database of its own, no table in it: a SQLite file, or a new
    PostgreSQL database, as ``request.param`` says (parametrize it with
    ``indirect=True``)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    with scratch_postgres(f"motcua_fresh_{uuid.uuid4().hex[:8]}") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "motcua.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    with engine.connect() as conn:  # a new table must be listed, or tests leak into each other
        tables = set(conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
    kept = {"alembic_version", "agency", "ab_permission", "ab_view_menu", "ab_permission_view",
            "ab_role", "ab_permission_view_role", "ab_group", "ab_group_role", "ab_register_user"}
    assert tables - kept == set(PER_TEST_TABLES), tables - kept ^ set(PER_TEST_TABLES)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(PER_TEST_TABLES)} RESTART IDENTITY CASCADE"))
        # agencies are kept between tests, but a test may add one or change one (its
        # office hours, its name): put them back as they were loaded
        snapshot = json.dumps(AGENCY_SNAPSHOT[url])
        conn.execute(text("DELETE FROM agency WHERE id NOT IN "
                          "(SELECT id FROM json_populate_recordset(NULL::agency, CAST(:rows AS json)))"),
                     {"rows": snapshot})
        conn.execute(text(
            "UPDATE agency SET code = v.code, name = v.name, level = v.level, parent_id = v.parent_id, "
            "address = v.address, phone = v.phone, email = v.email, office_hours = v.office_hours "
            "FROM json_populate_recordset(NULL::agency, CAST(:rows AS json)) AS v "
            "WHERE agency.id = v.id"), {"rows": snapshot})
    engine.dispose()
    return url


@pytest.fixture
def app_config(database_url, tmp_path) -> dict:
    """Tests may change this mapping before asking for ``app``."""
    return base_config(tmp_path / "instance", database_url)


@pytest.fixture
def app(app_config):
    """The app, with no context pushed: each test request gets its own app
    context and database session, as in production. Tests reading the
    database wrap it in ``with app.app_context():``."""
    application = create_app(app_config)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def birth_package() -> dict:
    return json.loads(BIRTH.read_text("utf-8"))


@pytest.fixture
def library(app, birth_package):
    """The birth-registration service, published."""
    from builder.forms.package import import_package

    with app.app_context():
        version = import_package(db.session, birth_package, published_by="tests")
        db.session.commit()
        return {"procedure_id": version.procedure_id, "number": version.number}


@pytest.fixture
def redis_url():
    connection = redis_lib.Redis.from_url(REDIS_TEST_URL)
    try:
        connection.ping()
    except redis_lib.exceptions.RedisError as exc:
        unavailable("redis", exc)
    connection.flushdb()
    yield REDIS_TEST_URL
    connection.flushdb()
    connection.close()


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / f"{uuid.uuid4().hex}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def pdf_fonts(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / f"{uuid.uuid4().hex}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout


def fonts_drawing_text(pdf: bytes) -> set[str]:
    """The base fonts that actually draw text (reportlab registers Helvetica
    on every canvas, so its mere presence in pdffonts means nothing)."""
    import io as _io

    from pypdf import PdfReader
    from pypdf.generic import ContentStream

    used: set[str] = set()
    reader = PdfReader(_io.BytesIO(pdf))
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        current = None
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                current = fonts[operands[0]].get_object()["/BaseFont"]
            elif operator in (b"Tj", b"TJ", b"'", b'"') and current:
                used.add(str(current).split("+")[-1].lstrip("/"))
    return used
