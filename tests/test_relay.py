"""The relay (builder/jobs/relay.py): a request's jobs are posted with one
RPUSH; a worker's relay thread makes them RQ jobs; nothing is lost or run
twice when the relay and the outbox sweep meet, or when the relay fails."""
from __future__ import annotations

import threading
import time

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import select

from builder.database import write_transaction
from builder.extensions import db
from builder.jobs import queue as job_queue
from builder.jobs.queue import enqueue, flush_outbox, redis_connection
from builder.jobs.relay import LIST_KEY, relay_waiting, run_relay
from builder.models import JobRecord
from tests.helpers import handed_over
from tests.test_jobs import queue_sizes, redis_app  # noqa: F401  (a fixture)


def _post_in_request(app, *values) -> list[JobRecord]:
    with app.test_request_context("/api/v1/dossiers", method="POST"):
        with write_transaction():
            records = [enqueue("tests.job_functions.record", value) for value in values]
    handed_over(app, relay=False)
    return records


def test_a_request_sends_one_command_and_no_rq_job(redis_app, redis_url):
    connection = Redis.from_url(redis_url)
    _post_in_request(redis_app, "a", "b")
    assert connection.llen(LIST_KEY) == 1  # one batch of both
    assert queue_sizes(redis_url) == {"default": 0, "pdf": 0}
    assert set(connection.keys("rq:*")) == set()  # RQ's bookkeeping is the relay's


def test_a_running_relay_hands_posted_jobs_to_rq(redis_app, redis_url):
    stop = threading.Event()
    thread = threading.Thread(target=run_relay, args=(redis_app, redis_connection(redis_app), stop))
    thread.start()
    try:
        _post_in_request(redis_app, "first")
        _post_in_request(redis_app, "second", "third")
        deadline = time.monotonic() + 10
        while queue_sizes(redis_url)["default"] < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert queue_sizes(redis_url) == {"default": 3, "pdf": 0}
    assert Redis.from_url(redis_url).llen(LIST_KEY) == 0


def test_jobs_the_sweep_handed_over_are_not_handed_over_again(redis_app, redis_url):
    _post_in_request(redis_app, "swept")
    with redis_app.app_context():
        assert flush_outbox() == 1  # no worker ran for a while: the sweep got there first
        assert queue_sizes(redis_url) == {"default": 1, "pdf": 0}
        assert relay_waiting(redis_connection()) == 1  # taken off the list...
    assert queue_sizes(redis_url) == {"default": 1, "pdf": 0}  # ...but not queued twice


def test_a_batch_the_relay_could_not_hand_over_is_left_for_the_sweep(redis_app, redis_url, monkeypatch):
    (record,) = _post_in_request(redis_app, "stranded")

    def down(connection, jobs):
        raise RedisConnectionError("Redis went away")

    monkeypatch.setattr(job_queue, "_hand_to_rq", down)
    with redis_app.app_context():
        assert relay_waiting(redis_connection()) == 1
        row = db.session.scalar(select(JobRecord).where(JobRecord.id == record.id))
        assert row.state == "pending" and "Redis went away" in row.last_error
    monkeypatch.undo()
    assert Redis.from_url(redis_url).llen(LIST_KEY) == 0 and queue_sizes(redis_url)["default"] == 0
    with redis_app.app_context():
        assert flush_outbox() == 1
    assert queue_sizes(redis_url) == {"default": 1, "pdf": 0}


def test_the_relay_waits_for_redis_to_come_back(redis_app, monkeypatch):
    """Redis down: the relay thread logs, waits and goes on; it never dies."""
    calls = []

    def unreachable(connection, block_seconds=0):
        calls.append(block_seconds)
        raise RedisConnectionError("connection refused")

    monkeypatch.setattr("builder.jobs.relay.relay_waiting", unreachable)
    stop = threading.Event()
    thread = threading.Thread(target=run_relay, args=(redis_app, None, stop))
    thread.start()
    time.sleep(2.5)
    assert thread.is_alive()
    stop.set()
    thread.join(timeout=10)
    assert 2 <= len(calls) <= 4 and not thread.is_alive()


def test_every_waiting_batch_is_relayed(redis_app, redis_url):
    connection = Redis.from_url(redis_url)
    for start in range(0, 600, 200):
        _post_in_request(redis_app, *range(start, start + 200))
    assert connection.llen(LIST_KEY) == 3
    with redis_app.app_context():
        assert relay_waiting(redis_connection()) == 600
        assert relay_waiting(redis_connection()) == 0
    assert connection.llen(LIST_KEY) == 0 and queue_sizes(redis_url)["default"] == 600


def test_motcua_jobs_relay_relays_until_stopped(redis_app, redis_url):
    import os
    import signal
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {**os.environ, "MOTCUA_INSTANCE_PATH": redis_app.instance_path,
           "DATABASE_URL": redis_app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": redis_url,
           "SECRET_KEY": redis_app.config["SECRET_KEY"]}
    relay = subprocess.Popen([sys.executable, "-m", "builder.cli", "jobs", "relay"], env=env, cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _post_in_request(redis_app, "by the relay process")
        deadline = time.monotonic() + 30
        while queue_sizes(redis_url)["default"] < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert queue_sizes(redis_url) == {"default": 1, "pdf": 0}
    finally:
        relay.send_signal(signal.SIGTERM)
        out, err = relay.communicate(timeout=30)
    assert relay.returncode == 0, err[-2000:]
    assert "relaying" in out


def test_jobs_of_requests_close_together_go_in_one_rpush(redis_app, redis_url):
    """The hand-over thread lets jobs gather (JOB_HANDOVER_GATHER_SECONDS):
    three requests within that time cost one round trip to Redis."""
    redis_app.config["JOB_HANDOVER_GATHER_SECONDS"] = 0.5
    handover = redis_app.extensions["motcua.handover"]
    records = []
    for value in ("a", "b", "c"):
        with redis_app.test_request_context("/api/v1/dossiers", method="POST"):
            with write_transaction():
                records.append(enqueue("tests.job_functions.record", value))
    assert handover.drain(timeout=10)
    connection = Redis.from_url(redis_url)
    assert connection.llen(LIST_KEY) == 1
    with redis_app.app_context():
        assert relay_waiting(connection) == 3
    assert queue_sizes(redis_url) == {"default": 3, "pdf": 0}
