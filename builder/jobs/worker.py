"""``motcua worker``: an RQ worker in the app context. It warms the PDF
renderer before forking; at start it relays the jobs the app servers posted
while no worker ran and hands over jobs left in the outbox; while it runs, its
relay thread turns each posted batch into RQ jobs (:mod:`builder.jobs.relay`)
and the sweep hands over stranded jobs every ``OUTBOX_SWEEP_SECONDS``."""
from __future__ import annotations

import logging
import threading
import time

from flask import Flask
from rq import SimpleWorker, Worker

from builder.documents.render import warm_up
from builder.extensions import db
from builder.jobs.queue import flush_outbox, redis_connection
from builder.jobs.relay import relay_waiting, run_relay

log = logging.getLogger(__name__)


def _sweep(app: Flask, stop: threading.Event, every: float) -> None:
    """Every ``every`` seconds: hand over stranded jobs; every
    DEADLINE_WATCH_SECONDS: the deadline watch; every PAYMENT_POLL_SECONDS:
    the payments whose gateway's notice never came."""
    from builder.delivery import poll_deliveries
    from builder.process.payments import poll_payments
    from builder.process.watch import watch_deadlines

    watch_every = float(app.config.get("DEADLINE_WATCH_SECONDS", 600))
    poll_every = float(app.config.get("DELIVERY_POLL_SECONDS", 1800))
    last_watch = last_poll = 0.0
    payments_every = float(app.config.get("PAYMENT_POLL_SECONDS", 120))
    last_payments = 0.0
    while not stop.wait(every):
        with app.app_context():
            try:
                flush_outbox(min_age_seconds=every)
                if time.monotonic() - last_watch >= watch_every:
                    watch_deadlines()
                    last_watch = time.monotonic()
                if time.monotonic() - last_poll >= poll_every:
                    poll_deliveries()
                    last_poll = time.monotonic()
            except Exception:  # the next sweep tries again
                log.exception("periodic work failed")
            finally:
                db.session.remove()
        with app.app_context():
            try:  # apart: a gateway that is down does not hold up the rest
                if time.monotonic() - last_payments >= payments_every:
                    last_payments = time.monotonic()
                    poll_payments()
            except Exception:
                log.exception("polling the payment gateways failed")
            finally:
                db.session.remove()


def run_worker(app: Flask, queues: list[str], burst: bool = False, simple: bool = False) -> None:
    with app.app_context():
        warm_up()
        connection = redis_connection(app)
        while relay_waiting(connection):  # what was posted while no worker ran, first:
            pass
        flush_outbox()  # then the outbox skips what the relay handed over
        db.session.remove()
        stop = threading.Event()
        if not burst:
            every = float(app.config.get("OUTBOX_SWEEP_SECONDS", 30))
            threading.Thread(target=_sweep, args=(app, stop, every), daemon=True).start()
            threading.Thread(target=run_relay, args=(app, connection, stop), daemon=True,
                             name="motcua-relay").start()
        worker_class = SimpleWorker if simple else Worker
        try:
            worker_class(queues, connection=connection).work(burst=burst, with_scheduler=not burst)
        finally:
            stop.set()
