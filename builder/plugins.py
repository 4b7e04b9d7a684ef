"""The plugin manager: one per app, holding the plugins declared under the
``motcua.plugins`` entry-point group (ours in ``plugins/`` and any vendor's),
less those named in ``PLUGINS_BLOCKED``."""
from __future__ import annotations

import importlib.metadata
import logging
from typing import Any

import pluggy
from flask import Flask, current_app
from flask_babel import gettext as _

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
        for provider in _call(impl, app) or []:
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


def _call(impl, app: Flask):
    """Call a registry hook's implementation with the arguments it takes (a
    plugin may leave out ``app``)."""
    return impl.function(**{name: app for name in impl.argnames if name == "app"})


PROTOCOL_BY_HOOK = {
    "register_payment_gateways": PaymentGateway,
    "register_notifiers": Notifier,
    "register_signature_verifiers": SignatureVerifier,
    "register_signers": Signer,
    "register_carriers": Carrier,
    "register_identity_providers": IdentityProvider,
}


def _offered(app: Flask, plugin: Any) -> tuple[list[str], list[str]]:
    """The names of the providers a plugin offers and what is wrong with them.
    A broken plugin is reported here rather than breaking the page that lists it."""
    pm = plugin_manager(app)
    names: list[str] = []
    problems: list[str] = []
    for hook_name, protocol in PROTOCOL_BY_HOOK.items():
        for impl in getattr(pm.hook, hook_name).get_hookimpls():
            if impl.plugin is not plugin:
                continue
            try:
                providers = list(_call(impl, app) or [])
            except Exception as exc:  # noqa: BLE001 - any failure of a plugin is its problem
                log.exception("plugin %s: %s failed", pm.get_name(plugin), hook_name)
                problems.append(_("%(hook)s failed: %(error)s", hook=hook_name, error=exc))
                continue
            for provider in providers:
                if not isinstance(provider, protocol):
                    problems.append(_("%(hook)s returned %(value)s, which is not a %(protocol)s.",
                                      hook=hook_name, value=repr(provider)[:80],
                                      protocol=protocol.__name__))
                    continue
                names.append(provider.name)
                try:
                    problems.extend(str(msg) for msg in provider.check_config())
                except Exception as exc:  # noqa: BLE001
                    log.exception("plugin %s: check_config of %s failed", pm.get_name(plugin),
                                  provider.name)
                    problems.append(_("The settings check of %(provider)s failed: %(error)s",
                                      provider=provider.name, error=exc))
    return sorted(set(names)), problems  # a signer and a verifier may share a name


def _entry_point_versions() -> dict[str, str]:
    """The version of the package declaring each entry point of our group
    (a blocked plugin is never loaded, so pluggy cannot say)."""
    versions = {}
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.dist is not None:
            versions.setdefault(entry_point.name, entry_point.dist.version)
    return versions


def plugin_info(app: Flask | None = None, include_blocked: bool = False) -> list[dict[str, Any]]:
    """Name, version, hooks, kind, providers and configuration problems of
    every plugin; with ``include_blocked``, a blocked plugin too, with
    ``blocked`` true and nothing else known about it (it is never loaded)."""
    app = app or current_app
    pm = plugin_manager(app)
    versions = {
        pm.get_name(plugin): dist.version for plugin, dist in pm.list_plugin_distinfo()
    }
    blocked_versions = _entry_point_versions() if include_blocked else {}
    info = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda pair: pair[0]):
        if plugin is None:  # blocked
            if include_blocked:
                info.append({"name": name, "version": blocked_versions.get(name), "hooks": [],
                             "kind": None, "providers": [], "configured": False, "problems": [],
                             "blocked": True})
            continue
        hooks = sorted(caller.name for caller in pm.get_hookcallers(plugin) or [])
        kind = next((KIND_BY_HOOK[h] for h in hooks if h in KIND_BY_HOOK), "other")
        providers, problems = _offered(app, plugin)
        info.append(
            {
                "name": name,
                "version": versions.get(name),
                "hooks": hooks,
                "kind": kind,
                "providers": providers,
                "configured": not problems,
                "problems": problems,
                "blocked": False,
            }
        )
    return info


def plugin_settings(name: str, app: Flask | None = None) -> dict[str, Any]:
    """A plugin's own settings: ``PLUGINS[name]`` of the app config."""
    return dict((app or current_app).config.get("PLUGINS", {}).get(name, {}))
