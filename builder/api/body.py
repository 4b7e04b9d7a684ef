"""Reading request bodies: JSON objects with a size limit, and clear 4xx answers."""
from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from builder.errors import BadRequest, TooLarge, UnsupportedType, require_object
from builder.inputs import holds_nul, whole_number


NUL_CHARACTER = _l("The request holds the NUL character (\\u0000), which no field may contain.")


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

        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadRequest(_("The request body is not valid JSON.")) from exc
    if b"\\u0000" in raw and holds_nul(body):  # JSON can only carry it escaped
        raise BadRequest(NUL_CHARACTER)
    return body


def json_object() -> dict:
    """The body as :func:`json_body` reads it, which must be a JSON object."""
    return require_object(json_body())


def page_arg(name: str = "page") -> int:
    page = whole_number(request.args.get(name, "1"), maximum=100000)
    if not page:
        raise BadRequest(_("The page number must be a positive whole number."))
    return page
