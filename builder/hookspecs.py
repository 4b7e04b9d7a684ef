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
    :class:`builder.providers.PaymentGateway`) this plugin offers. A service
    package names its gateway by ``name``."""


@hookspec
def register_notifiers(app):
    """Return a list of notifiers (:class:`builder.providers.Notifier`): e-mail,
    SMS, chat. Every notifier that is configured is told of each status change."""


@hookspec
def dossier_submitted(app, dossier):
    """Called by a job after a dossier was submitted and committed. ``dossier``
    is a :class:`builder.models.Dossier` read in the job's own session. The
    return value is ignored; an exception is logged and retried with the job."""


@hookspec
def dossier_status_changed(app, dossier, from_status, to_status):
    """Called by a job after a dossier's status changed and the change was
    committed; statuses are the national codes 0-10 of DOMAIN.md."""
