"""Reading request bodies: JSON objects with a size limit, and clear 4xx answers."""
from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_babel import gettext as _

from builder.errors import BadRequest, TooLarge, UnsupportedType


def json_body() -> Any:
    limit = current_app.config["MAX_JSON_BODY"]
    if request.content_length is not None and request.content_length > limit:
        raise TooLarge(_("The request is too large (at most %(kb)s KB).", kb=limit // 1024))
    request.max_content_length = limit  # also bounds a body sent without a length
    if not request.mimetype or request.mimetype != "application/json":
        raise UnsupportedType(_("Send the body as JSON (Content-Type: application/json)."))
    raw = request.get_data(cache=True)
    if not raw:
        raise BadRequest(_("The request body is empty."))
    try:
        import json

        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadRequest(_("The request body is not valid JSON.")) from exc


def page_arg(name: str = "page") -> int:
    raw = request.args.get(name, "1")
    if not raw.isdigit() or int(raw) < 1 or int(raw) > 100000:
        raise BadRequest(_("The page number must be a positive whole number."))
    return int(raw)
