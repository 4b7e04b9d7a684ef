"""SQLite writers take turns on an flock (builder.database.SqliteWriters):
one at a time across processes and threads, the turn given back at the end
of the outermost transaction, also after an error, and not used when
turned off or on PostgreSQL."""
from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time

import pytest

from builder import create_app
from builder.database import SqliteWriters, write_transaction
from builder.extensions import db
from tests.conftest import base_config


def _held_elsewhere(path: str) -> bool:
    """True if another open file holds the flock of ``path``."""
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _lock_path(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"].split(":///", 1)[1] + "-writers"


@pytest.fixture
def sqlite_app(sqlite_template, tmp_path):
    """The app on SQLite only: the writers' queue is SQLite's."""
    path = tmp_path / "motcua.db"
    shutil.copy(sqlite_template, path)
    application = create_app(base_config(tmp_path / "instance", f"sqlite:///{path}"))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_write_transaction_holds_the_turn_until_it_ends(sqlite_app):
    path = _lock_path(sqlite_app)
    with sqlite_app.app_context():
        with write_transaction():
            assert _held_elsewhere(path)
            with write_transaction():  # inside another: no deadlock, the turn is kept
                assert _held_elsewhere(path)
            assert _held_elsewhere(path)
        assert not _held_elsewhere(path)


def test_the_turn_is_given_back_after_an_error(sqlite_app):
    path = _lock_path(sqlite_app)
    with sqlite_app.app_context():
        with pytest.raises(ZeroDivisionError):
            with write_transaction():
                1 / 0
        assert not _held_elsewhere(path)
        with write_transaction():  # and the next writer gets it
            pass


def test_threads_of_a_process_take_turns(tmp_path):
    writers = SqliteWriters(str(tmp_path / "x.db"))
    inside, overlaps = [0], []
    start = threading.Barrier(8)

    def write():
        start.wait()  # all at once, the first time too (when the process opens its file)
        with writers:
            inside[0] += 1
            overlaps.append(inside[0])
            time.sleep(0.01)
            inside[0] -= 1

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert overlaps == [1] * 8


def test_a_forked_process_waits_for_its_turn(tmp_path):
    writers = SqliteWriters(str(tmp_path / "x.db"))
    read, write = os.pipe()
    with writers:
        child = os.fork()
        if child == 0:  # pragma: no cover (reported through the pipe)
            began = time.monotonic()
            with writers:  # its own open file: it must wait for the parent's turn to end
                os.write(write, f"{time.monotonic() - began:.3f}".encode())
            os._exit(0)
        time.sleep(0.3)
    waited = float(os.read(read, 32).decode())
    os.waitpid(child, 0)
    assert waited >= 0.25


def test_turned_off_it_takes_no_turn(sqlite_app):
    sqlite_app.config["SQLITE_WRITER_QUEUE"] = False
    path = _lock_path(sqlite_app)
    with sqlite_app.app_context():
        with write_transaction():
            assert not os.path.exists(path) or not _held_elsewhere(path)


def test_postgresql_takes_no_turn(postgres_url, tmp_path):
    from builder.database import _sqlite_writers

    application = create_app(base_config(tmp_path / "instance", postgres_url))
    with application.app_context():
        assert not isinstance(_sqlite_writers(db.session().connection()), SqliteWriters)
        db.session.remove()
        db.engine.dispose()
