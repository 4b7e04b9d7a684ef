"""The carriers' status callbacks: ``POST /delivery/<carrier>/callback``,
signed by the carrier (its plugin checks the signature), answered in JSON."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, request

from builder import delivery as service

callbacks = Blueprint("delivery_callbacks", __name__, url_prefix="/delivery")


@callbacks.route("/<carrier>/callback", methods=["POST"])
def callback(carrier: str):
    """Record the events of a verified callback: 200 with what was recorded
    (a repeated event is not recorded twice), 403 for a bad signature, 400 for
    a body that cannot be read, 404 for an unknown carrier or waybill."""
    request.max_content_length = current_app.config["MAX_JSON_BODY"]
    counts = service.handle_callback(carrier, dict(request.headers), request.get_data(cache=False))
    return jsonify({"ok": True, **counts})


def register_delivery_callbacks(app: Flask) -> None:
    """The callbacks come from the carrier, with no session nor CSRF token."""
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(callbacks)
    app.register_blueprint(callbacks)
