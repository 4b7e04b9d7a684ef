"""XML signatures (XMLDSig), with signxml on lxml.

The document is parsed without a DTD, without resolving entities and without
the network (no XXE, no entity bomb); a document that declares a DTD is
refused. The signature (the first ``ds:Signature``) is checked with the
certificate it carries: the digests of its references (integrity) and the
signature value. The certificate's chain to the configured trust roots is
then validated at the signing time, when the signature states one (a XAdES
``SigningTime``, or a ``SigningTime`` signature property), else now.

Settings, in ``PLUGINS["xmldsig"]``: ``allow_fetching`` (false) and
``fetch_timeout`` (5 seconds), see :mod:`plugins.signature.chain`.
"""
from __future__ import annotations

import base64
import binascii
import logging
import re
from datetime import datetime, timezone
from typing import Any

from asn1crypto import x509 as asn1_x509
from flask_babel import gettext as _
from lxml import etree

from builder import hookimpl
from builder.plugins import plugin_settings
from builder.providers.signature import (
    Problem,
    SignatureReport,
    UnreadableDocument,
    VerificationReport,
)
from plugins.signature import chain

log = logging.getLogger(__name__)
DS = "http://www.w3.org/2000/09/xmldsig#"
XML_START = re.compile(rb"^(\xef\xbb\xbf)?\s*<(\?xml|[A-Za-z_])")


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_blank_text=False)


def parse(data: bytes) -> etree._Element:
    try:
        tree = etree.fromstring(data, parser=safe_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise UnreadableDocument(_("The file is not well-formed XML.")) from exc
    docinfo = tree.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise UnreadableDocument(_("XML with a document type declaration (DTD) is not accepted."))
    return tree


def _certificates(signature: etree._Element) -> list[asn1_x509.Certificate]:
    certs = []
    for element in signature.iterfind(f".//{{{DS}}}X509Certificate"):
        try:
            certs.append(asn1_x509.Certificate.load(base64.b64decode("".join((element.text or "").split()))))
        except (ValueError, binascii.Error):
            continue
    return certs


def _leaf(certs: list[asn1_x509.Certificate]) -> asn1_x509.Certificate | None:
    """The certificate that issued none of the others: the signer's."""
    issuers = {c.issuer.dump() for c in certs}
    leaves = [c for c in certs if c.subject.dump() not in issuers or c.self_signed != "no"]
    return next((c for c in leaves if c.self_signed == "no"), certs[0] if certs else None)


def _signing_time(signature: etree._Element) -> datetime | None:
    for element in signature.iter():
        if isinstance(element.tag, str) and etree.QName(element).localname == "SigningTime":
            try:
                moment = datetime.fromisoformat((element.text or "").strip().replace("Z", "+00:00"))
            except ValueError:
                return None
            return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return None


class XmlDsigVerifier:
    name = "xmldsig"
    label = "Chữ ký số trên tệp XML (XMLDSig)"

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings

    def check_config(self) -> list[str]:
        return chain.check_settings(self.name, self.settings)

    def accepts(self, data: bytes, filename: str | None = None) -> bool:
        return bool(XML_START.match(data[:512]))

    def verify(self, data: bytes, trust_roots: list[bytes]) -> VerificationReport:
        root = parse(data)
        signature = next(root.iter(f"{{{DS}}}Signature"), None)
        if signature is None:
            return VerificationReport(self.name, [])
        return VerificationReport(self.name, [self._verify_one(root, signature, trust_roots)])

    def _verify_one(self, root, signature, trust_roots: list[bytes]) -> SignatureReport:
        certs = _certificates(signature)
        leaf = _leaf(certs)
        claimed = _signing_time(signature)
        if leaf is None:
            return SignatureReport(None, None, claimed, False, False, False, problems=[Problem("unreadable")])
        signer, issuer = chain.person(leaf.subject), chain.person(leaf.issuer)
        problems = self._integrity(root, leaf)
        intact = not problems
        moment = claimed or datetime.now(timezone.utc)
        others = [c for c in certs if c is not leaf]
        outcome, checked = chain.with_revocation(
            self.settings, leaf, lambda hard: self._path(leaf, others, trust_roots, moment, hard),
            lambda o: o[0], lambda o: o[2] is not None)
        trusted, indication, revoked_on = outcome
        trust = chain.verdict(leaf, moment, trusted, indication, revoked_on, checked)
        references = signature.iterfind(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
        whole = any(reference.get("URI") == "" for reference in references)  # "": the whole document
        # a broken signature proves nothing about its signer
        return SignatureReport(signer, issuer, claimed, intact, trust.trusted and intact,
                               covers_whole_document=whole and intact, revocation=trust.revocation,
                               problems=problems + trust.problems)

    def _integrity(self, root, leaf: asn1_x509.Certificate) -> list[Problem]:
        from cryptography import x509 as crypto_x509
        from signxml import SignatureConfiguration, XMLVerifier
        from signxml.exceptions import InvalidDigest, InvalidInput, InvalidSignature

        cert = crypto_x509.load_der_x509_certificate(leaf.dump())
        # signxml checks only the signature here; whether the certificate was
        # valid when it signed is the chain's question, at the signing time
        config = SignatureConfiguration(expect_references=True, verification_time=cert.not_valid_before_utc)
        try:
            XMLVerifier().verify(root, x509_cert=cert, parser=safe_parser(), expect_config=config)
        except InvalidDigest:
            return [Problem("tampered")]
        except InvalidInput as exc:
            log.info("unreadable XML signature: %s", exc)
            return [Problem("unreadable")]
        except InvalidSignature:
            return [Problem("bad_signature")]
        except Exception as exc:  # noqa: BLE001  (lxml or cryptography on a malformed signature)
            log.info("unreadable XML signature: %s", exc)
            return [Problem("unreadable")]
        return []

    def _path(self, leaf, others, trust_roots, moment, hard: bool):
        """(trusted, AdES indication, revocation date) of the leaf's path."""
        import asyncio

        from pyhanko.sign.ades.report import AdESIndeterminate
        from pyhanko_certvalidator import CertificateValidator
        from pyhanko_certvalidator.errors import (
            ExpiredError,
            InvalidCertificateError,
            NotYetValidError,
            PathBuildingError,
            RevokedError,
        )

        async def validate():
            context = chain.validation_context(self.settings, trust_roots, moment, others, hard=hard)
            try:
                validator = CertificateValidator(leaf, others, validation_context=context)
                await validator.async_validate_usage(set(), extended_optional=True)
                return True, None, None
            except RevokedError as exc:
                return False, None, exc.revocation_dt
            except PathBuildingError:
                return False, AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND, None
            except (ExpiredError, NotYetValidError):
                return False, AdESIndeterminate.OUT_OF_BOUNDS_NO_POE, None
            except InvalidCertificateError:
                return False, AdESIndeterminate.SIG_CONSTRAINTS_FAILURE, None
            except Exception as exc:  # noqa: BLE001  (any other path failure: not trusted)
                log.info("XML signer's path not valid: %s", exc)
                return False, AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE, None
            finally:
                await context.aclose()

        return asyncio.run(validate())


@hookimpl
def register_signature_verifiers(app):
    return [XmlDsigVerifier(plugin_settings("xmldsig", app))]
