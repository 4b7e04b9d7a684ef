"""Settings: defaults, then instance/config.py, then the environment."""
from __future__ import annotations

from builder import create_app
from builder.extensions import db


def test_settings_come_from_the_instance_then_the_environment(tmp_path, monkeypatch):
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text(
        "ATTACHMENT_MAX_BYTES = 1234\nREDIS_URL = 'redis://from-config:6379/0'\n"
        "PLUGINS = {'vnpay': {'tmn_code': 'ABC'}}\n")
    monkeypatch.setenv("MOTCUA_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("REDIS_URL", "redis://from-env:6379/1")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.instance_path == str(instance)
    assert app.config["ATTACHMENT_MAX_BYTES"] == 1234
    assert app.config["REDIS_URL"] == "redis://from-env:6379/1"
    assert app.config["PLUGINS"]["vnpay"]["tmn_code"] == "ABC"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance}/motcua.db"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "vi"
    assert len(app.config["SECRET_KEY"]) == 64  # made once, kept in the instance
    assert (instance / "secret_key").read_text().strip() == app.config["SECRET_KEY"]
    with app.app_context():
        db.engine.dispose()


def test_postgres_urls_of_hosting_providers_are_accepted(tmp_path, monkeypatch):
    monkeypatch.setenv("MOTCUA_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.internal/motcua")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql://u:p@db.internal/motcua"


def test_sqlite_is_durable(app):
    from sqlalchemy import text

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # PostgreSQL: an idle pooled connection is pinged before use (tests/test_connection_ping.py)
        with app.app_context():
            assert app.config["DATABASE_PING_AFTER_SECONDS"] == 0.5 and db.engine.pool.dispatch.checkout
        return
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
