"""Identity providers: sign a citizen in through an outside account (VNeID,
the national portal's single sign-on). Both work as OAuth 2.0 / OpenID
Connect: the browser is sent to the provider with a ``state``; the provider
sends it back to our callback with a ``code``; the code is exchanged for
tokens server to server, and the person's details (citizen ID number, name,
date of birth, phone, e-mail) are read from the user-info endpoint.

The host (:mod:`builder.identity`) keeps the state, checks it on the way back
(once), finds or creates the citizen's account by the citizen ID and signs
them in; a provider only speaks its protocol."""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, runtime_checkable

from builder.providers.base import Provider


@dataclass
class SignInRequest:
    """One sign-in under way: made by the host, kept in the browser's session
    between the two legs, handed to the provider on both."""

    state: str  # our anti-forgery value, given back by the provider
    nonce: str  # bound into the ID token (OpenID Connect)
    code_verifier: str  # PKCE (RFC 7636): only its S256 challenge leaves with the browser
    redirect_uri: str  # our callback, exactly as registered with the provider

    @property
    def code_challenge(self) -> str:
        digest = hashlib.sha256(self.code_verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class Identity:
    """Who the provider says signed in. ``subject`` is the provider's own
    stable identifier of the person; the rest may be missing or wrong, and
    the host checks what it uses."""

    subject: str
    id_number: str | None = None
    full_name: str | None = None
    birth_date: date | None = None
    phone: str | None = None
    email: str | None = None
    claims: dict[str, Any] = field(default_factory=dict)


# Why a provider's answer cannot be used (IdentityError.reason); the host
# words each for the citizen.
DENIED = "denied"  # the person cancelled, or the provider refused (error=access_denied, ...)
UNREACHABLE = "unreachable"  # the provider's token or user-info endpoint did not answer
INVALID = "invalid"  # the provider answered something unusable (bad token, bad signature, ...)
REASONS = (DENIED, UNREACHABLE, INVALID)


class IdentityError(Exception):
    """Raised by :meth:`IdentityProvider.identity`; ``detail`` is for the log."""

    def __init__(self, reason: str, detail: str) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@runtime_checkable
class IdentityProvider(Provider, Protocol):
    def authorization_url(self, request: SignInRequest) -> str:
        """Where to send the browser to sign in: the provider's authorization
        endpoint with ``state``, ``redirect_uri`` (and, for OpenID Connect,
        ``nonce`` and the PKCE ``code_challenge``)."""

    def identity(self, params: dict[str, str], request: SignInRequest) -> Identity:
        """Read the callback's parameters (``code``, or ``error``): exchange
        the code, read the person's details. The host has already checked
        ``state``. Raises :class:`IdentityError` when that fails."""
