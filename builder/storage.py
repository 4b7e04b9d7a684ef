"""Stored files (attachments, generated PDFs), addressed by their SHA-256 under
the instance folder (``STORAGE_PATH`` to move them). Writing the same bytes
twice stores them once."""
from __future__ import annotations

import hashlib
import os
import re
import tempfile

from flask import current_app

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def storage_root() -> str:
    root = current_app.config.get("STORAGE_PATH") or os.path.join(
        current_app.instance_path, "storage"
    )
    os.makedirs(root, exist_ok=True)
    return root


def blob_path(sha256: str) -> str:
    if not _SHA256.match(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return os.path.join(storage_root(), sha256[:2], sha256[2:4], sha256)


def write_atomically(path: str, data: bytes) -> None:
    """Write a file whole or not at all, and durably (a reader never sees half)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path))
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def store_bytes(data: bytes) -> str:
    """Store ``data`` and return its SHA-256; the write is atomic."""
    digest = hashlib.sha256(data).hexdigest()
    path = blob_path(digest)
    if not os.path.exists(path):
        write_atomically(path, data)
    return digest


def read_bytes(sha256: str) -> bytes:
    with open(blob_path(sha256), "rb") as source:
        return source.read()


def exists(sha256: str) -> bool:
    return os.path.exists(blob_path(sha256))
