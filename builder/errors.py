"""The exceptions of the domain. Each carries an HTTP status and a message a
person can read (translated, Vietnamese first), naming what was wrong."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _


class BuilderError(Exception):
    """Base of every error the product raises on purpose."""

    status = 400

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

    def to_dict(self) -> dict[str, Any]:
        return {"message": str(self.message), **self.extra}


class BadRequest(BuilderError):
    status = 400


class NotAuthenticated(BuilderError):
    status = 401


class Forbidden(BuilderError):
    status = 403


class NotFound(BuilderError):
    status = 404


class Conflict(BuilderError):
    status = 409


class TooLarge(BuilderError):
    status = 413


class UnsupportedType(BuilderError):
    status = 415


class InvalidData(BuilderError):
    """Data that breaks a schema; ``errors`` maps field paths to messages."""

    status = 422

    def __init__(self, message: str, errors: dict[str, list[str]]) -> None:
        super().__init__(message, errors=errors)
        self.errors = errors


def require_object(body: Any) -> dict:
    """``body`` when it is a JSON object; else the 422 every endpoint answers."""
    if not isinstance(body, dict):
        raise InvalidData(_("The request body must be a JSON object."), {"": [_("Must be a group of fields.")]})
    return body


class PluginError(BuilderError):
    """A plugin failed to load or broke its hook contract."""

    status = 500
