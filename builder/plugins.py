"""The plugin manager: one per app, holding the plugins declared under the
``motcua.plugins`` entry-point group (ours in ``plugins/`` and any vendor's),
less those named in ``PLUGINS_BLOCKED``."""
from __future__ import annotations

import logging
from typing import Any

import pluggy
from flask import Flask, current_app

from builder import hookspecs
from builder.errors import PluginError
from builder.providers import Notifier, PaymentGateway, Provider
from builder.providers.delivery import Carrier
from builder.providers.identity import IdentityProvider
from builder.providers.signature import SignatureVerifier, Signer

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "motcua.plugins"
EXTENSION_KEY = "motcua.plugins"

# Which kind a plugin is, judged by the registry hooks it implements.
KIND_BY_HOOK = {
    "register_payment_gateways": "payment",
    "register_notifiers": "notification",
    "register_signature_verifiers": "signature",
    "register_signers": "signature",
    "register_carriers": "delivery",
    "register_identity_providers": "identity",
}


def init_plugins(app: Flask) -> pluggy.PluginManager:
    pm = pluggy.PluginManager("motcua")
    pm.add_hookspecs(hookspecs)
    for name in app.config.get("PLUGINS_BLOCKED", []):
        pm.set_blocked(name)
    try:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"Plugin {exc.plugin!r} is invalid: {exc}") from exc
    for plugin in app.config.get("PLUGINS_EXTRA", []):  # tests and embedding hosts
        pm.register(plugin)
    app.extensions[EXTENSION_KEY] = pm
    return pm


def plugin_manager(app: Flask | None = None) -> pluggy.PluginManager:
    return (app or current_app).extensions[EXTENSION_KEY]


def _collect(hook_name: str, protocol: type, app: Flask) -> dict[str, Provider]:
    pm = plugin_manager(app)
    hook = getattr(pm.hook, hook_name)
    providers: dict[str, Provider] = {}
    for impl in hook.get_hookimpls():
        plugin_name = pm.get_name(impl.plugin)
        for provider in impl.function(app=app) or []:
            if not isinstance(provider, protocol):
                raise PluginError(
                    f"Plugin {plugin_name!r}: {hook_name} returned {provider!r}, "
                    f"which does not implement {protocol.__name__}"
                )
            if provider.name in providers:
                raise PluginError(
                    f"Plugin {plugin_name!r}: {hook_name} offers {provider.name!r}, "
                    "a name another plugin already uses"
                )
            providers[provider.name] = provider
    return providers


def payment_gateways(app: Flask | None = None) -> dict[str, PaymentGateway]:
    return _collect("register_payment_gateways", PaymentGateway, app or current_app)


def notifiers(app: Flask | None = None) -> dict[str, Notifier]:
    return _collect("register_notifiers", Notifier, app or current_app)


def signature_verifiers(app: Flask | None = None) -> dict[str, SignatureVerifier]:
    return _collect("register_signature_verifiers", SignatureVerifier, app or current_app)


def signers(app: Flask | None = None) -> dict[str, Signer]:
    return _collect("register_signers", Signer, app or current_app)


def carriers(app: Flask | None = None) -> dict[str, Carrier]:
    return _collect("register_carriers", Carrier, app or current_app)


def identity_providers(app: Flask | None = None) -> dict[str, IdentityProvider]:
    return _collect("register_identity_providers", IdentityProvider, app or current_app)


def all_providers(app: Flask | None = None) -> list[Provider]:
    """Every provider of every kind (a name is unique within its kind only)."""
    app = app or current_app
    found: list[Provider] = []
    for collect in (payment_gateways, notifiers, signature_verifiers, signers, carriers,
                    identity_providers):
        found.extend(collect(app).values())
    return found


def plugin_info(app: Flask | None = None) -> list[dict[str, Any]]:
    """Name, version, hooks, kind and configuration problems of every plugin."""
    app = app or current_app
    pm = plugin_manager(app)
    versions = {
        pm.get_name(plugin): dist.version for plugin, dist in pm.list_plugin_distinfo()
    }
    providers = all_providers(app)
    info = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda pair: pair[0]):
        if plugin is None:  # blocked
            continue
        hooks = sorted(caller.name for caller in pm.get_hookcallers(plugin) or [])
        kind = next((KIND_BY_HOOK[h] for h in hooks if h in KIND_BY_HOOK), "other")
        module = getattr(plugin, "__name__", type(plugin).__module__)
        offered = [p for p in providers if type(p).__module__ == module]
        problems = [msg for p in offered for msg in p.check_config()]
        info.append(
            {
                "name": name,
                "version": versions.get(name),
                "hooks": hooks,
                "kind": kind,
                "providers": sorted(p.name for p in offered),
                "configured": not problems,
                "problems": problems,
            }
        )
    return info


def plugin_settings(name: str, app: Flask | None = None) -> dict[str, Any]:
    """A plugin's own settings: ``PLUGINS[name]`` of the app config."""
    return dict((app or current_app).config.get("PLUGINS", {}).get(name, {}))
