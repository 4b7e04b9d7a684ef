"""Checks of a provider's settings for its ``check_config()``, worded the
same way for every plugin (shipped or a vendor's) and translated once.

Each returns a list of problems (empty when the settings are fine)::

    def check_config(self):
        return [*missing(self.name, self.settings, ("tmn_code", "hash_secret")),
                *not_addresses(self.name, self.settings, ("payment_url",)),
                *not_seconds(self.name, self.settings, "timeout", default=10)]
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext as _


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def missing(plugin: str, settings: Mapping[str, Any], keys: Iterable[str]) -> list[str]:
    """The keys among ``keys`` that hold no text."""
    return [_("%(key)s is not set in PLUGINS[\"%(plugin)s\"].", key=key, plugin=plugin)
            for key in keys if not _text(settings.get(key))]


def not_addresses(plugin: str, settings: Mapping[str, Any], keys: Iterable[str]) -> list[str]:
    """The keys among ``keys`` that are set but are not an http(s) address."""
    return [_("%(key)s of %(plugin)s must be an http(s) address.", key=key, plugin=plugin)
            for key in keys
            if _text(settings.get(key)) and not settings[key].strip().startswith(("https://", "http://"))]


def not_seconds(plugin: str, settings: Mapping[str, Any], key: str, default: float) -> list[str]:
    """``key`` (``default`` when absent) is not a positive number of seconds."""
    value = settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return [_("%(key)s of %(plugin)s must be a number of seconds.", key=key, plugin=plugin)]
    return []


def unset_environment(plugin: str, settings: Mapping[str, Any], key: str) -> list[str]:
    """``key`` names an environment variable (a secret kept out of the config
    file) that is not set."""
    name = settings.get(key)
    if name and not os.environ.get(name):
        return [_("The environment variable %(name)s (%(key)s of %(plugin)s) is not set.",
                  name=name, key=key, plugin=plugin)]
    return []
