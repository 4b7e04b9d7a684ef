"""Signature verifiers (PDF/PAdES, XML/XMLDSig) and signers (sealing results
and one-stop documents with an agency's certificate).

Skeleton laid down with the hook specs; the signatures work fills in the
report shapes and the signer's arguments."""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from builder.providers.base import Provider


@runtime_checkable
class SignatureVerifier(Provider, Protocol):
    def accepts(self, data: bytes, filename: str | None = None) -> bool:
        """Whether this verifier reads this kind of file (by content first)."""

    def verify(self, data: bytes, trust_roots: list[bytes]):
        """Verify every signature in ``data`` against the PEM/DER ``trust_roots``."""


@runtime_checkable
class Signer(Provider, Protocol):
    def sign_pdf(self, pdf: bytes, identity, **options) -> bytes:
        """Return ``pdf`` sealed with ``identity`` (PAdES)."""
