"""Handing committed jobs over off the request's path.

A request's jobs are handed over after its transaction commits; waiting for
that (a Redis round trip) would only delay the answer. So inside a request,
:func:`builder.jobs.queue.dispatch` gives them to this process's hand-over
thread and answers at once. The thread lets jobs gather for
``JOB_HANDOVER_GATHER_SECONDS`` (20 ms) after the first one, then posts
everything that is waiting with one RPUSH for the workers' relay
(:mod:`builder.jobs.relay`), which makes them RQ jobs, in an app context of
its own: under load, one round trip to Redis for several requests.

Nothing is lost if the thread never gets to a job (the process is killed, or
Redis is down): the job is in the outbox, still ``pending``, and a worker's
sweep hands it over (``OUTBOX_SWEEP_SECONDS``). At a normal exit the thread
gets a moment to finish. Outside a request (the CLI, the workers) the
hand-over stays inline and goes to RQ directly, as such a process may end
right after it.
"""
from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time

from flask import Flask

log = logging.getLogger(__name__)
EXIT_GRACE_SECONDS = 3.0


class Handover:
    """The hand-over thread of one app in one process (started on first use,
    and again in a forked child, where the parent's thread does not run, or
    if it ever stopped)."""

    def __init__(self, app: Flask):
        self.app = app
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        self._waiting: queue.SimpleQueue = queue.SimpleQueue()
        self._unfinished = 0

    def submit(self, jobs: list[tuple[int, str]]) -> None:
        """Post ``jobs`` ``(record id, queue)`` for the relay in the background."""
        with self._lock:
            if self._pid != os.getpid() or not self._thread.is_alive():
                self._start()
            self._unfinished += 1
        self._waiting.put(jobs)

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every job submitted so far was handed over (or its
        failure noted); False if ``timeout`` seconds passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._unfinished == 0, timeout)

    def _start(self) -> None:
        first = self._pid is None
        self._pid, self._waiting, self._unfinished = os.getpid(), queue.SimpleQueue(), 0
        self._thread = threading.Thread(target=self._run, name="motcua-job-handover", daemon=True)
        self._thread.start()
        if first:
            atexit.register(self.drain, EXIT_GRACE_SECONDS)

    def _run(self) -> None:
        from builder.jobs import queue as jobs_queue

        waiting = self._waiting
        while True:
            batches = [waiting.get()]
            gather = float(self.app.config.get("JOB_HANDOVER_GATHER_SECONDS", 0))
            if gather > 0:
                time.sleep(gather)
            while True:  # whatever else came meanwhile goes in the same RPUSH
                try:
                    batches.append(waiting.get_nowait())
                except queue.Empty:
                    break
            try:
                with self.app.app_context():
                    jobs_queue.post_for_relay([job for batch in batches for job in batch])
            except Exception:  # the sweep hands them over later; the thread goes on
                log.exception("posting jobs for the relay failed")
            finally:
                with self._idle:
                    self._unfinished -= len(batches)
                    self._idle.notify_all()
