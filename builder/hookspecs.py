"""Every hook a plugin can implement. Each is documented in docs/plugin_hooks.md
with its full signature and an example; tests/test_plugins.py checks that every
hook here is documented there and exercised by a test.

A plugin module implements hooks with the ``hookimpl`` marker::

    from builder import hookimpl

    @hookimpl
    def register_notifiers(app):
        return [MyNotifier(app.config["PLUGINS"].get("my_sms", {}))]
"""
from __future__ import annotations

from pluggy import HookimplMarker, HookspecMarker

hookspec = HookspecMarker("motcua")
hookimpl = HookimplMarker("motcua")


@hookspec
def register_payment_gateways(app):
    """Return a list of payment gateways (objects implementing
    :class:`builder.providers.payment.PaymentGateway`) this plugin offers. A service
    package names its gateway by ``name``."""


@hookspec
def register_notifiers(app):
    """Return a list of notifiers (:class:`builder.providers.notification.Notifier`): e-mail,
    SMS, chat. Every notifier that is configured is told of each status change."""


@hookspec
def register_signature_verifiers(app):
    """Return a list of signature verifiers
    (:class:`builder.providers.signature.SignatureVerifier`): one per format
    (PDF/PAdES, XML/XMLDSig). The host asks each in turn whether it
    ``accepts`` a file."""


@hookspec
def register_signers(app):
    """Return a list of signers (:class:`builder.providers.signature.Signer`)
    that seal results and one-stop documents with an agency's certificate
    (local PKCS#12, or remote signing through a CA's gateway)."""


@hookspec
def register_carriers(app):
    """Return a list of postal carriers
    (:class:`builder.providers.delivery.Carrier`). A service package names its
    carrier by ``name``."""


@hookspec
def register_identity_providers(app):
    """Return a list of identity providers
    (:class:`builder.providers.identity.IdentityProvider`) a citizen may sign
    in with."""


@hookspec
def dossier_submitted(app, dossier):
    """Called by a job after a dossier was submitted and committed. ``dossier``
    is a :class:`builder.models.Dossier` read in the job's own session. The
    return value is ignored; an exception is logged and retried with the job."""


@hookspec
def dossier_status_changed(app, dossier, from_status, to_status):
    """Called by a job after a dossier's status changed and the change was
    committed; statuses are the national codes 0-10 of DOMAIN.md."""


@hookspec
def dossier_result_issued(app, dossier, documents):
    """Called by a job after a dossier's result was issued (status 9, the
    result documents rendered and sealed); ``documents`` are its result
    :class:`builder.models.Document` rows."""
