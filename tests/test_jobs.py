"""Jobs: handed to RQ only after the commit, never lost when Redis is down,
run once, and in-process without Redis."""
from __future__ import annotations

import os
import threading

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from builder.database import write_transaction
from builder.extensions import db
from builder.jobs.queue import enqueue, flush_outbox
from builder.jobs.runner import run_job
from builder.models import Document, Dossier, JobRecord
from tests import job_functions
from tests.conftest import pdf_text
from tests.helpers import citizen, handed_over, submit_birth

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def redis_app(app_config, redis_url):
    app_config["REDIS_URL"] = redis_url
    from builder import create_app

    application = create_app(app_config)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def queue_sizes(url: str) -> dict[str, int]:
    connection = Redis.from_url(url)
    return {name: Queue(name, connection=connection).count for name in ("default", "pdf")}


def test_a_job_reaches_redis_only_after_the_commit(redis_app, redis_url):
    with redis_app.app_context():
        with write_transaction():
            record = enqueue("tests.job_functions.record", "after-commit")
            assert queue_sizes(redis_url) == {"default": 0, "pdf": 0}
        assert queue_sizes(redis_url) == {"default": 1, "pdf": 0}
        assert db.session.get(JobRecord, record.id).state == "pending"  # until a worker ran it
        # the sweep leaves a job alone while it waits in Redis
        assert flush_outbox() == 0
        assert queue_sizes(redis_url) == {"default": 1, "pdf": 0}


def test_a_rolled_back_transaction_enqueues_nothing(redis_app, redis_url):
    with redis_app.app_context():
        with pytest.raises(ZeroDivisionError):
            with write_transaction():
                enqueue("tests.job_functions.record", "never")
                1 / 0
        assert queue_sizes(redis_url) == {"default": 0, "pdf": 0}
        assert db.session.scalar(select(func.count(JobRecord.id))) == 0


def test_submission_survives_redis_being_down(app_config, redis_url, birth_package, tmp_path):
    from builder import create_app
    from builder.forms.package import import_package

    app_config["REDIS_URL"] = DEAD_REDIS
    app = create_app(app_config)
    with app.app_context():
        import_package(db.session, birth_package)
        db.session.commit()
    client = app.test_client()
    body = submit_birth(client, citizen(client), birth_package)
    assert body["status"] == 1
    handed_over(app, relay=False)  # tried, in the background, and failed
    with app.app_context():
        jobs = db.session.scalars(select(JobRecord).order_by(JobRecord.id)).all()
        assert [(j.func, j.state) for j in jobs] == [
            ("builder.jobs.signature_tasks.verify_attachment", "pending"),  # at the upload
            ("builder.jobs.tasks.render_form_pdf", "pending"),  # and at the submission
            ("builder.jobs.tasks.notify_submitted", "pending"),
        ]
        assert all("enqueue" in job.last_error for job in jobs)
        # Redis is back: the outbox is handed over, a worker runs the jobs
        app.extensions["motcua.redis"] = Redis.from_url(redis_url)
        assert flush_outbox() == 3
        assert queue_sizes(redis_url) == {"default": 2, "pdf": 1}
        SimpleWorker(["pdf", "default"], connection=app.extensions["motcua.redis"]).work(burst=True)
        db.session.expire_all()
        assert {j.state for j in db.session.scalars(select(JobRecord))} == {"done"}
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == body["code"]))
        document = db.session.scalar(select(Document).where(Document.dossier_id == dossier.id))
        from builder import storage

        text = pdf_text(storage.read_bytes(document.sha256), tmp_path)
    assert "TỜ KHAI ĐĂNG KÝ KHAI SINH" in text
    assert body["code"] in text
    app.extensions["motcua.redis"].close()
    with app.app_context():
        db.engine.dispose()


def test_a_job_runs_once_even_if_delivered_twice(app, client, library, birth_package):
    body = submit_birth(client, citizen(client), birth_package)
    with app.app_context():
        job = db.session.scalar(select(JobRecord).where(JobRecord.func.like("%render_form_pdf")))
        assert job.state == "done"
        assert run_job(job.id) == "done already"
        assert db.session.scalar(select(func.count(Document.id))) == 1
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == body["code"]))
        # a rerun of the job function itself replaces the document, adds none
        from builder.jobs.tasks import render_form_pdf

        render_form_pdf(dossier.id)
        assert db.session.scalar(select(func.count(Document.id))) == 1


def test_a_failing_job_is_kept_visible(app):
    with app.app_context():
        with write_transaction():
            record = enqueue("tests.job_functions.explode", 7)
        # in-process mode: the failure is logged, the job waits for a retry
        db.session.expire_all()  # the job ran in a session of its own
        record = db.session.get(JobRecord, record.id)
        assert record.state == "pending" and record.attempts == 1
        assert "boom 7" in record.last_error
        flush_outbox()  # retried once more (JOB_RETRIES=1 in tests): now failed for good
        record = db.session.get(JobRecord, record.id)
        db.session.refresh(record)
        assert record.state == "failed" and record.attempts == 2


def test_jobs_run_in_process_without_redis(app):
    job_functions.CALLS.clear()
    with app.app_context():
        with write_transaction():
            enqueue("tests.job_functions.record", "inline")
            assert job_functions.CALLS == []  # not before the commit
        assert job_functions.CALLS == ["inline"]


def test_a_request_answers_before_its_jobs_reach_redis(redis_app, redis_url, monkeypatch):
    """Inside a request, the hand-over thread posts the jobs: the commit
    returns at once, jobs that wait meanwhile share one RPUSH, and the
    workers' relay makes them RQ jobs."""
    from builder.jobs import queue as job_queue
    from builder.jobs.relay import LIST_KEY

    redis_app.config["JOB_HANDOVER_GATHER_SECONDS"] = 0  # no gathering: only the jobs that waited share
    gate, posts = threading.Event(), []
    original = job_queue.post_for_relay

    def held(jobs):
        gate.wait(10)
        posts.append([job_id for job_id, _ in jobs])
        original(jobs)

    monkeypatch.setattr(job_queue, "post_for_relay", held)
    records = []
    for number in range(3):
        with redis_app.test_request_context("/api/v1/dossiers", method="POST"):
            with write_transaction():
                records.append(enqueue("tests.job_functions.record", number))
    assert queue_sizes(redis_url) == {"default": 0, "pdf": 0}  # all three answered, none handed over yet
    gate.set()
    handed_over(redis_app, relay=False)
    ids = [record.id for record in records]
    assert posts == [ids[:1], ids[1:]]  # the first alone; the two that waited, together
    connection = Redis.from_url(redis_url)
    assert connection.llen(LIST_KEY) == 2 and queue_sizes(redis_url) == {"default": 0, "pdf": 0}
    handed_over(redis_app)  # the relay, as a worker runs it
    assert connection.llen(LIST_KEY) == 0 and queue_sizes(redis_url) == {"default": 3, "pdf": 0}


def test_a_forked_server_process_hands_over_with_a_thread_of_its_own(redis_app, redis_url):
    """gunicorn forks its workers: the parent's thread does not exist in the
    child, which starts its own."""
    handover = redis_app.extensions["motcua.handover"]
    with redis_app.test_request_context("/"):
        with write_transaction():
            enqueue("tests.job_functions.record", "parent")
    handed_over(redis_app)
    child = os.fork()
    if child == 0:  # pragma: no cover (reported through the exit status)
        code = 1
        try:
            with redis_app.app_context():
                db.engine.dispose(close=False)  # the parent's connections stay the parent's
            with redis_app.test_request_context("/"):
                with write_transaction():
                    enqueue("tests.job_functions.record", "child")
            code = 0 if handover.drain(timeout=10) else 2
        finally:
            os._exit(code)
    _pid, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    handed_over(redis_app)  # the child's batch, relayed
    assert queue_sizes(redis_url) == {"default": 2, "pdf": 0}


def test_each_recorded_job_gets_the_id_of_its_own_outbox_row(app):
    """The rows of one transaction are written by one INSERT whose RETURNING
    order no database promises: each record is matched to its own row."""
    from datetime import date

    with app.app_context():
        with pytest.raises(TypeError):  # refused at once, not at the commit
            enqueue("tests.job_functions.record", date(2026, 11, 23))
        job_functions.CALLS.clear()
        with write_transaction():
            records = [enqueue("tests.job_functions.record", ("tuple", n)) for n in range(3)]
            records += [enqueue("tests.job_functions.record", "same"), enqueue("tests.job_functions.record", "same")]
            records.append(enqueue("tests.job_functions.record", 42, queue="pdf"))
        assert len({record.id for record in records}) == 6
        for record in records:
            row = db.session.get(JobRecord, record.id)
            assert (row.func, row.queue, row.args) == (record.func, record.queue, record.args)
        assert records[0].args == [["tuple", 0]]


def test_a_stopped_hand_over_thread_is_started_again(redis_app, redis_url, monkeypatch):
    from builder.jobs import queue as job_queue

    handover = redis_app.extensions["motcua.handover"]
    original = job_queue.post_for_relay

    def fatal(jobs):
        raise SystemExit("the thread stops")  # not an Exception: nothing in the thread catches it

    monkeypatch.setattr(job_queue, "post_for_relay", fatal)
    with redis_app.test_request_context("/"):
        with write_transaction():
            lost = enqueue("tests.job_functions.record", "lost")
    handed_over(redis_app)
    handover._thread.join(timeout=10)
    assert not handover._thread.is_alive()
    monkeypatch.setattr(job_queue, "post_for_relay", original)
    with redis_app.test_request_context("/"):
        with write_transaction():
            enqueue("tests.job_functions.record", "after")
    handed_over(redis_app)
    assert queue_sizes(redis_url) == {"default": 1, "pdf": 0}
    with redis_app.app_context():  # the lost one waits in the outbox for the sweep
        assert db.session.get(JobRecord, lost.id).state == "pending"
        assert flush_outbox() == 1
    assert queue_sizes(redis_url) == {"default": 2, "pdf": 0}
