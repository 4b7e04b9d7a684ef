"""The job outbox and its hand-over to RQ.

``enqueue(func, *args)`` records a job in the current transaction. When that
transaction commits (through :func:`builder.database.write_transaction`), the
recorded jobs are handed to RQ, or, with no ``REDIS_URL``, run right here in
the process. A job whose hand-over fails (Redis down) stays ``pending`` in the
outbox and is handed over later by :func:`flush_outbox`, which every worker
runs at start and then periodically: a submitted dossier never loses its jobs.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import select, update

from builder.extensions import db
from builder.models import JobRecord
from builder.models.types import utcnow

log = logging.getLogger(__name__)
SESSION_KEY = "motcua.jobs"
RUNNER = "builder.jobs.runner.run_job"


def init_jobs(app: Flask) -> None:
    app.extensions["motcua.redis"] = (
        Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5)
        if app.config.get("REDIS_URL")
        else None
    )


def redis_connection(app: Flask | None = None) -> Redis | None:
    return (app or current_app).extensions.get("motcua.redis")


def enqueue(func: str, *args, queue: str = "default") -> JobRecord:
    """Record a job in the current transaction; it runs after the commit.
    ``func`` is the dotted path of a function in :mod:`builder.jobs.tasks`
    (or a plugin's), ``args`` are ids and primitives."""
    record = JobRecord(func=func, args=list(args), queue=queue, state="pending")
    db.session.add(record)
    db.session.flush()
    db.session.info.setdefault(SESSION_KEY, []).append(record.id)
    return record


def take_recorded_jobs() -> list[int]:
    return db.session.info.pop(SESSION_KEY, [])


def forget_recorded_jobs() -> None:
    db.session.info.pop(SESSION_KEY, None)


def dispatch(job_ids: list[int]) -> None:
    """Hand committed jobs over: to RQ, or run them now without Redis."""
    if not job_ids:
        return
    connection = redis_connection()
    if connection is None:
        from builder.jobs.runner import run_job_safely

        for job_id in job_ids:
            run_job_safely(job_id)
        return
    for job_id in job_ids:
        if not _hand_to_rq(connection, job_id):
            break  # Redis is down: the rest wait in the outbox too


def _hand_to_rq(connection: Redis, job_id: int) -> bool:
    from rq import Queue, Retry

    record = db.session.get(JobRecord, job_id)
    if record is None or record.state != "pending":
        return True
    retries = current_app.config.get("JOB_RETRIES", 3)
    try:
        Queue(record.queue, connection=connection).enqueue(
            RUNNER,
            job_id,
            job_id=f"motcua-job-{job_id}",  # the same job handed over twice is one RQ job
            retry=Retry(max=retries, interval=[10, 60, 300][:retries]) if retries else None,
            result_ttl=3600,
            failure_ttl=30 * 24 * 3600,
        )
    except RedisError as exc:
        log.warning("Redis is unreachable; job %s stays in the outbox: %s", job_id, exc)
        db.session.execute(
            update(JobRecord).where(JobRecord.id == job_id).values(last_error=f"enqueue: {exc}")
        )
        db.session.commit()
        return False
    db.session.execute(
        update(JobRecord)
        .where(JobRecord.id == job_id, JobRecord.state == "pending")
        .values(state="enqueued", enqueued_at=utcnow())
    )
    db.session.commit()
    return True


def flush_outbox(min_age_seconds: float = 0, limit: int = 500) -> int:
    """Hand over every pending job older than ``min_age_seconds``; return how many."""
    cutoff = utcnow() - timedelta(seconds=min_age_seconds)
    ids = list(
        db.session.scalars(
            select(JobRecord.id)
            .where(JobRecord.state == "pending", JobRecord.created_at <= cutoff)
            .order_by(JobRecord.id)
            .limit(limit)
        )
    )
    db.session.commit()
    dispatch(ids)
    return len(ids)
