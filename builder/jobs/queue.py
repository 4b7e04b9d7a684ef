"""The job outbox and its hand-over to RQ.

``enqueue(func, *args)`` records a job in the current transaction. When that
transaction commits (through :func:`builder.database.write_transaction`), the
recorded jobs are handed over: inside a request, the process's hand-over
thread (:mod:`builder.jobs.handover`, so the answer does not wait) posts them
with one RPUSH for the workers' relay (:mod:`builder.jobs.relay`), which makes
them RQ jobs; outside a request (the CLI, the workers) they go to RQ at once;
with no ``REDIS_URL`` they run right here in the process. The record stays
``pending`` until a worker has run it (then ``done``, or ``failed`` after its
retries).

A job whose hand-over failed (Redis down, or the process died between the
commit and the hand-over) is found by :func:`flush_outbox`, which every worker
runs at start and then periodically: a pending record older than the sweep
interval whose RQ job does not exist is handed over again. The RQ job id is
derived from the record id, and the runner skips a record already done, so a
job handed over twice still runs once.
"""
from __future__ import annotations

import json
import logging
from datetime import timedelta

from flask import Flask, current_app, has_request_context
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from builder.extensions import db
from builder.models import JobRecord
from builder.models.types import utcnow

log = logging.getLogger(__name__)
SESSION_KEY = "motcua.jobs"
RUNNER = "builder.jobs.runner.run_job"


def init_jobs(app: Flask) -> None:
    from builder.jobs.handover import Handover

    app.extensions["motcua.redis"] = (
        Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5)
        if app.config.get("REDIS_URL")
        else None
    )
    app.extensions["motcua.handover"] = Handover(app) if app.extensions["motcua.redis"] else None


def redis_connection(app: Flask | None = None) -> Redis | None:
    return (app or current_app).extensions.get("motcua.redis")


def rq_job_id(record_id: int) -> str:
    return f"motcua-job-{record_id}"


def enqueue(func: str, *args, queue: str = "default") -> JobRecord:
    """Record a job in the current transaction; it runs after the commit.
    ``func`` is the dotted path of a function in :mod:`builder.jobs.tasks`
    (or a plugin's), ``args`` are ids and primitives. The returned record has
    its id once the transaction commits."""
    # kept as the database gives them back (a tuple comes back a list), and
    # refused here, not at the commit, when JSON cannot hold them
    args = json.loads(json.dumps(list(args)))
    record = JobRecord(func=func, args=args, queue=queue, state="pending", attempts=0,
                       created_at=utcnow())
    db.session.info.setdefault(SESSION_KEY, []).append(record)
    return record


_TABLE = JobRecord.__table__
_INSERT_RECORDS = insert(_TABLE).returning(_TABLE.c.id, _TABLE.c.func, _TABLE.c.queue, _TABLE.c.args)


@event.listens_for(Session, "before_commit")
def _insert_recorded_jobs(session: Session) -> None:
    """Write the transaction's recorded jobs to the outbox just before it
    commits, in one multi-row INSERT outside the unit of work (a record is
    never changed by the request that makes it, so the ORM need not track it)."""
    records = [record for record in session.info.get(SESSION_KEY, ()) if record.id is None]
    if not records:
        return
    rows = [outbox_row(record)[1] for record in records]
    # one statement (SQLAlchemy's insertmanyvalues batches the rows); the rows it returns are matched back by
    # content, as neither database promises to return them in order
    returned: dict[str, list[int]] = {}
    for row in session.execute(_INSERT_RECORDS, rows):
        returned.setdefault(_job_key(row.func, row.queue, row.args), []).append(row.id)
    for record in records:  # identical jobs take their ids in order
        record.id = returned[_job_key(record.func, record.queue, record.args)].pop(0)


def outbox_row(record: JobRecord) -> tuple:
    """The table and the values of a recorded job's outbox row. A record
    written by its caller (:func:`builder.database.insert_rows`, its id set)
    is not written again at the commit."""
    return _TABLE, {"func": record.func, "args": record.args, "queue": record.queue, "state": record.state,
                    "attempts": record.attempts, "created_at": record.created_at}


def _job_key(func: str, queue: str, args: list) -> str:
    return json.dumps([func, queue, args], sort_keys=True)


def take_recorded_jobs() -> list[tuple[int, str]]:
    """After the commit: the ``(id, queue)`` of the jobs it recorded."""
    return [(record.id, record.queue) for record in db.session.info.pop(SESSION_KEY, [])]


def forget_recorded_jobs() -> None:
    db.session.info.pop(SESSION_KEY, None)


def dispatch(jobs: list[tuple[int, str]]) -> None:
    """Hand committed jobs ``(record id, queue)`` over: for the workers'
    relay (in the background, during a request), to RQ (elsewhere), or run
    them now when there is no Redis."""
    if not jobs:
        return
    if redis_connection() is None:
        from builder.jobs.runner import run_job_safely

        for job_id, _queue in jobs:
            run_job_safely(job_id)
    elif has_request_context():
        current_app.extensions["motcua.handover"].submit(jobs)
    else:
        hand_over(jobs)


def post_for_relay(jobs: list[tuple[int, str]]) -> None:
    """Post committed jobs for the workers' relay (one RPUSH); when Redis is
    unreachable, note it on their outbox records and leave them for the sweep."""
    from builder.jobs.relay import post

    try:
        post(redis_connection(), jobs)
    except RedisError as exc:
        log.warning("Redis is unreachable; jobs %s stay in the outbox: %s", [j for j, _ in jobs], exc)
        _note_failure([j for j, _ in jobs], f"enqueue: {exc}")


def hand_over(jobs: list[tuple[int, str]]) -> None:
    """Hand jobs to RQ now; when Redis is unreachable, note it on their
    outbox records and leave them for the sweep."""
    try:
        _hand_to_rq(redis_connection(), jobs)
    except RedisError as exc:
        log.warning("Redis is unreachable; jobs %s stay in the outbox: %s", [j for j, _ in jobs], exc)
        _note_failure([j for j, _ in jobs], f"enqueue: {exc}")


def _hand_to_rq(connection: Redis, jobs: list[tuple[int, str]]) -> None:
    from rq import Queue, Retry

    retries = current_app.config.get("JOB_RETRIES", 3)
    retry = Retry(max=retries, interval=[10, 60, 300][:retries]) if retries else None
    by_queue: dict[str, list] = {}
    for job_id, queue in jobs:
        by_queue.setdefault(queue, []).append(
            Queue.prepare_data(RUNNER, args=(job_id,), job_id=rq_job_id(job_id), retry=retry,
                               result_ttl=3600, failure_ttl=30 * 24 * 3600)
        )
    with connection.pipeline() as pipe:
        for name, datas in by_queue.items():
            Queue(name, connection=connection).enqueue_many(datas, pipeline=pipe)
        pipe.execute()


def _note_failure(job_ids: list[int], error: str) -> None:
    from builder.database import write_transaction

    try:
        with write_transaction() as session:
            session.execute(update(JobRecord).where(JobRecord.id.in_(job_ids)).values(last_error=error))
    except Exception:  # the outbox sweep will find them anyway
        log.exception("could not note the failed hand-over of jobs %s", job_ids)


def flush_outbox(min_age_seconds: float = 0, limit: int = 500) -> int:
    """Hand over every pending job older than ``min_age_seconds`` that is not
    already waiting in Redis; return how many were handed over."""
    cutoff = utcnow() - timedelta(seconds=min_age_seconds)
    rows = db.session.execute(
        select(JobRecord.id, JobRecord.queue)
        .where(JobRecord.state == "pending", JobRecord.created_at <= cutoff)
        .order_by(JobRecord.id)
        .limit(limit)
    ).all()
    db.session.commit()
    connection = redis_connection()
    rows = [tuple(row) for row in rows]
    if connection is not None:
        from builder.jobs.relay import not_in_rq

        rows = not_in_rq(connection, rows)  # one pipeline, not a round trip per job
    dispatch(rows)
    return len(rows)
