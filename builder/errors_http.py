"""Errors as HTTP answers: JSON under /api/ and the payment callbacks (API.md,
"Errors"), Flask's pages elsewhere. Bad input is never a 500."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from builder.api.body import NUL_CHARACTER
from builder.errors import BadRequest, BuilderError
from builder.inputs import holds_nul

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


def _answer(message: str, status: int, headers: dict | None = None):
    """``message`` as JSON under /api/ and the payment callbacks, as text elsewhere."""
    return (jsonify({"message": message}) if _wants_json() else message), status, headers or {}


def register_error_handlers(app: Flask) -> None:
    @app.before_request
    def _refuse_nul_characters():
        # a NUL in a URL would reach a query, where PostgreSQL refuses it (bodies: builder.api.body)
        if "\x00" in request.path or any(holds_nul(k) or holds_nul(v) for k, v in request.args.items(multi=True)):
            error = BadRequest(NUL_CHARACTER)
            if not _wants_json():
                return str(error.message), error.status
            return jsonify(error.to_dict()), error.status

    @app.errorhandler(DataError)
    def _data_error(error: DataError):
        # a value the database refuses for its column (the checks at the edges missed it): bad input
        log.warning("the database refused a value on %s %s: %s", request.method, request.path, error.orig)
        return _answer(_("A value sent is not one the database can store."), 400)

    @app.errorhandler(DBAPIError)
    def _database_error(error: DBAPIError):
        # the connection was lost (a server restart; the pool connects afresh) or the database
        # cannot go on now (it is down, a deadlock): nothing was written, the request can be sent
        # again. Any other database error is a fault of ours.
        if not (error.connection_invalidated or isinstance(error, OperationalError)):
            return _unexpected(error)
        log.warning("the database is unavailable on %s %s: %s", request.method, request.path, error.orig)
        return _answer(_("The database is unavailable for a moment; please send the request again."), 503,
                       {"Retry-After": "1"})

    @app.errorhandler(BuilderError)
    def _builder_error(error: BuilderError):
        if error.status >= 500:
            log.error("%s: %s", type(error).__name__, error.message)
        return jsonify(error.to_dict()), error.status

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if not _wants_json():
            return error
        response = jsonify({"message": _http_message(error.code or 500)})
        for name, value in error.get_headers():  # e.g. the Allow of a 405
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, error.code or 500

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return _answer(_http_message(500), 500)
