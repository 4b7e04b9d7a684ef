"""PostgreSQL's pooled connections: pinged before use only after being idle
DATABASE_PING_AFTER_SECONDS (builder.database._ping_when_idle), replaced when
the server closed them meanwhile, and a lost connection answered with a 503
that asks to send again, nothing written."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, func, select, text

from builder.extensions import db
from builder.models import Dossier
from tests.conftest import PG_ADMIN_URL
from tests.helpers import BA_DINH, citizen, example_data

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

WINDOW = 1.0  # long enough that two uses in a row are within it, even on a loaded machine


@pytest.fixture
def ping_window() -> float:
    return WINDOW


@pytest.fixture
def pinged(app_config, ping_window, request, monkeypatch):
    """The app with a window of ``ping_window`` seconds, and the list of the
    pings it sends."""
    app_config["DATABASE_PING_AFTER_SECONDS"] = ping_window
    app = request.getfixturevalue("app")
    with app.app_context():
        dialect = db.engine.dialect
    pings: list[int] = []
    original = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda connection: pings.append(1) or original(connection))
    return app, pings


def _backend(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.pg_backend_pid()))


def _close_the_apps_connections(app) -> None:
    """What a server restart does to the pooled connections."""
    with app.app_context():
        name = db.engine.url.database
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        closed = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                   "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name}).scalar()
    admin.dispose()
    assert closed >= 1
    time.sleep(0.05)  # the backends are gone


def test_a_connection_returned_a_moment_ago_is_not_pinged_and_an_idle_one_is(pinged):
    app, pings = pinged
    first = _backend(app)
    assert _backend(app) == first and pings == []  # the same connection, trusted
    time.sleep(WINDOW + 0.05)
    assert _backend(app) == first and pings == [1]  # idle: pinged, alive, kept


def test_an_idle_connection_the_server_closed_is_replaced_before_use(pinged):
    app, pings = pinged
    first = _backend(app)
    _close_the_apps_connections(app)
    time.sleep(WINDOW + 0.05)
    assert _backend(app) != first and pings == [1]


@pytest.mark.parametrize("ping_window", [600])  # the whole test is within it
def test_a_connection_lost_within_the_window_costs_one_request_a_503_and_nothing_is_written(
        pinged, client, birth_package):
    app, pings = pinged
    package = dict(birth_package, code="TEST.ONE-CALL")
    package["components"] = [dict(c, required=False) for c in package["components"]]
    with app.app_context():
        from builder.forms.package import import_package

        import_package(db.session, package)
        db.session.commit()
    headers = citizen(client)
    body = {"procedure": "TEST.ONE-CALL", "data": example_data(birth_package), "agency": BA_DINH}
    assert client.post("/api/v1/dossiers", headers=headers, json=body).status_code == 201
    _close_the_apps_connections(app)  # within the window: the next use finds out
    lost = client.post("/api/v1/dossiers", headers=headers, json=body)
    assert lost.status_code == 503 and lost.headers["Retry-After"] == "1"
    assert lost.get_json()["message"] == "Cơ sở dữ liệu tạm thời gián đoạn; vui lòng gửi lại yêu cầu."
    again = client.post("/api/v1/dossiers", headers=headers, json=body)
    assert again.status_code == 201, again.get_json()
    with app.app_context():
        codes = db.session.scalars(select(Dossier.code).order_by(Dossier.id)).all()
    assert len(codes) == 2 and codes[1] == again.get_json()["code"]
    assert pings == []


def test_the_window_at_zero_pings_every_use_and_an_instances_own_choice_stands(app_config, request):
    app_config["DATABASE_PING_AFTER_SECONDS"] = 0
    app = request.getfixturevalue("app")
    with app.app_context():
        assert db.engine.pool._pre_ping is True
    from builder import create_app

    own = create_app(dict(app_config, DATABASE_PING_AFTER_SECONDS=0.5,
                          SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True}))
    with own.app_context():
        assert db.engine.pool._pre_ping is True and not db.engine.pool.dispatch.checkout
        db.engine.dispose()
