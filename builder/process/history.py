"""The dossier's history: append-only, each entry chained to the one before by
a SHA-256 over its content and the previous hash, so an entry changed or
removed behind the application's back shows (the database also refuses
UPDATE and DELETE on the table; see migration 0002)."""
from __future__ import annotations

import functools
import hashlib
import json
from datetime import datetime

from sqlalchemy import String, bindparam, cast, func, insert, literal_column, select
from sqlalchemy.orm import Session

from builder.database import Computed
from builder.models import Dossier, HistoryEntry
from builder.models.types import utcnow


_TABLE = HistoryEntry.__table__
_INSERT_ENTRY = insert(_TABLE).returning(_TABLE.c.id)
_ENTRY_COLUMNS = [column.key for column in _TABLE.columns if column.key != "id"]


def _content(entry: HistoryEntry, prev_hash: str | None) -> dict:
    return {
        "dossier_id": entry.dossier_id,
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor": entry.actor_name,
        "agency_id": entry.agency_id,
        "action": entry.action,
        "from": entry.from_status,
        "to": entry.to_status,
        "step": entry.step,
        "comment": entry.comment,
        "step_due_at": entry.step_due_at.isoformat() if entry.step_due_at else None,
        "details": entry.details,
        "prev": prev_hash,
    }


def _canonical(content: dict) -> str:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _digest(entry: HistoryEntry, prev_hash: str | None) -> str:
    return hashlib.sha256(_canonical(_content(entry, prev_hash)).encode("utf-8")).hexdigest()


def _around_the_dossier_id(entry: HistoryEntry, prev_hash: str | None) -> tuple[str, str]:
    """The text :func:`_digest` hashes, split around the dossier's id:
    ``prefix + str(id) + suffix`` (the keys are sorted and fixed, so the id's
    place among them is too), for an INSERT that takes the id itself."""
    content = _content(entry, prev_hash)
    del content["dossier_id"]
    before = {key: value for key, value in content.items() if key < "dossier_id"}
    after = {key: value for key, value in content.items() if key > "dossier_id"}
    return _canonical(before)[:-1] + ',"dossier_id":', "," + _canonical(after)[1:]


@functools.cache
def _digest_in_sql(dossier_id):
    """:func:`_digest` in SQL (PostgreSQL), over the SQL expression
    ``dossier_id``, the rest of the text bound as ``entry_prefix`` and
    ``entry_suffix``."""
    text = bindparam("entry_prefix", type_=String).op("||")(cast(dossier_id, String)).op("||")(
        bindparam("entry_suffix", type_=String))
    return func.encode(func.sha256(func.convert_to(text, literal_column("'UTF8'"))), literal_column("'hex'"),
                       type_=String)


def digest_computed(entry: HistoryEntry, dossier_id) -> Computed:
    """The hash of ``entry``, the first of a dossier whose id the INSERT takes
    as the SQL expression ``dossier_id``, as a value that INSERT computes."""
    prefix, suffix = _around_the_dossier_id(entry, entry.prev_hash)
    return Computed(_digest_in_sql(dossier_id), {"entry_prefix": prefix, "entry_suffix": suffix})


def append(
    session: Session,
    dossier: Dossier,
    *,
    action: str,
    actor_id: int | None,
    actor_name: str,
    agency_id: int | None,
    from_status: int | None,
    to_status: int,
    step: str | None = None,
    comment: str | None = None,
    step_due_at: datetime | None = None,
    details: dict | None = None,
    at: datetime | None = None,
    first: bool = False,
) -> HistoryEntry:
    """Insert an entry and return it (with its id, not added to the session);
    call it inside the transaction that changes the dossier (which holds the
    dossier's lock, so the chain has one tail). ``first`` says the dossier has
    no entry yet (its submission), sparing a query."""
    if dossier.id is None:  # a new dossier: the entry needs its id
        session.flush()
    if first:
        prev_hash = None
    elif dossier.history_head is not None:
        prev_hash = dossier.history_head
    else:  # a dossier from before the head was kept on it
        prev_hash = session.scalar(
            select(HistoryEntry.hash)
            .where(HistoryEntry.dossier_id == dossier.id)
            .order_by(HistoryEntry.id.desc())
            .limit(1)
        )
    entry = new_entry(dossier.id, prev_hash, at=at or utcnow(), actor_id=actor_id, actor_name=actor_name,
                      agency_id=agency_id, action=action, from_status=from_status, to_status=to_status,
                      step=step, comment=comment, step_due_at=step_due_at, details=details)
    # before the INSERT, whose autoflush then writes the dossier's changes in one UPDATE
    dossier.history_head = entry.hash
    insert_entry(session, entry)
    return entry


def new_entry(dossier_id: int, prev_hash: str | None, **fields) -> HistoryEntry:
    """An entry of the dossier ``dossier_id`` after ``prev_hash``, with its
    hash, not yet written (:func:`insert_entry`): a new dossier inserted in
    one go takes the hash as its chain head before it is written."""
    entry = HistoryEntry(dossier_id=dossier_id, prev_hash=prev_hash, **fields)
    entry.hash = _digest(entry, prev_hash)
    return entry


def insert_entry(session: Session, entry: HistoryEntry) -> None:
    """Write ``entry`` with one INSERT, outside the unit of work: the table is
    append-only, so the entry never needs tracking, and the ORM's flush costs
    more than the row. The statement is built once, the values are its
    parameters (compiled once too)."""
    entry.id = session.execute(_INSERT_ENTRY, entry_row(entry)[1]).scalar_one()


def entry_row(entry: HistoryEntry) -> tuple:
    """The table and the values of ``entry``'s row (for
    :func:`builder.database.insert_rows`)."""
    return _TABLE, {key: getattr(entry, key) for key in _ENTRY_COLUMNS}


def broken_links(session: Session, dossier_id: int) -> list[int]:
    """Ids of the entries whose hash does not match their content or whose
    link to the previous entry is broken; empty when the chain is intact."""
    broken, prev = [], None
    for entry in session.scalars(
        select(HistoryEntry).where(HistoryEntry.dossier_id == dossier_id).order_by(HistoryEntry.id)
    ):
        if entry.prev_hash != prev or entry.hash != _digest(entry, entry.prev_hash):
            broken.append(entry.id)
        prev = entry.hash
    return broken
