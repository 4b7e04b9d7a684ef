"""Bearer tokens this process has verified, kept until they expire.

Every API call carries the same access token for up to an hour. Verifying it
(PyJWT decodes each segment and, since 2.15, checks every character of it in
Python; Flask-JWT-Extended decodes the header a second time) costs more than
anything else the sign-in does. So each process remembers the tokens it has
verified, with their header and claims, until the token's ``exp`` (plus the
configured leeway); a request bearing one skips the decoding and the
signature check, which cannot give another answer for the same string.

What can change while a token lives is still checked on every call: the
revocation and claims callbacks of Flask-JWT-Extended, and the user (active,
roles; :meth:`builder.security.MotcuaSecurityManager.load_user_jwt`).
``VERIFIED_TOKEN_CACHE_SIZE`` bounds the tokens kept (0 turns it off).
"""
from __future__ import annotations

import threading
import time

from flask import Flask, current_app, request
from flask_jwt_extended.config import config as jwt_config

EXTENSION_KEY = "motcua.verified_tokens"


class VerifiedTokens:
    """Token string -> (header, claims, instant after which it is refused)."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self._items: dict[str, tuple[dict, dict, float]] = {}
        self._lock = threading.Lock()

    def get(self, token: str, now: float | None = None) -> tuple[dict, dict] | None:
        item = self._items.get(token)
        if item is None:
            return None
        header, claims, not_after = item
        if (now if now is not None else time.time()) >= not_after:
            self._items.pop(token, None)
            return None
        return header, claims

    def put(self, token: str, header: dict, claims: dict, leeway: float = 0) -> None:
        """Keep a verified token; one without ``exp`` is not kept (it would
        never be checked again)."""
        if self.capacity <= 0 or not isinstance(claims.get("exp"), (int, float)):
            return
        with self._lock:
            if len(self._items) >= self.capacity:
                self._evict(time.time())
            self._items[token] = (header, claims, claims["exp"] + leeway)

    def _evict(self, now: float) -> None:
        # a copy taken at once: get() may drop an expired token meanwhile, without the lock
        for token, (_header, _claims, not_after) in list(self._items.items()):
            if now >= not_after:
                self._items.pop(token, None)
        while len(self._items) >= self.capacity:  # the oldest first
            self._items.pop(next(iter(list(self._items))), None)

    def __len__(self) -> int:
        return len(self._items)


def init_tokens(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = VerifiedTokens(int(app.config.get("VERIFIED_TOKEN_CACHE_SIZE", 4096)))


def verified_tokens() -> VerifiedTokens | None:
    cache = current_app.extensions.get(EXTENSION_KEY)
    return cache if cache is not None and cache.capacity > 0 else None


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, read as
    Flask-JWT-Extended reads it (its header name and type settings), or None."""
    if "headers" not in jwt_config.token_location:
        return None
    value = request.headers.get(jwt_config.header_name)
    if not value:
        return None
    kind = jwt_config.header_type
    if not kind:
        return value.strip() or None
    parts = value.split()
    return parts[1] if len(parts) == 2 and parts[0] == kind else None
