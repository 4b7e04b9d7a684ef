"""The published catalogue, cached per process for the submission path.

A submission needs the service, its current version (the package: form,
process, fees), the service's agency and the receiving agency with its
ancestors. A published version never changes, and services and agencies
change rarely, so each process keeps them for ``CATALOGUE_CACHE_SECONDS``
(default 5 s) and puts them into the request's session with
``Session.merge(load=False)``: no query, no JSON decoding of the package.

Staleness is bounded and harmless where it matters:

- a change made by this process (publishing a version, editing a service or
  an agency, through the ORM or an ORM ``UPDATE``/``DELETE``) empties the
  cache at once;
- a change made by another process (another gunicorn worker, another
  machine) is seen within ``CATALOGUE_CACHE_SECONDS``; a dossier filed in
  that window goes to the version that was current when it was read, which
  stays valid and immutable.

``CATALOGUE_CACHE_SECONDS = 0`` turns the cache off.
"""
from __future__ import annotations

import threading
import time
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from builder.extensions import db
from builder.models import Agency, AgencyCalendarDay, Dossier, Procedure, ProcedureVersion

EXTENSION_KEY = "motcua.published"
WATCHED = (Procedure, ProcedureVersion, Agency, AgencyCalendarDay)
ANCESTOR_DEPTH = 4  # province > department > commune, and one spare


class CatalogueCache:
    """Detached copies of procedures (with current version and agency) and
    agencies (with their ancestors), keyed by code."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], tuple[float, Any]] = {}
        self._copies = Session()  # only ever holds detached copies, never a connection

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def get(self, kind: str, code: str, ttl: float):
        entry = self._entries.get((kind, code))
        if entry is not None and time.monotonic() - entry[0] < ttl:
            return entry[1]
        return None

    def put(self, kind: str, code: str, instance) -> None:
        """Keep a detached copy of ``instance`` (loaded in a request's session)."""
        with self._lock:
            copy = self._copies.merge(instance, load=False)
            self._copies.expunge_all()
            self._entries[(kind, code)] = (time.monotonic(), copy)

    def put_value(self, kind: str, key, value) -> None:
        """Keep a plain value (not a mapped object), e.g. a working calendar."""
        with self._lock:
            self._entries[(kind, key)] = (time.monotonic(), value)


def init_catalogue_cache(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = CatalogueCache()


def _cache() -> CatalogueCache | None:
    return current_app.extensions.get(EXTENSION_KEY)


def _ttl() -> float:
    return float(current_app.config.get("CATALOGUE_CACHE_SECONDS", 5))


def _cached(kind: str, code: str, load):
    cache, ttl = _cache(), _ttl()
    if cache is None or ttl <= 0:
        return load()
    copy = cache.get(kind, code, ttl)
    if copy is not None:
        with db.session.no_autoflush:
            return db.session.merge(copy, load=False)
    instance = load()
    if instance is not None:
        cache.put(kind, code, instance)
    return instance


def cached_value(kind: str, key, build):
    """A plain value kept like the catalogue (same TTL, same invalidation):
    ``build()`` when absent or stale."""
    cache, ttl = _cache(), _ttl()
    if cache is None or ttl <= 0:
        return build()
    value = cache.get(kind, key, ttl)
    if value is None:
        value = build()
        cache.put_value(kind, key, value)
    return value


def _ancestry():
    option = joinedload(Agency.parent)
    for _ in range(ANCESTOR_DEPTH - 1):
        option = option.joinedload(Agency.parent)
    return option


def published_procedure(code: Any) -> Procedure | None:
    """The service of this code if it has a published version, with that
    version and its agency loaded."""
    if not isinstance(code, str):
        return None

    def load():
        procedure = db.session.scalar(
            select(Procedure).where(Procedure.code == code)
            .options(joinedload(Procedure.current_version), joinedload(Procedure.agency))
        )
        return procedure if procedure is not None and procedure.current_version is not None else None

    return _cached("procedure", code, load)


def agency_by_code(code: str) -> Agency | None:
    """An agency with its ancestors loaded (its place in the tree)."""
    def load():
        return db.session.scalar(select(Agency).where(Agency.code == code).options(_ancestry()))

    return _cached("agency", code, load)


def seed_dossier(dossier: Dossier) -> None:
    """Give the dossier its service, version and agencies from the cache, so
    that reading ``dossier.version`` (the package), ``dossier.procedure`` or
    ``dossier.agency`` costs no query. They are set as loaded relationships
    (``set_committed_value``): nothing is marked changed, and the dossier
    holds them (the session's identity map alone would let them go)."""
    loaded = dossier.__dict__
    for attribute, model, row_id in (
        ("procedure", Procedure, dossier.procedure_id),
        ("version", ProcedureVersion, dossier.version_id),
        ("agency", Agency, dossier.agency_id),
        ("handling_agency", Agency, dossier.handling_agency_id),
    ):
        if row_id is None or attribute in loaded:
            continue
        instance = _cached(f"{model.__tablename__}#id", row_id,
                           lambda m=model, i=row_id: _load_by_id(m, i))
        if instance is not None:
            set_committed_value(dossier, attribute, instance)


def _load_by_id(model, row_id: int):
    options = {
        Procedure: [joinedload(Procedure.agency)],
        Agency: [_ancestry()],
        ProcedureVersion: [],
    }[model]
    return db.session.get(model, row_id, options=options)


# --- invalidation ------------------------------------------------------------

def _touches_catalogue(objects) -> bool:
    return any(isinstance(obj, WATCHED) for obj in objects)


@event.listens_for(Session, "after_flush")
def _after_flush(session, _flush_context) -> None:
    if _touches_catalogue(session.new) or _touches_catalogue(session.dirty) \
            or _touches_catalogue(session.deleted):
        _clear_current()


@event.listens_for(Session, "do_orm_execute")
def _on_orm_execute(state) -> None:
    if (state.is_update or state.is_delete) and any(
        mapper.class_ in WATCHED for mapper in state.all_mappers
    ):
        _clear_current()


def _clear_current() -> None:
    try:
        cache = _cache()
    except RuntimeError:  # no app context: nothing cached here
        return
    if cache is not None:
        cache.clear()
