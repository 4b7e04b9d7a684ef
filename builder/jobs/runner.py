"""Every job runs through :func:`run_job`: it loads the outbox record, runs the
job function once, and records the outcome. A job already done is not run
again, so a retried or twice-delivered job makes no second PDF."""
from __future__ import annotations

import importlib
import logging
import traceback

from flask import current_app, has_app_context

from builder.extensions import db
from builder.models import JobRecord
from builder.models.types import utcnow

log = logging.getLogger(__name__)


def _resolve(path: str):
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def run_job(job_id: int) -> str:
    """The RQ entry point. Runs inside the worker's app, in a fresh app
    context (and so a fresh database session)."""
    if has_app_context():
        app = current_app._get_current_object()
    else:  # a worker started by plain `rq worker`
        from builder import create_app

        app = create_app()
    with app.app_context():
        try:
            return _run(job_id)
        finally:
            db.session.remove()


def _run(job_id: int) -> str:
    record = db.session.get(JobRecord, job_id)
    if record is None:
        return "missing"
    if record.state == "done":
        return "done already"
    record.attempts += 1
    db.session.commit()
    func, args = _resolve(record.func), list(record.args)
    try:
        func(*args)
    except Exception:
        db.session.rollback()
        record = db.session.get(JobRecord, job_id)
        record.last_error = traceback.format_exc(limit=8)
        retries = current_app.config.get("JOB_RETRIES", 3)
        if record.attempts > retries:
            record.state = "failed"
        db.session.commit()
        raise
    record = db.session.get(JobRecord, job_id)
    record.state, record.finished_at, record.last_error = "done", utcnow(), None
    db.session.commit()
    return "done"


def run_job_safely(job_id: int) -> None:
    """In-process mode: a failing job is logged and left for a retry; it
    never fails the request whose transaction already committed."""
    try:
        run_job(job_id)
    except Exception:
        log.exception("job %s failed", job_id)
        db.session.rollback()
        record = db.session.get(JobRecord, job_id)
        if record is not None and record.state != "failed":
            record.state = "pending"  # picked up again by `motcua jobs flush`
            db.session.commit()
