"""Identity providers: sign a citizen in through an outside account (VNeID,
the national portal's single sign-on).

Skeleton laid down with the hook specs; the identity work fills in the shapes."""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from builder.providers.base import Provider


@runtime_checkable
class IdentityProvider(Provider, Protocol):
    def authorization_url(self, state: str, redirect_uri: str) -> str:
        """Where to send the browser to sign in."""

    def identity(self, params: dict, redirect_uri: str):
        """Read the provider's answer (its callback's parameters) into an identity."""
