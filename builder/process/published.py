"""The published catalogue, cached per process for the submission path.

A submission needs the service, its current version (the package: form,
process, fees), the service's agency and the receiving agency with its
ancestors. A published version never changes, and services and agencies
change rarely, so each process keeps them for ``CATALOGUE_CACHE_SECONDS``
(default 5 s) and puts them into the request's session with
``Session.merge(load=False)`` (:mod:`builder.detached_cache`): no query, no
JSON decoding of the package.

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

from typing import Any

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from builder.detached_cache import DetachedCache, merged, register, registered
from builder.extensions import db
from builder.models import Agency, AgencyCalendarDay, Dossier, Procedure, ProcedureVersion

EXTENSION_KEY = "motcua.published"
WATCHED = (Procedure, ProcedureVersion, Agency, AgencyCalendarDay)
ANCESTOR_DEPTH = 4  # province > department > commune, and one spare


def init_catalogue_cache(app: Flask) -> None:
    register(app, EXTENSION_KEY, DetachedCache(WATCHED))


def _cache() -> DetachedCache | None:
    return registered(EXTENSION_KEY)


def _ttl() -> float:
    return float(current_app.config.get("CATALOGUE_CACHE_SECONDS", 5))


def _cached(kind: str, code: str, load, read_only: bool = False):
    """The object ``load()`` gives, from the cache: as an object of the
    request's session, or with ``read_only`` the cache's own detached copy
    (no merge; see :func:`published_procedure`)."""
    cache, ttl = _cache(), _ttl()
    if cache is None or ttl <= 0:
        return load()
    copy = cache.get(kind, code, ttl)
    if copy is not None:
        return copy if read_only else merged(copy)
    instance = load()
    if instance is None:
        return None
    if not read_only:
        cache.put(kind, code, instance)
        return instance
    copy = cache.detached_copy(instance)
    cache.put_value(kind, code, copy)
    return copy


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


def published_procedure(code: Any, read_only: bool = False) -> Procedure | None:
    """The service of this code if it has a published version, with that
    version and its agency loaded.

    With ``read_only`` it is the process's shared copy, outside the request's
    session (putting it in costs a merge per object, about a tenth of a
    one-call submission): read what is loaded, change nothing, and link it
    only along relationships that do not cascade "save-update" (a dossier's
    catalogue)."""
    if not isinstance(code, str):
        return None

    def load():
        procedure = db.session.scalar(
            select(Procedure).where(Procedure.code == code)
            .options(joinedload(Procedure.current_version), joinedload(Procedure.agency))
        )
        return procedure if procedure is not None and procedure.current_version is not None else None

    return _cached("procedure", code, load, read_only)


def agency_by_code(code: str, read_only: bool = False) -> Agency | None:
    """An agency with its ancestors loaded (its place in the tree);
    ``read_only`` as for :func:`published_procedure`."""
    def load():
        return db.session.scalar(select(Agency).where(Agency.code == code).options(_ancestry()))

    return _cached("agency", code, load, read_only)


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
