"""The baseline of ``bench/submit.py``: a bare Flask endpoint that does only
the irreducible work of a submission.

``POST /bare/dossiers`` takes the same body as ``POST /api/v1/dossiers``,
validates its ``data`` with ``jsonschema.Draft202012Validator`` against the
birth-registration form schema (built once per worker) and inserts one row
into ``bare_dossier`` with SQLAlchemy Core, in a transaction of its own. No
authentication, no ORM, no framework on top of Flask.

The database comes from ``BENCH_BARE_DATABASE_URL``. On SQLite the connection
gets the same settings as the app's (WAL, ``synchronous=FULL``, a busy timeout,
``BEGIN IMMEDIATE`` for the write), so both sides pay the same durability.

Serve it with gunicorn::

    BENCH_BARE_DATABASE_URL=sqlite:////tmp/bare.db \\
        gunicorn --pythonpath bench --workers 2 "bare_app:create_app()"
"""
from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from flask import Flask, jsonify, request
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import JSON, Column, Integer, MetaData, Table, create_engine, event, insert
from sqlalchemy.exc import OperationalError, ProgrammingError

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "form_library" / "birth_registration.json"
URL_VARIABLE = "BENCH_BARE_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 30_000

metadata = MetaData()
bare_dossier = Table(
    "bare_dossier",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("data", JSON, nullable=False),
)


def form_schema() -> dict:
    with open(SCHEMA_FILE, encoding="utf-8") as source:
        return json.load(source)["form"]["schema"]


def make_engine(url: str):
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_tables(url: str) -> None:
    """Create ``bare_dossier`` (bench/submit.py calls this before serving)."""
    engine = make_engine(url)
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()


def create_app() -> Flask:
    url = os.environ[URL_VARIABLE]
    engine = make_engine(url)
    try:
        metadata.create_all(engine)  # usually done already; two workers may race here
    except (OperationalError, ProgrammingError):
        pass
    validator = Draft202012Validator(form_schema(), format_checker=FormatChecker())
    app = Flask(__name__)

    @app.get("/bare/health")
    def health():
        return jsonify({"ok": True})

    @app.post("/bare/dossiers")
    def submit():
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("data", {}), dict):
            return jsonify({"message": "The request body must be a JSON object."}), 400
        data = body.get("data") or {}
        errors: dict[str, list[str]] = {}
        for error in validator.iter_errors(data):
            path = ".".join(str(p) for p in error.absolute_path)
            errors.setdefault(path, []).append(error.message)
        if errors:
            return jsonify({"message": "The dossier is not valid.", "errors": errors}), 422
        with engine.begin() as conn:
            new_id = conn.execute(
                insert(bare_dossier).values(data=data).returning(bare_dossier.c.id)
            ).scalar_one()
        return jsonify({"id": new_id}), 201

    return app
