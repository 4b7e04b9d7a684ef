"""Per-process caches of detached copies of rows that are read on every
request and change rarely: the published catalogue
(:mod:`builder.process.published`) and the signed-in users
(:mod:`builder.security`).

A cache keeps detached copies and a request gets them into its own session
with ``Session.merge(load=False)``: no query, and the request's objects
behave like loaded ones (lazy loads included). Entries live for a TTL set by
their owner. A change made by this process to a watched model (through the
ORM, or an ORM ``UPDATE``/``DELETE``) empties the caches that watch it at
once; a change made by another process is seen when the entries expire.
"""
from __future__ import annotations

import threading
import time
from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

EXTENSION_KEY = "motcua.detached_caches"


class DetachedCache:
    """Entries keyed by ``(kind, key)``: detached copies of mapped objects
    (:meth:`put`) or plain values (:meth:`put_value`), each with its age."""

    def __init__(self, watched: tuple[type, ...]) -> None:
        self.watched = watched
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, Any], tuple[float, Any]] = {}
        self._copies = Session()  # only ever holds detached copies, never a connection

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def get(self, kind: str, key, ttl: float):
        """The entry if it is younger than ``ttl`` seconds, else None."""
        entry = self._entries.get((kind, key))
        if entry is not None and time.monotonic() - entry[0] < ttl:
            return entry[1]
        return None

    def put(self, kind: str, key, instance) -> None:
        """Keep a detached copy of ``instance`` (loaded in a request's session)."""
        self.put_value(kind, key, self.detached_copy(instance))

    def put_value(self, kind: str, key, value) -> None:
        """Keep a plain value, e.g. a working calendar, or a tuple of copies."""
        with self._lock:
            self._entries[(kind, key)] = (time.monotonic(), value)

    def detached_copy(self, instance):
        """A detached copy of ``instance`` with what it has loaded (the
        relationships that cascade ``merge`` included)."""
        with self._lock:
            copy = self._copies.merge(instance, load=False)
            self._copies.expunge_all()
        return copy

    def watches(self, objects) -> bool:
        return any(isinstance(obj, self.watched) for obj in objects)


def register(app, name: str, cache: DetachedCache) -> DetachedCache:
    app.extensions.setdefault(EXTENSION_KEY, {})[name] = cache
    return cache


def registered(name: str) -> DetachedCache | None:
    """The current app's cache of this name."""
    return current_app.extensions.get(EXTENSION_KEY, {}).get(name)


def merged(copy):
    """``copy`` (from a cache) as an object of the request's session."""
    from builder.extensions import db

    with db.session.no_autoflush:
        return db.session.merge(copy, load=False)


# --- invalidation ------------------------------------------------------------

def _caches() -> list[DetachedCache]:
    try:
        return list(current_app.extensions.get(EXTENSION_KEY, {}).values())
    except RuntimeError:  # no app context: nothing cached here
        return []


@event.listens_for(Session, "after_flush")
def _after_flush(session, _flush_context) -> None:
    for cache in _caches():
        if cache.watches(session.new) or cache.watches(session.dirty) or cache.watches(session.deleted):
            cache.clear()


@event.listens_for(Session, "do_orm_execute")
def _on_orm_execute(state) -> None:
    if not (state.is_update or state.is_delete):
        return
    for cache in _caches():
        if any(issubclass(mapper.class_, cache.watched) for mapper in state.all_mappers):
            cache.clear()
