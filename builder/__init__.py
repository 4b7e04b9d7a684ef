"""Một Cửa Builder: the application package.

Plugins write ``from builder import hookimpl``; hosts call :func:`create_app`.
"""
from __future__ import annotations

from builder.hookspecs import hookimpl, hookspec

__all__ = ["create_app", "hookimpl", "hookspec"]
__version__ = "0.1.0"


def create_app(test_config: dict | None = None):
    """Build the Flask application (see :mod:`builder.app`)."""
    from builder.app import create_app as _create_app

    return _create_app(test_config)
