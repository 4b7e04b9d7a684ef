"""Errors as HTTP answers: JSON under /api/ and the payment callbacks (API.md,
"Errors"), Flask's pages elsewhere. Bad input is never a 500."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from builder.errors import BuilderError

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/payments/")


def _http_message(code: int) -> str:
    messages = {
        400: _("The request is malformed."),
        401: _("Please sign in."),
        403: _("You are not allowed to do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        409: _("This is not possible in the current state."),
        413: _("The request is too large."),
        415: _("This file type is not supported."),
        422: _("The data is not valid."),
        429: _("Too many requests; please wait a moment."),
    }
    return messages.get(code, _("Something went wrong on our side; please try again later."))


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(BuilderError)
    def _builder_error(error: BuilderError):
        if error.status >= 500:
            log.error("%s: %s", type(error).__name__, error.message)
        return jsonify(error.to_dict()), error.status

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if not _wants_json():
            return error
        return jsonify({"message": _http_message(error.code or 500)}), error.code or 500

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        if not _wants_json():
            return _http_message(500), 500
        return jsonify({"message": _http_message(500)}), 500
