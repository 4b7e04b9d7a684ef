"""What the PDF and XML verifiers share: the certificate-path rules. A
certificate is trusted when a path leads from it to one of the configured
roots and every certificate on it was valid at the signing time; its
revocation is checked (CRL or OCSP, as the certificate says) only when the
plugin's settings allow the network, with a short timeout, and is
``unknown`` otherwise.

Settings, in ``PLUGINS["pades"]`` and ``PLUGINS["xmldsig"]``:

``allow_fetching`` (false)
    fetch CRLs and OCSP answers named in the certificates.
``fetch_timeout`` (5)
    seconds per request when fetching.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, TypeVar

from asn1crypto import x509 as asn1_x509
from flask_babel import gettext as _
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.api import FetchLimits, OwnedFetcherBackend

from builder.providers.signature import (
    REVOCATION_GOOD,
    REVOCATION_REVOKED,
    REVOCATION_UNKNOWN,
    Problem,
)

DEFAULT_FETCH_TIMEOUT = 5
# Vietnamese CAs mark signing certificates with either usage; a seal may have
# only digitalSignature.
KEY_USAGE = KeyUsageConstraints(key_usage={"non_repudiation", "digital_signature"},
                                match_all_key_usages=False)
UNTRUSTED = {AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND, AdESIndeterminate.NO_SIGNING_CERTIFICATE_FOUND}
REVOKED = {AdESFailure.REVOKED, AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE}
WEAK = {AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE, AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE_NO_POE}
KEY_USAGE_FAILURES = {AdESIndeterminate.SIG_CONSTRAINTS_FAILURE}

T = TypeVar("T")


def check_settings(name: str, settings: dict[str, Any]) -> list[str]:
    problems = []
    if not isinstance(settings.get("allow_fetching", False), bool):
        problems.append(_("%(key)s of %(plugin)s must be true or false.", key="allow_fetching", plugin=name))
    timeout = settings.get("fetch_timeout", DEFAULT_FETCH_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 60:
        problems.append(_("%(key)s of %(plugin)s must be a number of seconds from 1 to 60.",
                          key="fetch_timeout", plugin=name))
    return problems


def as_certificates(trust_roots: list[bytes]) -> list[asn1_x509.Certificate]:
    return [asn1_x509.Certificate.load(der) for der in trust_roots]


def validation_context(settings: dict[str, Any], trust_roots: list[bytes], moment: datetime | None,
                       other_certs=(), hard: bool = False) -> ValidationContext:
    """A context that validates at ``moment`` (the signing time). With
    ``hard``, a certificate that names a CRL or OCSP responder that cannot
    be reached is not trusted: how we learn that its revocation was really
    checked."""
    fetching = bool(settings.get("allow_fetching", False))
    backend = None
    if fetching:
        timeout = settings.get("fetch_timeout", DEFAULT_FETCH_TIMEOUT)
        backend = OwnedFetcherBackend(AIOHttpFetcherBackend(
            per_request_timeout=timeout, limits=FetchLimits(max_requests=20, max_cert_requests=5)))
    return ValidationContext(
        trust_roots=as_certificates(trust_roots), other_certs=list(other_certs),
        moment=moment, best_signature_time=moment, allow_fetching=fetching,
        fetcher_backend=backend, revocation_mode="hard-fail" if hard else "soft-fail",
        retroactive_revinfo=True,
    )


def names_revocation_source(cert: asn1_x509.Certificate) -> bool:
    """Whether the certificate says where its revocation is published."""
    return bool(cert.crl_distribution_points or cert.ocsp_urls)


def fetching_allowed(settings: dict[str, Any]) -> bool:
    return bool(settings.get("allow_fetching", False))


def person(name: asn1_x509.Name) -> str:
    """The common name (else the whole name) of a certificate's subject or issuer."""
    native = name.native
    return native.get("common_name") or name.human_friendly


def date_text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%d/%m/%Y")


@dataclass
class TrustVerdict:
    trusted: bool
    revocation: str = REVOCATION_UNKNOWN
    problems: list[Problem] = field(default_factory=list)


def validity_problems(cert: asn1_x509.Certificate, moment: datetime) -> list[Problem]:
    validity = cert["tbs_certificate"]["validity"]
    not_before, not_after = validity["not_before"].native, validity["not_after"].native
    if moment < not_before:
        return [Problem("not_yet_valid", {"not_before": date_text(not_before)})]
    if moment > not_after:
        return [Problem("expired", {"not_after": date_text(not_after)})]
    return []


def verdict(cert: asn1_x509.Certificate, moment: datetime, trusted: bool, indication,
            revocation_date: datetime | None, revocation_checked: bool) -> TrustVerdict:
    """Turn a path validation's outcome into our words: trusted or not, the
    revocation state, and the problems, most telling first."""
    problems = validity_problems(cert, moment)
    if revocation_date is not None or indication in REVOKED:
        when = revocation_date or moment
        return TrustVerdict(False, REVOCATION_REVOKED,
                            problems + [Problem("revoked", {"date": date_text(when)})])
    if trusted and not problems:
        return TrustVerdict(True, REVOCATION_GOOD if revocation_checked else REVOCATION_UNKNOWN)
    if not problems:
        if indication in UNTRUSTED:
            problems.append(Problem("untrusted"))
        elif indication in WEAK:
            problems.append(Problem("weak_algorithm"))
        elif indication in KEY_USAGE_FAILURES:
            problems.append(Problem("key_usage"))
        else:  # a CA above the signer out of its validity, or another path failure
            problems.append(Problem("chain_invalid"))
    return TrustVerdict(False, REVOCATION_UNKNOWN, problems)


def with_revocation(settings: dict[str, Any], cert: asn1_x509.Certificate, run: Callable[[bool], T],
                    trusted_of: Callable[[T], bool], revoked_of: Callable[[T], bool]) -> tuple[T, bool]:
    """Run a validation (``run(hard)``) so that we learn whether revocation
    was checked: hard-fail first when the certificate names a source and the
    network is allowed; if that fails for a reason other than revocation,
    again soft-fail. Returns the outcome and whether revocation was checked."""
    if fetching_allowed(settings) and names_revocation_source(cert):
        outcome = run(True)
        if trusted_of(outcome) or revoked_of(outcome):
            return outcome, True
    return run(False), False
