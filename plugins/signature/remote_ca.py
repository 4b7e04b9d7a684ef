"""Remote signing (ký số từ xa) through a certification authority's gateway:
an agency's documents sealed as PAdES with a certificate whose key never
leaves the CA. pyHanko lays out the signature and computes the digest of the
CMS signed attributes; the digest goes to the gateway, the holder of the
certificate confirms the request on their phone, and the raw signature comes
back to be embedded (pyHanko's :class:`~pyhanko.sign.signers.Signer` with our
own ``async_sign_raw``, the hook pyHanko documents for remote signing).

The gateway's API is Viettel-CA's MySign remote-signing gateway ("Cloud CA",
base https://remotesigning.viettel.vn), as its integration document (v1.8/1.9)
describes it and public integrations use it:

1. ``POST /vtss/service/ras/v1/login`` with ``client_id``, ``client_secret``,
   ``profile_id``, ``user_id`` gives ``access_token`` (Bearer, per user).
2. ``POST /vtss/service/certificates/info`` (the same four, with
   ``"certificates": "chain"``) gives the user's credentials: for each,
   ``credential_id``, ``key`` (``status``, ``algo``) and ``cert``
   (``status``, ``certificates``: base64 DER, the user's first, then the CA
   and the root; ``subjectDN``, ``validFrom``, ``validTo``).
3. ``POST /vtss/service/signHash`` with ``credentialID``, ``numSignatures``
   1, ``documents`` [``document_id``, ``document_name`` in base64],
   ``description`` (base64, under 100 characters), ``hash`` [the base64
   SHA-256 digest], ``hashAlgo`` and ``signAlgo`` (OIDs) and ``async`` 1
   gives a ``transactionId``; the user is asked on their phone.
4. ``POST /vtss/service/requests/status`` with ``transactionId`` gives
   ``status``: ``4000`` waiting for the user, ``6000`` confirmed and being
   signed, ``1`` signed (``signatures``: the base64 raw signature, which may
   hold line breaks), ``4001`` expired, ``4002`` refused by the user, other
   codes a failure (``4004`` signing failed, ``4005`` no signings left,
   ``13004`` certificate expired or revoked).

VNPT SmartCA has the same shape (``/v1/credentials/get_certificate``,
``/v1/signatures/sign`` with ``data_to_be_signed`` as hex,
``/v1/signatures/sign/{id}/status``); another gateway is a subclass of
:class:`MySignGateway` with those four calls. What is ours, not the CA's:
how long we wait (``timeout``) and how often we ask (``poll_interval``); the
gateway has its own expiry, reported as ``4001``. This module was written
from the integration documents and tested against tests/remote_ca_simulator.py,
not against the CA's test gateway.

Settings, in ``PLUGINS["remote_ca"]`` (defaults for every agency), each but
the timings also allowed in the agency's entry of ``SIGNING_IDENTITIES``
(which wins)::

    PLUGINS = {"remote_ca": {"base_url": "https://remotesigning.viettel.vn",
                             "client_id": "MOTCUA_HN", "client_secret_env": "MOTCUA_MYSIGN_SECRET",
                             "profile_id": "adss:ras:profile:001",
                             "poll_interval": 2, "timeout": 120, "request_timeout": 10}}
    SIGNING_IDENTITIES = {"000.01.01.H26": {"signer": "remote_ca", "user_id": "MST_0100109106-998",
                                            "credential_id": "0100109106-998_2482540_20250917114147"}}

``client_secret_env`` names the environment variable holding the client
secret (``client_secret`` itself is accepted in ``PLUGINS``, set from the
environment in instance/config.py); ``credential_id`` chooses one of the
user's certificates (default: the first valid one); ``font`` is the
TrueType font of the signature box, as for ``pades``.

A signing the user refuses, lets expire or does not confirm within
``timeout`` raises :class:`~builder.providers.signature.SigningError` with a
Vietnamese message: the job that seals fails, nothing is stored, and the job
is retried. The signature the gateway returns is checked against the
certificate before it is embedded.
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import io
import logging
import os
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import requests
from flask_babel import gettext as _

from builder import hookimpl
from builder.plugins import plugin_settings
from builder.providers.signature import SealOptions, SigningError, SigningIdentity
from builder.providers.settings import not_addresses, unset_environment
from plugins.signature.pades import PadesSigner

log = logging.getLogger(__name__)
PLUGIN = "remote_ca"
DEFAULT_PROFILE = "adss:ras:profile:001"
DEFAULTS = {"poll_interval": 2, "timeout": 120, "request_timeout": 10}
# keys an agency's entry may set, over the plugin's
GATEWAY_KEYS = ("base_url", "client_id", "client_secret_env", "profile_id", "user_id", "credential_id")
SHA256_OID = "2.16.840.1.101.3.4.2.1"
SIGN_ALGORITHMS = {"rsa": "1.2.840.113549.1.1.1", "ec": "1.2.840.10045.2.1"}
SIGNED, WAITING, CONFIRMED, EXPIRED, REFUSED = "1", "4000", "6000", "4001", "4002"
NAME_LIMIT = 72  # bytes of text whose base64 stays under the gateway's 100 characters


@dataclass
class GatewaySettings:
    """One agency's way to the gateway: the plugin's settings under its own."""

    base_url: str
    client_id: str
    client_secret: str
    profile_id: str
    user_id: str
    credential_id: str | None
    poll_interval: float
    timeout: float
    request_timeout: float


@dataclass
class Credential:
    """A certificate of the user at the gateway, its chain, and its id."""

    credential_id: str
    certificate: Any  # asn1crypto.x509.Certificate
    chain: list  # the CA certificates above it
    key_algorithm: str  # rsa | ec


def _short_base64(text: str) -> str:
    raw = text.encode("utf-8")[:NAME_LIMIT].decode("utf-8", errors="ignore")
    return base64.b64encode(raw.encode("utf-8")).decode("ascii")


class MySignGateway:
    """The four calls of the gateway (module docstring), for one user."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self.session = requests.Session()
        self.token: str | None = None

    def _post(self, path: str, body: dict[str, Any], auth: bool = True) -> Any:
        headers = {"Accept": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.login()}"
        url = self.settings.base_url.rstrip("/") + path
        try:
            answer = self.session.post(url, json=body, headers=headers, timeout=self.settings.request_timeout)
        except requests.RequestException as exc:
            raise SigningError(_("The remote-signing gateway cannot be reached (%(url)s): %(error)s",
                                 url=url, error=type(exc).__name__)) from exc
        try:
            data = answer.json()
        except ValueError:
            data = None
        if answer.status_code != 200:
            detail = data.get("message") or data.get("description") if isinstance(data, dict) else None
            raise SigningError(_("The remote-signing gateway answered %(status)s to %(call)s: %(message)s",
                                 status=answer.status_code, call=path,
                                 message=detail or answer.reason or ""))
        if data is None:
            raise SigningError(_("The remote-signing gateway sent an answer that cannot be read (%(call)s).",
                                 call=path))
        return data

    def _client(self) -> dict[str, str]:
        return {"client_id": self.settings.client_id, "client_secret": self.settings.client_secret}

    def login(self) -> str:
        if self.token is None:
            data = self._post("/vtss/service/ras/v1/login", {
                **self._client(), "profile_id": self.settings.profile_id, "user_id": self.settings.user_id,
            }, auth=False)
            token = data.get("access_token") if isinstance(data, dict) else None
            if not isinstance(token, str) or not token:
                raise SigningError(_("The remote-signing gateway sent an answer that cannot be read "
                                     "(%(call)s).", call="login"))
            self.token = token
        return self.token

    def credentials(self) -> list[dict[str, Any]]:
        data = self._post("/vtss/service/certificates/info", {
            **self._client(), "profile_id": self.settings.profile_id, "user_id": self.settings.user_id,
            "certificates": "chain", "certInfo": True, "authInfo": True,
        })
        if not isinstance(data, list):
            raise SigningError(_("The remote-signing gateway sent an answer that cannot be read (%(call)s).",
                                 call="certificates/info"))
        return [entry for entry in data if isinstance(entry, dict)]

    def credential(self) -> Credential:
        """The configured credential, else the user's first valid one."""
        from asn1crypto import x509

        wanted = self.settings.credential_id
        for entry in self.credentials():
            cert = entry.get("cert") or {}
            key = entry.get("key") or {}
            if wanted and entry.get("credential_id") != wanted:
                continue
            if not wanted and (cert.get("status") != "valid" or key.get("status") != "enabled"):
                continue
            try:
                chain = [x509.Certificate.load(base64.b64decode(c)) for c in cert.get("certificates") or []]
                chain[0].native  # parses it whole
            except (IndexError, ValueError, TypeError, binascii.Error):
                raise SigningError(_("The remote-signing gateway sent an answer that cannot be read "
                                     "(%(call)s).", call="certificates/info")) from None
            algorithm = chain[0].public_key.algorithm
            if algorithm not in SIGN_ALGORITHMS:
                break
            return Credential(str(entry.get("credential_id")), chain[0], chain[1:], algorithm)
        raise SigningError(_("The remote-signing gateway has no usable certificate for user %(user)s.",
                             user=self.settings.user_id))

    def sign_hash(self, credential: Credential, digest: bytes, description: str, document_name: str) -> str:
        data = self._post("/vtss/service/signHash", {
            **self._client(), "credentialID": credential.credential_id, "numSignatures": 1,
            "description": _short_base64(description),
            "documents": [{"document_id": f"motcua-{uuid.uuid4().hex}",
                           "document_name": _short_base64(document_name)}],
            "hash": [base64.b64encode(digest).decode("ascii")],
            "hashAlgo": SHA256_OID, "signAlgo": SIGN_ALGORITHMS[credential.key_algorithm], "async": 1,
        })
        transaction = data.get("transactionId") if isinstance(data, dict) else None
        if not isinstance(transaction, str) or not transaction:
            raise SigningError(_("The remote-signing gateway sent an answer that cannot be read (%(call)s).",
                                 call="signHash"))
        return transaction

    def status(self, transaction: str) -> tuple[str, list[str], str]:
        """``(status, signatures, description)`` of a signing request."""
        data = self._post("/vtss/service/requests/status", {"transactionId": transaction})
        if not isinstance(data, dict) or data.get("status") is None:
            raise SigningError(_("The remote-signing gateway sent an answer that cannot be read (%(call)s).",
                                 call="requests/status"))
        signatures = data.get("signatures") or []
        return (str(data["status"]), [s for s in signatures if isinstance(s, str)],
                str(data.get("description") or data.get("message") or ""))


def _gateway_signer_class():
    """pyHanko's Signer, imported when first sealing (pyHanko loads slowly)."""
    from pyhanko.sign.signers import Signer

    class GatewaySigner(Signer):
        """Sends the digest of the signed attributes to the gateway, waits
        for the user to confirm, and returns the raw signature."""

        def __init__(self, gateway: MySignGateway, credential: Credential, description: str,
                     document_name: str) -> None:
            from pyhanko_certvalidator.registry import SimpleCertificateStore

            super().__init__(signing_cert=credential.certificate,
                             cert_registry=SimpleCertificateStore.from_certs(credential.chain))
            self.gateway, self.credential = gateway, credential
            self.description, self.document_name = description, document_name

        async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
            if dry_run:  # pyHanko sizing the space for the signature
                bits = self.credential.certificate.public_key.bit_size
                return bytes(bits // 8 if self.credential.key_algorithm == "rsa" else 2 * (bits // 8 + 1) + 8)
            if digest_algorithm.lower() != "sha256":
                raise SigningError(f"Signer {PLUGIN!r}: the gateway signs SHA-256 digests only")
            digest = hashlib.sha256(data).digest()
            settings = self.gateway.settings
            transaction = self.gateway.sign_hash(self.credential, digest, self.description,
                                                 self.document_name)
            log.info("remote signing: transaction %s sent to user %s, waiting for the confirmation",
                     transaction, settings.user_id)
            deadline = time.monotonic() + settings.timeout
            while True:
                status, signatures, description = self.gateway.status(transaction)
                if status == SIGNED and signatures:
                    return self._checked(data, digest_algorithm, signatures[0])
                if status == REFUSED:
                    raise SigningError(_("The signer refused the signing on their phone (user %(user)s, "
                                         "transaction %(transaction)s).",
                                         user=settings.user_id, transaction=transaction))
                if status == EXPIRED:
                    raise SigningError(_("The signing request expired at the gateway before the signer "
                                         "confirmed it (user %(user)s, transaction %(transaction)s).",
                                         user=settings.user_id, transaction=transaction))
                if status not in (WAITING, CONFIRMED, SIGNED):
                    raise SigningError(_("The remote-signing gateway could not sign (status %(status)s: "
                                         "%(description)s).", status=status, description=description))
                if time.monotonic() + settings.poll_interval > deadline:
                    raise SigningError(_("The signer did not confirm the signing within %(seconds)s seconds "
                                         "(user %(user)s, transaction %(transaction)s).",
                                         seconds=f"{settings.timeout:g}", user=settings.user_id,
                                         transaction=transaction))
                await asyncio.sleep(settings.poll_interval)

        def _checked(self, data: bytes, digest_algorithm: str, encoded: str) -> bytes:
            """The raw signature, once it verifies with the certificate: a
            wrong answer is never embedded as if it were a seal."""
            from cryptography import x509
            from cryptography.exceptions import InvalidSignature
            from cryptography.hazmat.primitives import hashes
            from cryptography.hazmat.primitives.asymmetric import ec, padding

            try:
                signature = base64.b64decode("".join(encoded.split()), validate=True)
                public_key = x509.load_der_x509_certificate(self.credential.certificate.dump()).public_key()
                if self.credential.key_algorithm == "rsa":
                    public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
                else:
                    public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
            except (binascii.Error, ValueError, InvalidSignature):
                raise SigningError(_("The signature the remote-signing gateway returned does not match the "
                                     "certificate of user %(user)s.",
                                     user=self.gateway.settings.user_id)) from None
            return signature

    return GatewaySigner


class RemoteCaSigner(PadesSigner):
    """Seals as ``pades`` does (the same box, the same PAdES profile), the
    signature made at the CA's gateway."""

    name = PLUGIN
    label = "Ký số từ xa qua cổng của tổ chức chứng thực (VNPT SmartCA, Viettel MySign)"

    def __init__(self, settings: dict[str, Any], font_dirs: list[str],
                 identities: dict[str, dict[str, Any]] | None = None) -> None:
        super().__init__(settings, font_dirs)
        self.identities = identities or {}

    # --- settings ---------------------------------------------------------------

    def _timing(self, key: str) -> float | None:
        value = self.settings.get(key, DEFAULTS[key])
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            return None
        return float(value)

    def _merged(self, entry: dict[str, Any]) -> dict[str, Any]:
        merged = {key: self.settings.get(key) for key in GATEWAY_KEYS}
        merged["client_secret"] = self.settings.get("client_secret")
        for key in GATEWAY_KEYS:
            if entry.get(key):
                merged[key] = entry[key]
        return merged

    @staticmethod
    def _secret(merged: dict[str, Any]) -> str | None:
        if merged.get("client_secret_env"):
            return os.environ.get(merged["client_secret_env"])
        return merged.get("client_secret")

    def _problems(self, merged: dict[str, Any], agency: str | None) -> list[str]:
        def missing(key: str) -> str:
            if agency is None:
                return _("%(key)s is not set in PLUGINS[\"%(plugin)s\"].", key=key, plugin=PLUGIN)
            return _("%(key)s of agency %(agency)s is not set (in SIGNING_IDENTITIES or "
                     "PLUGINS[\"%(plugin)s\"]).", key=key, agency=agency, plugin=PLUGIN)

        required = ("base_url", "client_id", "user_id") if agency else ("base_url", "client_id")
        problems = [missing(key) for key in required
                    if not isinstance(merged.get(key), str) or not merged[key].strip()]
        problems += not_addresses(PLUGIN, merged, ("base_url",))
        unset = unset_environment(PLUGIN, merged, "client_secret_env")
        if unset:
            problems += unset
        elif not self._secret(merged):
            problems.append(missing("client_secret_env"))
        return problems

    def check_config(self) -> list[str]:
        problems = super().check_config()  # the font of the box
        for key in DEFAULTS:
            if self._timing(key) is None:
                problems.append(_("%(key)s of %(plugin)s must be a number of seconds.",
                                  key=key, plugin=PLUGIN))
        agencies = {code: entry for code, entry in self.identities.items()
                    if isinstance(entry, dict) and entry.get("signer") == PLUGIN}
        if not agencies:
            return problems + self._problems(self._merged({}), None)
        for code, entry in sorted(agencies.items()):
            problems += [p for p in self._problems(self._merged(entry), code) if p not in problems]
        return problems

    def gateway_settings(self, identity: SigningIdentity) -> GatewaySettings:
        merged = self._merged(identity.settings)
        problems = self._problems(merged, identity.agency_code)
        timings = {key: self._timing(key) for key in DEFAULTS}
        problems += [_("%(key)s of %(plugin)s must be a number of seconds.", key=key, plugin=PLUGIN)
                     for key, value in timings.items() if value is None]
        if problems:
            raise SigningError(" ".join(problems))
        return GatewaySettings(
            base_url=merged["base_url"].strip(), client_id=merged["client_id"],
            client_secret=self._secret(merged),
            profile_id=merged.get("profile_id") or DEFAULT_PROFILE, user_id=merged["user_id"],
            credential_id=merged.get("credential_id"), **timings)

    # --- sealing ----------------------------------------------------------------

    def sign_pdf(self, pdf: bytes, identity: SigningIdentity, options: SealOptions | None = None) -> bytes:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields

        options = options or SealOptions()
        font = self.font_path()
        if font is None:
            raise SigningError(_("No font for the signature box: set %(key)s of %(plugin)s or install "
                                 "DejaVu fonts.", key="font", plugin=PLUGIN))
        try:  # a broken document is found before anyone is asked to sign it
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
            page_count = int(writer.root["/Pages"]["/Count"])
            existing = {name for name, _value, _ref in fields.enumerate_sig_fields(writer)}
        except Exception as exc:  # noqa: BLE001  (pyHanko raises many kinds on a broken file)
            raise SigningError(_("The document to seal is not a readable PDF: %(error)s", error=exc)) from exc
        gateway = MySignGateway(self.gateway_settings(identity))
        try:
            return self._seal(writer, page_count, existing, gateway, identity, options, font)
        finally:
            gateway.session.close()

    def _seal(self, writer, page_count: int, existing: set[str], gateway: MySignGateway,
              identity: SigningIdentity, options: SealOptions, font: str) -> bytes:
        from pyhanko.sign import fields
        from pyhanko.sign.fields import SigSeedSubFilter
        from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner

        credential = gateway.credential()
        self._check_validity(credential, gateway.settings.user_id)
        field_name, suffix = options.field_name, 1
        while field_name in existing:  # a document sealed again keeps its first seal
            suffix += 1
            field_name = f"{options.field_name}{suffix}"
        page = options.page if options.page >= 0 else page_count + options.page
        signer = _gateway_signer_class()(gateway, credential, description=options.reason,
                                         document_name=options.location or identity.agency_code)
        pdf_signer = PdfSigner(
            PdfSignatureMetadata(field_name=field_name, reason=options.reason, location=options.location,
                                 subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256"),
            signer=signer, stamp_style=self._stamp_style(signer, font),
            new_field_spec=fields.SigFieldSpec(field_name, on_page=max(0, min(page, page_count - 1)),
                                               box=options.box),
        )
        out = io.BytesIO()
        try:
            pdf_signer.sign_pdf(writer, output=out)
        except SigningError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise SigningError(_("The document could not be sealed: %(error)s", error=exc)) from exc
        return out.getvalue()

    @staticmethod
    def _check_validity(credential: Credential, user: str) -> None:
        validity = credential.certificate["tbs_certificate"]["validity"]
        not_before, not_after = validity["not_before"].native, validity["not_after"].native
        if not not_before <= datetime.now(timezone.utc) <= not_after:
            raise SigningError(_("The certificate of user %(user)s at the remote-signing gateway is not "
                                 "valid now (valid from %(not_before)s to %(not_after)s).", user=user,
                                 not_before=f"{not_before:%d/%m/%Y}", not_after=f"{not_after:%d/%m/%Y}"))


@hookimpl
def register_signers(app):
    return [RemoteCaSigner(plugin_settings(PLUGIN, app), list(app.config.get("PDF_FONT_DIRS", [])),
                           app.config.get("SIGNING_IDENTITIES") or {})]
