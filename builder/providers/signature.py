"""Digital signatures: verifiers (PDF/PAdES, XML/XMLDSig) that report on every
signature in a file, and signers that seal results and one-stop documents with
an agency's certificate (a local PKCS#12, or a CA's remote-signing gateway).

A report keeps its problems as codes with parameters, not as text, so a stored
report reads in the language of whoever looks at it later (API.md: the API
answers in the request's language); :meth:`Problem.message` words it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from flask_babel import gettext

from builder.errors import BadRequest, PluginError
from builder.providers.base import Provider

REVOCATION_GOOD = "good"
REVOCATION_REVOKED = "revoked"
REVOCATION_UNKNOWN = "unknown"
REVOCATION_STATES = (REVOCATION_GOOD, REVOCATION_REVOKED, REVOCATION_UNKNOWN)


def N_(message: str) -> str:
    """Marks a message for the catalogue; it is translated when shown."""
    return message


# What can be wrong with a signature, by code. A verifier may add its own
# code with a ``message`` parameter (shown as given).
PROBLEM_MESSAGES = {
    "tampered": N_("The signed content was changed after signing: its hash does not match."),
    "bad_signature": N_("The signature value does not match the signer's certificate."),
    "untrusted": N_("The signer's certificate does not chain to a trusted root."),
    "chain_invalid": N_("The signer's certificate chain is not valid."),
    "not_yet_valid": N_("The signer's certificate was not yet valid at the signing time "
                        "(valid from %(not_before)s)."),
    "expired": N_("The signer's certificate had expired at the signing time (valid until %(not_after)s)."),
    "revoked": N_("The signer's certificate was revoked on %(date)s."),
    "key_usage": N_("The signer's certificate may not be used to sign documents."),
    "weak_algorithm": N_("The signature uses an algorithm that is no longer safe."),
    "timestamp_invalid": N_("The signature's timestamp is not valid."),
    "modified_after_signing": N_("The document was changed after it was signed."),
    "no_trust_roots": N_("No trust roots are configured (SIGNATURE_TRUST_ROOTS)."),
    "unreadable": N_("The signature cannot be read."),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a signature: a code of :data:`PROBLEM_MESSAGES`
    and the values its message names (dates as dd/mm/yyyy)."""

    code: str
    params: dict[str, str] = field(default_factory=dict)

    def message(self) -> str:
        template = PROBLEM_MESSAGES.get(self.code)
        if template is None:
            return self.params.get("message") or self.code
        return gettext(template, **self.params)


@dataclass
class SignatureReport:
    """What a verifier found about one signature (API.md, "Signatures")."""

    signer: str | None
    issuer: str | None
    signed_at: datetime | None
    intact: bool  # the signed hash matches the content and the signature value is correct
    trusted: bool  # the certificate chains to a configured root and was valid at signed_at
    covers_whole_document: bool
    revocation: str = REVOCATION_UNKNOWN  # good | revoked | unknown
    problems: list[Problem] = field(default_factory=list)
    timestamped: bool = False  # signed_at comes from a timestamp authority, not the signer's clock

    @property
    def valid(self) -> bool:
        return (self.intact and self.trusted and self.revocation != REVOCATION_REVOKED
                and not self.problems)

    def to_dict(self) -> dict[str, Any]:
        """The API's shape, the problems worded in the current language."""
        return {
            "signer": self.signer,
            "issuer": self.issuer,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "timestamped": self.timestamped,
            "intact": self.intact,
            "trusted": self.trusted,
            "covers_whole_document": self.covers_whole_document,
            "revocation": self.revocation,
            "valid": self.valid,
            "problems": [problem.message() for problem in self.problems],
        }

    def to_record(self) -> dict[str, Any]:
        """A language-free form to store."""
        record = self.to_dict()
        record["problems"] = [{"code": p.code, "params": p.params} for p in self.problems]
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> SignatureReport:
        signed_at = record.get("signed_at")
        return cls(
            signer=record.get("signer"), issuer=record.get("issuer"),
            signed_at=datetime.fromisoformat(signed_at) if signed_at else None,
            intact=bool(record.get("intact")), trusted=bool(record.get("trusted")),
            covers_whole_document=bool(record.get("covers_whole_document")),
            revocation=record.get("revocation", REVOCATION_UNKNOWN),
            problems=[Problem(p["code"], dict(p.get("params") or {})) for p in record.get("problems", [])],
            timestamped=bool(record.get("timestamped")),
        )


@dataclass
class VerificationReport:
    """Every signature of one file; ``verifier`` names the verifier that read it."""

    verifier: str
    signatures: list[SignatureReport] = field(default_factory=list)
    unreadable: bool = False  # kept for an attachment the verifier could not parse

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    @property
    def valid(self) -> bool:
        return self.signed and all(s.valid for s in self.signatures)

    def to_dict(self) -> dict[str, Any]:
        return {"signed": self.signed, "valid": self.valid, "format": self.verifier,
                "signatures": [s.to_dict() for s in self.signatures]}

    def to_record(self) -> dict[str, Any]:
        return {"signed": self.signed, "valid": self.valid, "format": self.verifier,
                "unreadable": self.unreadable, "signatures": [s.to_record() for s in self.signatures]}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> VerificationReport:
        return cls(verifier=record.get("format", ""),
                   signatures=[SignatureReport.from_record(s) for s in record.get("signatures", [])],
                   unreadable=bool(record.get("unreadable")))


class UnreadableDocument(BadRequest):
    """A file a verifier accepted by its first bytes but cannot parse (a
    corrupt or truncated PDF, malformed XML): the caller's mistake, a 400."""


class SigningError(PluginError):
    """Sealing failed: a missing or unreadable PKCS#12, a wrong password, a
    signer that is not installed. The job that seals fails, visibly, and is
    retried; a document is never stored unsealed by accident."""


@dataclass
class SigningIdentity:
    """An agency's signing identity, from ``SIGNING_IDENTITIES`` (README):
    ``pkcs12`` and ``password`` for a local certificate; ``settings`` holds
    the whole entry, so a remote signer reads its own keys (a user id at the
    CA's gateway, ...)."""

    agency_code: str
    signer: str  # the name of the Signer that uses it
    pkcs12: bytes | None = None
    password: bytes | None = None
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass
class SealOptions:
    """Where and how the visible signature box is drawn, and what the
    signature says of itself. ``box`` is (x1, y1, x2, y2) in PDF points from
    the bottom left of ``page`` (0 = first, -1 = last)."""

    reason: str = "Đóng dấu điện tử của cơ quan"
    location: str | None = None
    page: int = -1
    box: tuple[int, int, int, int] = (340, 24, 565, 84)
    field_name: str = "CoQuanKySo"


@runtime_checkable
class SignatureVerifier(Provider, Protocol):
    def accepts(self, data: bytes, filename: str | None = None) -> bool:
        """Whether this verifier reads this kind of file, judged by content."""

    def verify(self, data: bytes, trust_roots: list[bytes]) -> VerificationReport:
        """Verify every signature in ``data`` against ``trust_roots`` (DER
        certificates). An unsigned file gives a report with no signatures; a
        file that cannot be parsed raises :class:`UnreadableDocument`. Never
        waits on the network unless its settings allow it, and then briefly."""


@runtime_checkable
class Signer(Provider, Protocol):
    def sign_pdf(self, pdf: bytes, identity: SigningIdentity,
                 options: SealOptions | None = None) -> bytes:
        """Return ``pdf`` sealed with ``identity`` as PAdES, with a visible
        signature box; raise :class:`SigningError` when it cannot."""
