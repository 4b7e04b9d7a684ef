"""The relay: app servers post committed jobs; workers make them RQ jobs.

After a request's transaction commits, the app server's whole part in its
jobs is one ``RPUSH`` of their outbox ids and queues onto the Redis list
``motcua:handover`` (done by the process's hand-over thread,
:mod:`builder.jobs.handover`, so the answer does not wait for it). Every
``motcua worker`` runs a relay thread that takes the batches off that list and
hands them to RQ: a job hash of some fifteen fields, the queue and its
registries, built in Python. That bookkeeping cost an app server about 15 %
of its CPU per submission; it now runs on the machines meant for slow work.

Nothing is lost on the way:

* a batch posted while no worker runs waits in the list, and the first
  worker to start relays it;
* a batch a relay took but could not hand over (Redis failed in between, or
  the worker died) is still ``pending`` in the outbox, and the workers' sweep
  hands it over (``OUTBOX_SWEEP_SECONDS``);
* a job that would reach RQ twice (the sweep and the relay both saw it) is
  skipped by the relay when RQ already holds it, and the runner skips an
  outbox record already done.
"""
from __future__ import annotations

import json
import logging
import threading

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError

from builder.extensions import db

log = logging.getLogger(__name__)
LIST_KEY = "motcua:handover"
BATCH_LIMIT = 500  # batches taken off the list at a time
BLOCK_SECONDS = 1  # under the connection's socket timeout (5 s)


def post(connection: Redis, jobs: list[tuple[int, str]]) -> None:
    """An app server's part: the committed jobs ``(outbox id, queue)``, one
    RPUSH. Raises RedisError when Redis is unreachable."""
    connection.rpush(LIST_KEY, json.dumps(jobs))


def relay_waiting(connection: Redis, block_seconds: float = 0) -> int:
    """Hand the jobs waiting on the list to RQ (in an app context); with
    ``block_seconds``, wait up to that long for the first batch. Returns how
    many jobs were taken off the list (those RQ already holds are not handed
    over again). A failure to hand them over is noted on their outbox
    records, which the sweep finds."""
    from builder.jobs.queue import hand_over

    batches = []
    if block_seconds:
        first = connection.blpop([LIST_KEY], timeout=block_seconds)
        if first is None:
            return 0
        batches.append(first[1])
    batches += connection.lpop(LIST_KEY, BATCH_LIMIT) or []
    taken = [(int(job_id), queue) for batch in batches for job_id, queue in json.loads(batch)]
    jobs = not_in_rq(connection, taken)
    if jobs:
        hand_over(jobs)
    return len(taken)


def not_in_rq(connection: Redis, jobs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The jobs RQ does not hold yet (one pipeline of EXISTS)."""
    from rq.job import Job

    from builder.jobs.queue import rq_job_id

    if not jobs:
        return []
    with connection.pipeline(transaction=False) as pipe:
        for job_id, _queue in jobs:
            pipe.exists(Job.key_for(rq_job_id(job_id)))
        held = pipe.execute()
    return [job for job, exists in zip(jobs, held) if not exists]


def run_relay(app: Flask, connection: Redis, stop: threading.Event) -> None:
    """A worker's relay thread: until ``stop``, hand over each batch as it
    is posted."""
    while not stop.is_set():
        with app.app_context():
            try:
                relay_waiting(connection, block_seconds=BLOCK_SECONDS)
            except RedisError as exc:  # Redis is down: try again shortly
                log.warning("the relay cannot reach Redis: %s", exc)
                stop.wait(BLOCK_SECONDS)
            except Exception:  # the sweep hands over what this lost; the relay goes on
                log.exception("relaying jobs to RQ failed")
                stop.wait(BLOCK_SECONDS)
            finally:
                db.session.remove()
